"""Measures onnxruntime throughput (events/s) of a model kind, untrained, on a realistic vocabulary.

    python models/bench_onnx.py --kind transformer-mlm [--config '{"n_embd": 64}'] [--batches 1,64,1024]
or of an exported bundle:
    python models/bench_onnx.py --model-dir DIR

Prints one JSON line per batch size. Default vocabulary: LANL-like, F = 9 (8 fields + hour), ~2,000 ids.
"""
import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export import export_onnx  # noqa: E402
from registry import CONTRACTS, KINDS  # noqa: E402

SPIN = os.environ.get("SEQSENTRY_ORT_SPIN", "1") == "1"
LANL_LIKE = (700, 750, 300, 150, 12, 10, 6, 4, 26)  # src_user dst_user src_host dst_host auth logon orient success hour


def session(path, threads):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if not SPIN:  # spinning workers make a shared, busy machine much slower; an idle one slightly faster
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def random_tokens(rng, b, rows, sizes):
    x = np.stack([rng.integers(1, v, size=(b, rows)) for v in sizes], axis=-1).astype(np.int64)  # (B, C+1, F)
    if rows > 1:  # about a quarter of the context rows are padding, as for entities with short histories
        pad = rng.random((b, rows - 1)) < 0.25
        x[:, :-1][pad] = 0
    return x


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kind", choices=sorted(KINDS))
    p.add_argument("--model-dir")
    p.add_argument("--config", default="{}")
    p.add_argument("--context", type=int, default=None)
    p.add_argument("--batches", default="1,64,1024")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seconds", type=float, default=3.0, help="time spent per batch size")
    a = p.parse_args()
    if a.model_dir:
        with open(os.path.join(a.model_dir, "bundle.json"), encoding="utf-8") as fh:
            bundle = json.load(fh)
        path = os.path.join(a.model_dir, bundle["onnx"]["file"])
        sizes = [len(bundle["tokenizer"]["vocab"][f]) for f in bundle["tokenizer"]["fields"]]
        rows, kind = bundle["context_length"] + 1, bundle["kind"]
    else:
        import torch
        torch.manual_seed(0)
        config_cls, model_cls = KINDS[a.kind]
        context = config_cls.context if a.context is None else a.context
        cfg = config_cls(**{**json.loads(a.config), "vocab_sizes": LANL_LIKE, "context": context})
        model = model_cls(cfg)
        path = os.path.join(tempfile.mkdtemp(), "model.onnx")
        export_onnx(model, path, context, len(LANL_LIKE), CONTRACTS[a.kind])
        sizes, rows, kind = LANL_LIKE, context + 1, a.kind
    sess = session(path, a.threads)
    rng = np.random.default_rng(0)
    for b in (int(s) for s in a.batches.split(",")):
        x = random_tokens(rng, b, rows, sizes)
        sess.run(None, {"tokens": x})
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < a.seconds:
            sess.run(None, {"tokens": x})
            n += 1
        dt = time.perf_counter() - t0
        sys.stdout.write(json.dumps({"kind": kind, "config": json.loads(a.config), "batch": b,
                                     "events_per_s": round(n * b / dt), "ms_per_batch": round(1000 * dt / n, 3)}) + "\n")


if __name__ == "__main__":
    main()
