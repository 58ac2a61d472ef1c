"""Trains one model kind on an events TSV and exports model.onnx + bundle.json (docs/contracts.md).

    python models/train.py --events EVENTS.tsv --kind transformer-mlm --out MODEL_DIR [--epochs N] [--seed N]
        [--context 8] [--min-count 2] [--no-hour-token] [--meta META.json]

Progress goes to stdout as JSON lines (step, epoch, done); errors go to stderr with a non-zero exit.
Seeded and deterministic: the same data, seed and thread count give the same bundle.
"""
import argparse
import copy
import dataclasses
import json
import math
import os
import sys
import time

# OpenMP threads that spin-wait turn a busy 2-core machine (a second trainer, a test run, OpenSearch) into a
# 10x+ slowdown; sleeping waiters cost little when the machine is idle. Must be set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import ContextData, EventsFileError, canonical_rows, context_index, read_events, split  # noqa: E402
from export import export_bundle  # noqa: E402
from raw_score import RULES  # noqa: E402
from registry import KINDS, RAW_SCORE  # noqa: E402
from warm_start import WarmStartError, carry_weights, check_compatible, column_counts, grow_vocab  # noqa: E402
from vocab import build_vocab, encode_columns, make_tokenizer, model_columns, model_fields  # noqa: E402


