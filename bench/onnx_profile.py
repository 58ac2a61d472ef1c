"""Profiles an exported bundle's model.onnx per operator with onnxruntime's profiler.

    .venv/bin/python bench/onnx_profile.py --model-dir DIR [--batch 1024] [--runs 20] [--threads 2] [--top 15]

Runs --runs batches of random ids drawn from the bundle's vocabularies (a quarter of the context rows <pad>, as
models/bench_onnx.py does) and prints one JSON line per operator type and per node, the busiest first: total
microseconds of kernel time per event, share of all kernel time, node count. Kernel time is summed over the
runs' "Node" events of the trace, so it counts each node once however many threads ran it.
"""
import argparse
import collections
import json
import os
import sys

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models"))
from bench_onnx import random_tokens  # noqa: E402


def kernel_times(trace):
    """Trace events -> {(op type, node name): total µs} over the "Node" kernel events."""
    out = collections.Counter()
    for ev in trace:
        if ev.get("cat") != "Node" or not ev.get("name", "").endswith("_kernel_time"):
            continue
        node = ev["name"][: -len("_kernel_time")]
        out[(ev["args"].get("op_name", "?"), node)] += ev["dur"]
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model-dir", required=True)
    p.add_argument("--batch", type=int, default=1024)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--top", type=int, default=15, help="nodes printed")
    a = p.parse_args()
    with open(os.path.join(a.model_dir, "bundle.json"), encoding="utf-8") as fh:
        bundle = json.load(fh)
    sizes = [len(bundle["tokenizer"]["vocab"][f]) for f in bundle["tokenizer"]["fields"]]
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = a.threads
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # no spinning: a spinning worker's wait counts inside its node's kernel time on a busy machine
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.enable_profiling = True
    opts.profile_file_prefix = os.path.join(os.environ.get("TMPDIR", "/tmp"), "seqsentry-ort-profile")
    sess = ort.InferenceSession(os.path.join(a.model_dir, bundle["onnx"]["file"]), opts,
                                providers=["CPUExecutionProvider"])
    x = random_tokens(np.random.default_rng(0), a.batch, bundle["context_length"] + 1, sizes)
    sess.run(None, {"tokens": x})                                  # warm-up run, dropped below
    os.remove(sess.end_profiling())
    sess = ort.InferenceSession(os.path.join(a.model_dir, bundle["onnx"]["file"]), opts,
                                providers=["CPUExecutionProvider"])
    for _ in range(a.runs + 1):
        sess.run(None, {"tokens": x})
    path = sess.end_profiling()
    with open(path, encoding="utf-8") as fh:
        trace = json.load(fh)
    os.remove(path)
    runs = [ev for ev in trace if ev.get("cat") == "Session" and ev.get("name") == "model_run"]
    first_end = runs[0]["ts"] + runs[0]["dur"]                      # the first run warms kernels: left out
    times = kernel_times(ev for ev in trace if ev.get("ts", 0) > first_end)
    events = a.batch * a.runs
    total = sum(times.values())
    wall = sum(r["dur"] for r in runs[1:])
    by_type = collections.Counter()
    count = collections.Counter()
    for (op, _), us in times.items():
        by_type[op] += us
        count[op] += 1
    emit = lambda rec: sys.stdout.write(json.dumps(rec) + "\n")  # noqa: E731
    emit({"type": "run", "batch": a.batch, "runs": a.runs, "wall_us_per_event": round(wall / events, 2),
          "kernel_us_per_event": round(total / events, 2), "nodes": len(times)})
    for op, us in by_type.most_common():
        emit({"type": "op", "op": op, "us_per_event": round(us / events, 3), "share": round(us / total, 3),
              "nodes": count[op]})
    for (op, node), us in times.most_common(a.top):
        emit({"type": "node", "op": op, "node": node, "us_per_event": round(us / events, 3),
              "share": round(us / total, 3)})


if __name__ == "__main__":
    main()
