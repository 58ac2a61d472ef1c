// The transformer-lm kind predicts each field token from everything before it in the flattened sequence (the
// entity's previous events' fields, then the event's fields in order): a field's surprisal does not move when a later
// field of the event changes, and does move when an earlier one, a context event or the length of the history
// changes. An untrained model with random weights is enough to show what it can and cannot see.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hasPython, PYTHON, REPO_ROOT } from './support/env.js';

const PROBE = `
import json, sys
sys.path.insert(0, "models")
import torch
from transformer_lm import TransformerLM, TransformerLMConfig
torch.manual_seed(0)
model = TransformerLM(TransformerLMConfig(vocab_sizes=(6, 7, 8, 5), context=3)).eval()
x = torch.randint(1, 5, (16, 4, 4))                          # (B, C+1, F) real ids, no <pad>
x[:, 0] = 0                                                   # the oldest context row is <pad>
def run(t):
    with torch.no_grad():
        s, e = model(t)
    return s
base = run(x)
out = {}
for f in range(4):                                           # change field f of the event
    y = x.clone(); y[:, -1, f] = 1 + y[:, -1, f] % 4
    d = (run(y) - base).abs().max(dim=0).values               # (F,) largest change per field
    out[f"event_field_{f}"] = d.tolist()
y = x.clone(); y[:, 1, 2] = 1 + y[:, 1, 2] % 4               # a context event's field
out["context"] = (run(y) - base).abs().max(dim=0).values.tolist()
y = x.clone(); y[:, 0] = 0; y[:, 1] = 0                       # one more <pad> row: the history is shorter
out["shorter"] = (run(y) - base).abs().max().item()
with torch.no_grad():
    _, e = model(x)
out["expected_min"] = int(e.min())
json.dump(out, sys.stdout)
`;

describe.runIf(hasPython())('transformer-lm reads fields left to right', () => {
  it("scores field f from the context and the event's fields before f only", () => {
    const r = spawnSync(PYTHON, ['-c', PROBE], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, number[]> & { shorter: number; expected_min: number };
    for (let changed = 0; changed < 4; changed++) {
      const delta = out[`event_field_${changed}`]!;
      delta.forEach((d, f) => {
        // earlier fields do not see it; the field itself is judged on its new value; later fields read it
        if (f < changed) expect(d, `field ${f} after changing field ${changed}`).toBe(0);
        else expect(d, `field ${f} after changing field ${changed}`).toBeGreaterThan(1e-6);
      });
    }
    // Field 0 of the event is judged from the history alone, and a context event reaches every field.
    out.context!.forEach((d) => expect(d).toBeGreaterThan(1e-6));
    expect(out.shorter).toBeGreaterThan(1e-6);
    // <pad> is never a true value, so it is never the expected one.
    expect(out.expected_min).toBeGreaterThanOrEqual(1);
  });
});