def emit(message):
    """One JSON progress line on stdout (the contract's protocol, not logging)."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def fail(message):
    sys.stderr.write(f"train.py: {message}\n")
    sys.exit(2)


p = argparse.ArgumentParser(description="Train a SeqSentry model kind and export its ONNX bundle.")
p.add_argument("--events", required=True, help="events TSV (docs/contracts.md)")
p.add_argument("--kind", required=True, choices=sorted(KINDS))
p.add_argument("--out", required=True, help="model directory: model.onnx, bundle.json, ckpt.pt")
p.add_argument("--epochs", type=int, default=10, help="maximum epochs; early stopping may end sooner")
p.add_argument("--seed", type=int, default=1)
p.add_argument("--context", type=int, default=None, help="previous events per entity (kind default otherwise)")
p.add_argument("--min-count", type=int, default=2, help="values seen fewer times become <oov>")
p.add_argument("--no-hour-token", action="store_true")
p.add_argument("--meta", default=None, help="JSON with keys copied into bundle.json (format, adapter_options, entity_key)")
p.add_argument("--batch-size", type=int, default=512)
p.add_argument("--lr", type=float, default=3e-3, help="peak AdamW learning rate")
p.add_argument("--weight-decay", type=float, default=0.01)
p.add_argument("--max-events", type=int, default=None, help="use only the first N events")
p.add_argument("--held-out", default=None, metavar="ORIGIN,BLOCK,EVERY",
               help="leave out the caller's held-out set (the fusion step): events in every EVERY-th block of BLOCK "
                    "seconds from ORIGIN, i.e. floor((time - ORIGIN) / BLOCK) % EVERY == 0 (src/train/fit-fusion.ts)")
p.add_argument("--val-fraction", type=float, default=0.1, help="held-out share for early stopping and calibration")
p.add_argument("--patience", type=int, default=2, help="epochs without held-out improvement before stopping")
p.add_argument("--steps-per-epoch", type=int, default=150, help="cap on optimizer steps per epoch (bounds training time)")
p.add_argument("--config", default=None, help='JSON object overriding model config defaults, e.g. \'{"n_embd": 32}\'')
p.add_argument("--threads", type=int, default=2)
p.add_argument("--acceptance-rate", type=float, default=None,
               help="expected share of anomalous events in normal traffic: the threshold on anomaly_score is the (1 - R) "
                    "quantile of the held-out events' scores (default: export's fixed threshold)")
p.add_argument("--init", default=None, metavar="CKPT",
               help="warm start (rolling retraining): grow this checkpoint's vocabulary and carry its weights (models/warm_start.py)")
p.add_argument("--init-lr-scale", type=float, default=1.0,
               help="with --init: peak learning rate = --lr times this (a warm start needs smaller steps to keep what it knows)")
p.add_argument("--version", default=None, help="the bundle's version (default: the export time, YYYYMMDDTHHMMSSZ)")
args = p.parse_args()

t_start = time.time()
torch.manual_seed(args.seed)
np.random.seed(args.seed)
torch.use_deterministic_algorithms(True)
torch.set_num_threads(args.threads)
config_cls, model_cls = KINDS[args.kind]
if args.epochs < 1:
    fail("--epochs must be >= 1")
if args.acceptance_rate is not None and not 0 < args.acceptance_rate < 1:
    fail("--acceptance-rate must be in (0, 1)")
if not 0 < args.val_fraction < 1:
    fail("--val-fraction must be in (0, 1)")
meta = {}
if args.meta:
    with open(args.meta, encoding="utf-8") as fh:
        meta = json.load(fh)
    if not isinstance(meta, dict):
        fail(f"--meta {args.meta}: expected a JSON object")
overrides = json.loads(args.config) if args.config else {}
config_keys = {f.name for f in dataclasses.fields(config_cls)}
known = config_keys - {"vocab_sizes", "context", "field_names"}
if set(overrides) - known:
    fail(f"--config: unknown key(s) {sorted(set(overrides) - known)} for {args.kind} (known: {sorted(known)}; "
         "seqsentry train's --width sets n_embd, --layers n_layer)")

# ---------------------------------------------------------------- data
try:
    events = read_events(args.events)
except (OSError, EventsFileError) as e:
    fail(str(e))
n_all = len(events)
if args.max_events is not None and args.max_events < n_all:
    events.entities = events.entities[: args.max_events]
    events.times = events.times[: args.max_events]
    events.columns = [c[: args.max_events] for c in events.columns]
held_out = None
if args.held_out is not None:
    try:
        origin, block, every = (float(x) for x in args.held_out.split(","))
    except ValueError:
        fail(f"--held-out {args.held_out!r}: expected ORIGIN,BLOCK,EVERY (three numbers)")
    if not (block > 0 and every >= 2 and every == int(every)):
        fail(f"--held-out {args.held_out!r}: BLOCK must be > 0 and EVERY an integer >= 2")
    held_out = {"origin": origin, "block": block, "every": int(every)}
    # The caller keeps these blocks as its own held-out set; they must not shape vocabulary or weights. The same
    # float64 arithmetic as the TypeScript rule, so both sides pick the same events.
    keep = np.flatnonzero(np.floor((events.times - origin) / block) % int(every) != 0)
    events.entities = [events.entities[i] for i in keep]
    events.times = events.times[keep]
    events.columns = [[c[i] for i in keep] for c in events.columns]
n = len(events)
if n < 20:
    fail(f"{args.events}: only {n} events, too few to train on")
hour_on = not args.no_hour_token
fields = model_fields(events.fields, hour_on)
columns = model_columns(events.columns, events.times, hour_on)
# the vocabulary comes from the training file only (held-out rows included: they are training-side data); a warm
# start grows the previous window's instead, by the counts over every window so far
prev = torch.load(args.init, map_location="cpu", weights_only=True) if args.init else None
if prev is not None:
    try:
        check_compatible(prev, args.kind, fields, hour_on, config_cls.context if args.context is None else args.context, args.init)
    except WarmStartError as e:
        fail(str(e))
    vocab, vocab_counts = grow_vocab(prev["tokenizer"], prev.get("vocab_counts") or {}, fields, columns, args.min_count)
else:
    vocab, vocab_counts = build_vocab(fields, columns, args.min_count), column_counts(fields, columns)
tokenizer = make_tokenizer(fields, hour_on, args.min_count, vocab)
ids = encode_columns(tokenizer, columns)                    # (N, F)
del columns
# rows in canonical order before the split and the batches draw on positions: the same events train the same model
canon = canonical_rows(events.entities, events.times, ids)  # (N,)
ids, events.times = ids[canon], events.times[canon]
events.entities = [events.entities[i] for i in canon]

context = config_cls.context if args.context is None else args.context
if not model_cls.uses_context and context != 0:
    fail(f"--context {context}: {args.kind} scores each event on its own; use --context 0 or leave it out")
if context < 0:
    fail("--context must be >= 0")
data = ContextData(ids, context_index(events.entities, context, events.times, ids))
train_rows, val_rows = split(n, args.val_fraction, args.seed)

filled = {"vocab_sizes": tuple(len(tokenizer["vocab"][f]) for f in fields), "context": context}
if "field_names" in config_keys:
    filled["field_names"] = tuple(fields)
if "skip_fields" in config_keys and "skip_fields" not in overrides:
    # a kind that reads what an event looks like, not who it is about, leaves the adapter's entity fields out
    filled["skip_fields"] = tuple(f for f in meta.get("entity_fields", []) if f in fields)
if prev is not None:
    # the previous window's architecture, whatever --config says: its weights only fit that shape
    overrides = {k: v for k, v in prev["config"].items() if k in known}
config = config_cls(**{**overrides, **filled})
if hasattr(config, "n_head") and config.n_embd % config.n_head:
    # each head reads n_embd / n_head of the width; a remainder fails later inside a reshape, far from its cause
    fail(f"--config n_embd {config.n_embd} (seqsentry train --width): not a multiple of the {config.n_head} heads of {args.kind}")
model = model_cls(config)
if prev is not None:
    try:
        carry_weights(model, prev["model"], prev["config"], {**dataclasses.asdict(config), "vocab_sizes": list(config.vocab_sizes)})
    except WarmStartError as e:
        fail(f"--init {args.init}: {e}")

# ---------------------------------------------------------------- optimizer, schedule
if prev is not None:
    args.lr = args.lr * args.init_lr_scale
batch_size = min(args.batch_size, len(train_rows))
steps_per_epoch = max(1, min(math.ceil(len(train_rows) / batch_size), args.steps_per_epoch))
total_steps = steps_per_epoch * args.epochs
warmup = min(100, total_steps // 10)
decay, no_decay = [], []
for name, param in model.named_parameters():
    (decay if param.dim() >= 2 and "wte" not in name and "wpe" not in name and "wfe" not in name else no_decay).append(param)
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
                              lr=args.lr, betas=(0.9, 0.99))


def lr_at(step):
    """Linear warmup, then cosine decay to 10% of the peak over the planned steps."""
    if step < warmup:
        return args.lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, total_steps - warmup)
    return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


@torch.no_grad()
def surprisal_of(rows, batch=4096):
    """Per-field surprisal of the given events in eval mode: (len(rows), F) float64 numpy."""
    model.eval()
    out = [model(torch.from_numpy(data.tokens(rows[i:i + batch])))[0].double().numpy() for i in range(0, len(rows), batch)]
    return np.concatenate(out)


# ---------------------------------------------------------------- training loop
# before any step: what the starting weights (fresh or carried forward) make of this data's held-out events
initial_val_loss = float(surprisal_of(val_rows).mean())
epoch_losses = []
rng = np.random.default_rng(args.seed)
order, cursor = rng.permutation(train_rows), 0
best_loss, best_epoch, best_state, best_val = math.inf, 0, None, None
step, epochs_run, since_best = 0, 0, 0
log_every = max(1, steps_per_epoch // 20)
for epoch in range(1, args.epochs + 1):
    t_epoch = time.time()
    model.train()
    losses = []
    for i in range(steps_per_epoch):
        if cursor + batch_size > len(order):          # a capped epoch continues where the last one stopped
            order, cursor = rng.permutation(train_rows), 0
        rows = order[cursor:cursor + batch_size]
        cursor += batch_size
        tokens = torch.from_numpy(data.tokens(rows))   # (B, C+1, F)
        surprisal, _ = model(tokens)                   # (B, F)
        loss = model.training_loss(surprisal)
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        step += 1
        losses.append(loss.item())
        if (i + 1) % log_every == 0 or i + 1 == steps_per_epoch:
            emit({"type": "step", "epoch": epoch, "step": i + 1, "steps": steps_per_epoch})
    val = surprisal_of(val_rows)                       # (N_val, F)
    val_loss = float(val.mean())
    epochs_run = epoch
    epoch_losses.append({"train": float(np.mean(losses)), "val": val_loss})
    emit({"type": "epoch", "epoch": epoch, "epochs": args.epochs, "train_loss": float(np.mean(losses)),
          "val_loss": val_loss, "seconds": round(time.time() - t_epoch, 3)})
    if val_loss < best_loss:
        best_loss, best_epoch, best_val, since_best = val_loss, epoch, val, 0
        best_state = copy.deepcopy(model.state_dict())
    else:
        since_best += 1
        if since_best >= args.patience:
            break

# ---------------------------------------------------------------- checkpoint + export
model.load_state_dict(best_state)
field_weights, raw_scores = RULES[RAW_SCORE[args.kind]]
weights = field_weights(best_val)                      # (F,) from the held-out events of the best epoch
raw = raw_scores(best_val, weights)                    # (N_val,) the raw scores calibration ranks against
os.makedirs(args.out, exist_ok=True)
checkpoint = {
    "kind": args.kind,
    "config": {**dataclasses.asdict(config), "vocab_sizes": list(config.vocab_sizes)},
    "model": model.state_dict(),
    "tokenizer": tokenizer,
    "context_length": context,
    "meta": meta,
    "vocab_counts": vocab_counts,
    "version": args.version,
    "val_raw": torch.from_numpy(raw),
    # anomaly_score is the calibrated rank among these same held-out raw scores, so the (1 - R) quantile of the
    # held-out events' scores is 1 - R on that scale; the raw value it stands for is kept for the record
    "acceptance": None if args.acceptance_rate is None else {
        "rate": args.acceptance_rate, "threshold": 1.0 - args.acceptance_rate,
        "raw_threshold": float(np.quantile(raw, 1.0 - args.acceptance_rate)), "held_out": int(len(raw))},
    "field_weights": weights.tolist(),
    "val_field_mean": dict(zip(fields, best_val.mean(axis=0).tolist())),
    "training": {
        "events": n, "train_events": int(len(train_rows)), "val_events": int(len(val_rows)),
        "epochs_run": epochs_run, "best_epoch": best_epoch, "best_val_loss": best_loss, "seed": args.seed,
        "seconds": round(time.time() - t_start, 3), "data_sha256": events.sha256,
        "events_in_file": n_all, "held_out": held_out, "batch_size": batch_size, "steps_per_epoch": steps_per_epoch, "lr": args.lr,
        "initial_val_loss": initial_val_loss, "epoch_losses": epoch_losses, "warm_start": args.init is not None,
    },
}
ckpt_path = os.path.join(args.out, "ckpt.pt")
torch.save(checkpoint, ckpt_path)
bundle_path = export_bundle(ckpt_path, args.out)
emit({"type": "done", "bundle": os.path.abspath(bundle_path)})
