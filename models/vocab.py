"""Word-level per-field vocabularies, the hour token and encoding, exactly as docs/contracts.md says.

src/tokenizer/vocab.ts must give the same ids; the golden parity test runs this file's CLI:
    python models/vocab.py --events E.tsv --min-count 2 [--no-hour-token] --out OUT.json
which writes {"vocab": {field: [words...]}, "ids": [[ids of event 0], ...]}.
"""
import argparse
import json
import math
from collections import Counter

import numpy as np

PAD, OOV = "<pad>", "<oov>"
PAD_ID, OOV_ID = 0, 1
HOUR_FIELD = "hour"


def hour_token(time):
    """floor(time / 3600) mod 24 as a decimal string; Python's % is already non-negative for a positive divisor."""
    return str(math.floor(time / 3600) % 24)


def model_fields(adapter_fields, hour_on):
    return list(adapter_fields) + ([HOUR_FIELD] if hour_on else [])


def model_columns(columns, times, hour_on):
    """Per-field value columns in model-field order: the adapter fields, then the hour column when on."""
    if not hour_on:
        return list(columns)
    return list(columns) + [[hour_token(t) for t in times]]


def build_vocab(fields, columns, min_count):
    """columns[f] = every training value of field f. Returns {field: ["<pad>", "<oov>", v2, ...]} (index = id)."""
    vocab = {}
    for field, values in zip(fields, columns):
        counts = Counter(values)
        kept = [v for v, c in counts.items() if c >= min_count]
        # count descending, then value ascending in UTF-16 code units (JS string `<`)
        kept.sort(key=lambda v: (-counts[v], v.encode("utf-16-be")))
        vocab[field] = [PAD, OOV] + kept
    return vocab


def make_tokenizer(fields, hour_on, min_count, vocab):
    """The bundle's `tokenizer` object."""
    return {"fields": list(fields), "hour_token": bool(hour_on), "min_count": int(min_count), "vocab": vocab}


def encode_columns(tokenizer, columns):
    """columns in model-field order -> (N, F) int64 ids; unknown values give <oov>."""
    fields = tokenizer["fields"]
    n = len(columns[0]) if columns else 0
    ids = np.empty((n, len(fields)), dtype=np.int64)
    for f, field in enumerate(fields):
        # ids 0 and 1 are reserved: a raw value spelled "<pad>" still encodes as a value or <oov>
        lookup = {w: i for i, w in enumerate(tokenizer["vocab"][field]) if i >= 2}
        ids[:, f] = np.fromiter((lookup.get(v, OOV_ID) for v in columns[f]), dtype=np.int64, count=n)
    return ids


def main():
    # local import: data.py imports this module
    from data import read_events

    p = argparse.ArgumentParser(description="Build the vocabulary of an events TSV and encode it (golden parity).")
    p.add_argument("--events", required=True)
    p.add_argument("--min-count", type=int, default=2)
    p.add_argument("--no-hour-token", action="store_true")
    p.add_argument("--out", required=True)
    args = p.parse_args()

    ev = read_events(args.events)
    hour_on = not args.no_hour_token
    fields = model_fields(ev.fields, hour_on)
    columns = model_columns(ev.columns, ev.times, hour_on)
    tok = make_tokenizer(fields, hour_on, args.min_count, build_vocab(fields, columns, args.min_count))
    ids = encode_columns(tok, columns)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump({"vocab": tok["vocab"], "ids": ids.tolist()}, fh, ensure_ascii=False)


if __name__ == "__main__":
    main()
