"""drain3's Drain (the reference for bench/templates.mjs --drain3): groups each sample's messages with drain3's
default parameters (depth 4, sim_th 0.4, max_children 100) and writes, per sample, every message's cluster id and
the time taken. drain3 comes from the environment (`pip install drain3`); the grouping accuracy is computed on the
Node side, by the same function as SeqSentry's own templates.

Usage: python bench/templates_drain3.py IN.json OUT.json, IN = {"sample": ["message", ...], ...}.
"""
import json
import sys
import time

from drain3.drain import Drain


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        samples = json.load(f)
    out = {}
    for name, messages in samples.items():
        drain = Drain()  # drain3's defaults
        t0 = time.perf_counter()
        ids = [drain.add_log_message(m)[0].cluster_id for m in messages]
        seconds = time.perf_counter() - t0
        out[name] = {"clusters": len(set(ids)), "ids": [str(i) for i in ids], "seconds": seconds}
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
