"""Clustering vocabulary for Zeek records: one token per record, its log type's nearest cluster.

`fit` reads the feature rows SeqSentry sampled per log type (src/tokenizer/zeek-cluster/sample.ts: numbers and
categories, null when absent), computes the Gower-style distance matrix, clusters it with HDBSCAN (scikit-learn's,
on the precomputed matrix), and writes vocab.json: per log type the feature spec, the numeric ranges, each cluster's
medoid and radius (its farthest member, at least --radius-floor features' worth), and the HDBSCAN noise share. `assign` gives rows their tokens by the rule
the TypeScript tokenizer uses (src/tokenizer/zeek-cluster/gower.ts): the nearest medoid, ties to the lower cluster
index, within that cluster's radius, else `<log type>:noise`. It is not HDBSCAN's approximate_predict: the rule must
be one both languages compute with the same doubles, so the distance below is summed in the same order as there.

    python models/zeek_vocab.py fit --rows rows.json --out vocab.json [--min-cluster-size 10] [--min-samples 5]
    python models/zeek_vocab.py assign --vocab vocab.json --rows rows.json --out tokens.json
"""
import argparse
import json
import time
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.cluster import HDBSCAN

SCHEMA_VERSION = 1


@dataclass
class FitConfig:
    min_cluster_size: int = 10  # fewer records than this are never a cluster (they stay noise)
    min_samples: int = 5  # HDBSCAN's density neighbourhood: higher makes more records noise
    radius_floor: float = 0.5  # least radius, in features' worth of mismatch: 0.5 lets numbers drift by half a range, no category change
    sample: int = 2000  # recorded only: the sample was drawn by SeqSentry (at most this many rows per log type)
    seed: int = 1  # recorded only: the sampler's seed


def widths_of(ranges):
    # max - min as TypeScript computes it from the same two doubles (vocab-file.ts)
    return [0.0 if r is None else r[1] - r[0] for r in ranges]


def numeric_ranges(rows, features):
    ranges = []
    for i, f in enumerate(features):
        vals = [r[i] for r in rows if r[i] is not None]
        ranges.append([float(min(vals)), float(max(vals))] if f["kind"] == "num" and vals else None)
    return ranges


def gower_matrix(rows, kinds, widths):
    """(N, N) distances; per feature the same operations as gower_distance, accumulated in feature order."""
    n, nf = len(rows), len(kinds)
    total = np.zeros((n, n))  # (N, N)
    for i, kind in enumerate(kinds):
        col = [r[i] for r in rows]
        missing = np.array([v is None for v in col])  # (N,)
        if kind == "num":
            a = np.array([np.nan if v is None else float(v) for v in col])  # (N,)
            if widths[i] > 0:
                d = np.minimum(1.0, np.abs(a[:, None] - a[None, :]) / widths[i])
            else:
                d = (a[:, None] != a[None, :]).astype(np.float64)
        else:
            codes = {}
            c = np.array([-1 if v is None else codes.setdefault(v, len(codes)) for v in col])  # (N,)
            d = (c[:, None] != c[None, :]).astype(np.float64)
        both = missing[:, None] & missing[None, :]
        one = missing[:, None] ^ missing[None, :]
        total = total + np.where(both, 0.0, np.where(one, 1.0, d))
    return total / nf if nf else total


def gower_distance(kinds, widths, a, b):
    """One distance, operation for operation as gower.ts's gowerDistance."""
    n = len(kinds)
    if n == 0:
        return 0.0
    total = 0.0
    for i in range(n):
        x, y = a[i], b[i]
        if x is None or y is None:
            d = 0.0 if x is None and y is None else 1.0
        elif kinds[i] == "num":
            w = widths[i]
            d = min(1.0, abs(x - y) / w) if w > 0 else (0.0 if x == y else 1.0)
        else:
            d = 0.0 if x == y else 1.0
        total += d
    return total / n


