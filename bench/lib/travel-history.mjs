// The travel component as a sidecar that has run for days computes it: its recall holds the user's logins of the
// training days too, where a refit's recall reaches back only to the end of training (a traveller's last login from
// home is often before it). Offline, from a fitted bundle: each test login's recall rows are built from its user's
// previous `recall` logins, in time order, with the memory's `until` moved before the first training login so that
// the training ones count as later than the memory as well; the statistic goes through the bundle's tail table.
// Without the training logins the same walk must give the scorer's own travel ln p (refit-travel.mjs checks it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Per test event, the travel component's ln p; `train` and `test` each in time order. */
export function travelLogP({ EntityMemory, TailTable }, modelDir, train, test, withTraining) {
  const bundle = JSON.parse(readFileSync(join(modelDir, 'bundle.json'), 'utf8'));
  const file = JSON.parse(readFileSync(join(modelDir, bundle.fusion.memory_file), 'utf8'));
  const memory = EntityMemory.fromFile(withTraining ? { ...file, until: (train[0]?.time ?? 0) - 1 } : file);
  const name = memory.travelComponent;
  const at = memory.componentNames.indexOf(name);
  const tail = new TailTable(bundle.fusion.components.find((c) => c.name === name).tail);
  const rule = { minAge: bundle.fusion.recall_min_age ?? 0, habitMinAge: bundle.fusion.habit_recall_min_age ?? null };
  const entity = bundle.entity_key;
  const recall = bundle.fusion.recall;
  const history = new Map();
  const out = new Float64Array(test.length);
  const stats = new Float64Array(memory.componentNames.length);
  const walk = [...(withTraining ? train.map((e) => [e, -1]) : []), ...test.map((e, i) => [e, i])];
  for (const [e, i] of walk) {
    const rows = history.get(e.entities[entity]) ?? [];
    const row = new Int32Array(memory.recallWidth);
    memory.recallRow(e, row, 0);
    if (i >= 0) {
      memory.statistics(e, stats, 0, false, { rows, row, offset: 0 }, rule);
      out[i] = tail.logP(stats[at]);
    }
    rows.push(row);
    if (rows.length > recall) rows.shift();
    history.set(e.entities[entity], rows);
  }
  return out;
}
