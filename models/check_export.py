"""Checks that an exported model.onnx gives the PyTorch checkpoint's numbers.

    python models/check_export.py --model-dir DIR [--events E.tsv] [--batch 512]
    python models/check_export.py --train-tiny --kind KIND --events E.tsv [--model-dir DIR]

Runs one batch (the events' real contexts when --events is given, random ids otherwise) through the
checkpoint (DIR/ckpt.pt) in PyTorch and through DIR/model.onnx in onnxruntime, at batch 1 and the full
batch, and checks bundle.json's sha256. Prints one JSON line; exits 1 when max |surprisal diff| > 1e-4,
any expected id differs or the sha256 does not match. --train-tiny first trains a small model (1 epoch,
at most 3,000 events) into DIR (a temporary directory unless given).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see train.py
import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import ContextData, context_index, read_events  # noqa: E402
from export import load_checkpoint, sha256_file  # noqa: E402
from vocab import encode_columns, model_columns  # noqa: E402

TOLERANCE = 1e-4


def batch_from_events(path, tokenizer, context, size):
    ev = read_events(path)
    ids = encode_columns(tokenizer, model_columns(ev.columns, ev.times, tokenizer["hour_token"]))
    data = ContextData(ids, context_index(ev.entities, context, ev.times, ids))
    rows = np.unique(np.linspace(0, len(data) - 1, min(size, len(data))).round().astype(np.int64))
    return data.tokens(rows)


def random_batch(tokenizer, context, size, seed=0):
    rng = np.random.default_rng(seed)
    sizes = [len(tokenizer["vocab"][f]) for f in tokenizer["fields"]]
    x = np.stack([rng.integers(1, v, size=(size, context + 1)) for v in sizes], axis=-1)  # (B, C+1, F)
    if context:
        x[:, :-1][rng.random((size, context)) < 0.3] = 0                                    # some padded rows
    return x.astype(np.int64)


def near_tie_free_mismatches(model, x, e_pt, e_ort):
    """Positions where the two runtimes expect different values, less near ties: those where PyTorch gives
    onnxruntime's choice the same probability as its own to TOLERANCE (float32 sums decide such ties either way)."""
    rows, fields = np.nonzero(e_pt != e_ort)
    if len(rows) == 0:
        return 0
    def surprisal_of(values):
        y = x[rows].copy()                                      # (M, C+1, F)
        y[np.arange(len(rows)), -1, fields] = values[rows, fields]
        with torch.no_grad():
            s, _ = model(torch.from_numpy(y))
        return s.numpy()[np.arange(len(rows)), fields]
    gap = np.abs(surprisal_of(e_ort) - surprisal_of(e_pt))
    return int((gap > TOLERANCE).sum())


def main():
    p = argparse.ArgumentParser(description="Compare PyTorch and onnxruntime outputs of an exported model.")
    p.add_argument("--model-dir")
    p.add_argument("--events")
    p.add_argument("--batch", type=int, default=512)
    p.add_argument("--train-tiny", action="store_true")
    p.add_argument("--kind")
    a = p.parse_args()
    if a.train_tiny:
        if not (a.kind and a.events):
            p.error("--train-tiny needs --kind and --events")
        a.model_dir = a.model_dir or tempfile.mkdtemp(prefix="seqsentry-check-")
        trainer = os.path.join(os.path.dirname(os.path.abspath(__file__)), "train.py")
        subprocess.run([sys.executable, trainer, "--events", a.events, "--kind", a.kind, "--out", a.model_dir,
                        "--epochs", "1", "--max-events", "3000", "--steps-per-epoch", "20"],
                       check=True, stdout=subprocess.DEVNULL)
    if not a.model_dir:
        p.error("--model-dir is required (or --train-tiny)")

    torch.set_num_threads(2)
    with open(os.path.join(a.model_dir, "bundle.json"), encoding="utf-8") as fh:
        bundle = json.load(fh)
    onnx_path = os.path.join(a.model_dir, bundle["onnx"]["file"])
    ckpt, model = load_checkpoint(os.path.join(a.model_dir, "ckpt.pt"))
    tok, context = ckpt["tokenizer"], ckpt["context_length"]
    if a.events:
        x = batch_from_events(a.events, tok, context, a.batch)
    else:
        x = random_batch(tok, context, a.batch)

    with torch.no_grad():
        s_pt, e_pt = (t.numpy() for t in model(torch.from_numpy(x)))
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    sess = ort.InferenceSession(onnx_path, opts, providers=["CPUExecutionProvider"])
    s_ort, e_ort = sess.run(["surprisal", "expected"], {"tokens": x})
    s_one, e_one = sess.run(["surprisal", "expected"], {"tokens": x[:1]})           # batch 1: dynamic axis works
    diff = float(max(np.abs(s_pt - s_ort).max(), np.abs(s_pt[:1] - s_one).max()))
    mismatch = near_tie_free_mismatches(model, x, e_pt, e_ort) + near_tie_free_mismatches(model, x[:1], e_pt[:1], e_one)
    sha_ok = sha256_file(onnx_path) == bundle["onnx"]["sha256"]
    shapes_ok = s_ort.shape == x.shape[::2] and s_ort.dtype == np.float32 and e_ort.dtype == np.int64
    ok = diff <= TOLERANCE and mismatch == 0 and sha_ok and shapes_ok and bool(np.isfinite(s_ort).all())
    sys.stdout.write(json.dumps({"type": "check", "kind": ckpt["kind"], "model_dir": os.path.abspath(a.model_dir),
                                 "batch": int(x.shape[0]), "max_abs_diff": diff, "expected_mismatches": mismatch,
                                 "sha256_ok": sha_ok, "shapes_ok": shapes_ok, "ok": ok}) + "\n")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
