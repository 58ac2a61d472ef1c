// PyTorch's own numbers for an events TSV, what the golden tests compare the TypeScript scorer with: per event
// (each with its entity's previous events, as the trainer builds them) the per-field surprisal, the expected ids
// and the raw score (by the kind's rule, models/kinds.json "raw_score"), from the checkpoint the bundle was exported from.
import { spawnSync } from 'node:child_process';
import { PYTHON, REPO_ROOT } from './env.js';

const PYTORCH_SCORES = `
import json, sys
sys.path.insert(0, "models")
import numpy as np, torch
from data import ContextData, context_index, read_events
from export import load_checkpoint
from raw_score import RULES
from registry import RAW_SCORE
from vocab import encode_columns, model_columns
ckpt, model = load_checkpoint(sys.argv[1] + "/ckpt.pt")
ev = read_events(sys.argv[2])
tok = ckpt["tokenizer"]
ids = encode_columns(tok, model_columns(ev.columns, ev.times, tok["hour_token"]))
data = ContextData(ids, context_index(ev.entities, ckpt["context_length"], ev.times, ids))
with torch.no_grad():
    s, e = model(torch.from_numpy(data.tokens(np.arange(len(data)))))
raw = RULES[RAW_SCORE[ckpt["kind"]]][1](s.double().numpy(), np.asarray(ckpt["field_weights"]))
json.dump({"surprisal": s.tolist(), "expected": e.tolist(), "raw": raw.tolist()}, sys.stdout)
`;

export interface PytorchScores {
  surprisal: number[][];
  expected: number[][];
  raw: number[];
}

/** Runs the checkpoint in modelDir over eventsPath; throws with Python's stderr when it fails. */
export function pytorchScores(modelDir: string, eventsPath: string): PytorchScores {
  const r = spawnSync(PYTHON, ['-c', PYTORCH_SCORES, modelDir, eventsPath], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`PyTorch scores of ${eventsPath} with ${modelDir}: exit ${r.status}\n${r.stderr}`);
  return JSON.parse(r.stdout) as PytorchScores;
}
