"""Compares two exported bundles' model.onnx on the same batch, run after run: CPU and wall µs per event.

    .venv/bin/python bench/onnx_pairs.py --before DIR --after DIR [--batch 1024] [--runs 60] [--threads 2]
        [--after-threads N]

--after may name the same bundle as --before with --after-threads set, to compare intra-op thread counts.
Both sessions live in one process and take turns (before/after, then after/before, ...), so a busy machine's load
falls on both alike; the batch is random ids from the before bundle's vocabularies (models/bench_onnx.py). Prints
one JSON line per bundle: median and 25th percentile of CPU time (every thread of the process) and of wall time per
event, and the load average at the start and the end.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models"))
from bench_onnx import random_tokens  # noqa: E402


def open_bundle(model_dir, threads):
    with open(os.path.join(model_dir, "bundle.json"), encoding="utf-8") as fh:
        bundle = json.load(fh)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # a spinning worker burns CPU while it waits, which would count against whichever session runs next
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    sess = ort.InferenceSession(os.path.join(model_dir, bundle["onnx"]["file"]), opts,
                                providers=["CPUExecutionProvider"])
    return bundle, sess


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--before", required=True)
    p.add_argument("--after", required=True)
    p.add_argument("--batch", type=int, default=1024)
    p.add_argument("--runs", type=int, default=60, help="runs of each bundle")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--after-threads", type=int, default=None, help="the after session's intra-op threads (default --threads)")
    a = p.parse_args()
    bundle, before = open_bundle(a.before, a.threads)
    after_threads = a.after_threads or a.threads
    _, after = open_bundle(a.after, after_threads)
    sizes = [len(bundle["tokenizer"]["vocab"][f]) for f in bundle["tokenizer"]["fields"]]
    x = random_tokens(np.random.default_rng(0), a.batch, bundle["context_length"] + 1, sizes)
    sessions = (before, after)
    for s in sessions:
        s.run(None, {"tokens": x})
    load0 = os.getloadavg()[0]
    cpu, wall = ([], []), ([], [])
    for r in range(a.runs):
        for i in (r % 2, 1 - r % 2):
            c0, t0 = time.process_time(), time.perf_counter()
            sessions[i].run(None, {"tokens": x})
            cpu[i].append(1e6 * (time.process_time() - c0) / a.batch)
            wall[i].append(1e6 * (time.perf_counter() - t0) / a.batch)
    load1 = os.getloadavg()[0]
    for i, (name, model_dir, threads) in enumerate((("before", a.before, a.threads), ("after", a.after, after_threads))):
        sys.stdout.write(json.dumps({
            "bundle": name, "model_dir": model_dir, "batch": a.batch, "runs": a.runs, "threads": threads,
            "cpu_us_per_event": round(float(np.median(cpu[i])), 2), "cpu_p25": round(float(np.percentile(cpu[i], 25)), 2),
            "wall_us_per_event": round(float(np.median(wall[i])), 2), "wall_p25": round(float(np.percentile(wall[i], 25)), 2),
            "load_average": [round(load0, 2), round(load1, 2)]}) + "\n")


if __name__ == "__main__":
    main()