def fit_log_type(log_type, block, cfg):
    features, rows = block["features"], block["rows"]
    kinds = [f["kind"] for f in features]
    ranges = numeric_ranges(rows, features)
    n = len(rows)
    clusters, noise_share = [], 1.0
    if n >= max(cfg.min_cluster_size, cfg.min_samples + 1, 2):
        dist = gower_matrix(rows, kinds, widths_of(ranges))  # (N, N)
        # a sample too small to hold two clusters may still be one (11 Kerberos records alike): HDBSCAN only returns
        # the whole sample as a cluster when allowed to
        single = n < 2 * cfg.min_cluster_size
        labels = HDBSCAN(min_cluster_size=cfg.min_cluster_size, min_samples=cfg.min_samples, metric="precomputed", allow_single_cluster=single).fit_predict(dist)
        noise_share = float(np.mean(labels == -1))
        found = []
        for label in sorted(set(labels.tolist()) - {-1}):
            members = np.flatnonzero(labels == label)  # (M,) sample rows, ascending
            sums = dist[np.ix_(members, members)].sum(axis=1)
            medoid = int(members[int(np.argmin(sums))])  # first minimum: the lowest row on a tie
            # the farthest member from the medoid (the same double the scalar distance gives: same operations), but
            # never less than the floor: a cluster of identical records would otherwise take no new record at all
            radius = max(float(dist[medoid, members].max()), cfg.radius_floor / max(1, len(kinds)))
            found.append((len(members), medoid, radius))
        # largest first, then by the medoid's row: a stable order, so the same sample gives the same tokens
        found.sort(key=lambda c: (-c[0], c[1]))
        clusters = [{"token": f"{log_type}:c{k}", "size": size, "radius": radius, "medoid": rows[medoid]} for k, (size, medoid, radius) in enumerate(found)]
    return {"features": features, "ranges": ranges, "clusters": clusters, "sample": n, "noise_share": noise_share}


def assign_rows(log_type, entry, rows):
    if entry is None:
        return [f"{log_type}:unseen"] * len(rows)
    kinds = [f["kind"] for f in entry["features"]]
    widths = widths_of(entry["ranges"])
    reps = entry["clusters"]
    tokens = []
    for x in rows:
        best, best_d = -1, float("inf")
        for k, c in enumerate(reps):
            d = gower_distance(kinds, widths, x, c["medoid"])
            if d < best_d:
                best, best_d = k, d
        tokens.append(reps[best]["token"] if best >= 0 and best_d <= reps[best]["radius"] else f"{log_type}:noise")
    return tokens


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    fit = sub.add_parser("fit")
    fit.add_argument("--rows", required=True)
    fit.add_argument("--out", required=True)
    for name, value in asdict(FitConfig()).items():
        fit.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    assign = sub.add_parser("assign")
    assign.add_argument("--vocab", required=True)
    assign.add_argument("--rows", required=True)
    assign.add_argument("--out", required=True)
    args = ap.parse_args()
    with open(args.rows, encoding="utf8") as fh:
        sample = json.load(fh)["log_types"]
    if args.cmd == "fit":
        cfg = FitConfig(**{k: getattr(args, k) for k in asdict(FitConfig())})
        out = {"schema_version": SCHEMA_VERSION, "kind": "zeek-cluster-vocab", "params": asdict(cfg), "log_types": {}}
        for log_type in sorted(sample):
            t0 = time.perf_counter()
            entry = fit_log_type(log_type, sample[log_type], cfg)
            out["log_types"][log_type] = entry
            print(json.dumps({"type": "log_type", "log_type": log_type, "sample": entry["sample"], "clusters": len(entry["clusters"]), "noise_share": entry["noise_share"], "seconds": time.perf_counter() - t0}), flush=True)
        with open(args.out, "w", encoding="utf8") as fh:
            json.dump(out, fh)
        print(json.dumps({"type": "done", "vocab": args.out}), flush=True)
    else:
        with open(args.vocab, encoding="utf8") as fh:
            vocab = json.load(fh)["log_types"]
        tokens = {lt: assign_rows(lt, vocab.get(lt), block["rows"]) for lt, block in sample.items()}
        with open(args.out, "w", encoding="utf8") as fh:
            json.dump({"log_types": tokens}, fh)


if __name__ == "__main__":
    main()
