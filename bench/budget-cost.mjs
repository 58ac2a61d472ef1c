#!/usr/bin/env node
// What the daily alert budget costs per scored event: the rarity key of the raw score (Calibrator.rarity) and
// DailyBudget.admit, in CPU time of this process, for events under the threshold (counted only) and over it (also
// judged), 2,000,000 events 0.05 s apart (27.8 h: the window slides). Next to the scorer's tens of CPU µs per event.
// Usage: node bench/budget-cost.mjs. Needs the compiled code (npm run build).
import { dist } from './lib/ecs-bench.mjs';

const { DailyBudget } = await import(new URL('scorer/daily-budget.js', dist));
const { Calibrator } = await import(new URL('scorer/calibrate.js', dist));

// a small calibration table: raw 0..5 maps to 0..0.999, beyond it the exponential tail
const calibrator = new Calibrator({ levels: [0, 0.5, 0.999], values: [0, 1, 5], tail_scale: 0.5 });
const N = 2_000_000;
const raws = Float64Array.from({ length: N }, (_, i) => ((i * 2_654_435_761) % 1000) / 100);
for (const round of [1, 2]) {
  for (const candidate of [false, true]) {
    const budget = new DailyBudget(0.001);
    let flagged = 0;
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) if (budget.admit(i * 0.05, calibrator.rarity(raws[i]), candidate)) flagged += 1;
    const c = process.cpuUsage(c0);
    process.stdout.write(`round ${round}, ${candidate ? 'over the threshold' : 'under the threshold'}: ${(((c.user + c.system) * 1000) / N).toFixed(0)} CPU ns per event, ${flagged} flagged of ${N}\n`);
  }
}
