"""Exports a training checkpoint to model.onnx + bundle.json (docs/contracts.md: ONNX I/O, model bundle).

    python models/export.py --ckpt MODEL_DIR/ckpt.pt [--out MODEL_DIR]

train.py calls export_bundle() at the end; this file also works on its own from any checkpoint.
"""
import argparse
import datetime
import hashlib
import json
import math
import os
import sys
import warnings

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from registry import CONTRACTS, build_model  # noqa: E402

SCHEMA_VERSION = 6  # 3: optional fusion added by seqsentry train; 4: its pairs one component, tails fitted leave-one-out;
#                     5: its novelty backs new partners off to their popularity; 6: optional screen (a cascade)
OPSET = 17
THRESHOLD = 0.999
MAX_CALIBRATION_POINTS = 2000
# bundle keys that export computes; META.json may not set them
COMPUTED_KEYS = ("schema_version", "kind", "version", "created_at", "context_length", "tokenizer", "onnx",
                 "field_weights", "calibration", "threshold", "training", "metrics")


def calibration(raw, uniform=1000, tail=1000):
    """Quantile table of held-out raw scores: levels i/n at chosen ranks i, denser in the top tail.

    Ranks: ~`uniform` evenly spaced over all n, plus ~`tail` spaced geometrically from the top, so the 0.99+
    region keeps its detail. Always includes rank 0 (level 0) and rank n-1 (level (n-1)/n).
    tail_scale: the exponential tail's scale, from exceedances over the 99th percentile (median excess / ln 2,
    which is the exponential's scale and is robust to a few extreme held-out events).
    """
    x = np.sort(np.asarray(raw, dtype=np.float64))
    n = len(x)
    ranks = np.unique(np.concatenate([
        np.round(np.linspace(0, n - 1, min(n, uniform))),
        n - np.round(np.geomspace(1, n, min(n, tail))),
        [0, n - 1],
    ]).astype(np.int64).clip(0, n - 1))
    if len(ranks) < 2:                                   # a single held-out event: a flat two-point table
        ranks = np.array([0, 0])
    top = x[int(math.floor(0.99 * (n - 1))):]
    excess = top - top[0]
    scale = float(np.median(excess[excess > 0]) / math.log(2)) if np.any(excess > 0) else 0.0
    if not scale > 0:
        scale = float(x.std()) if x.std() > 0 else 1.0
    return {
        "levels": [float(r / n) for r in ranks],
        "values": [float(v) for v in x[ranks]],
        "tail_scale": max(scale, 1e-3),
        "n": int(n),
    }


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export_onnx(model, path, context, n_fields, contract):
    """Traces the model on a dummy batch with the names of its kind's contract (kinds.json); batch is the only
    dynamic axis."""
    model.eval()
    dummy = torch.ones(2, context + 1, n_fields, dtype=torch.int64)     # (B, C+1, F)
    inputs = [t["name"] for t in contract["inputs"]]
    outputs = [t["name"] for t in contract["outputs"]]
    with warnings.catch_warnings():
        # the TorchScript exporter is deprecated in favour of dynamo, which needs onnxscript (not installed)
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (dummy,), path, dynamo=False, opset_version=OPSET,
                          input_names=inputs, output_names=outputs,
                          dynamic_axes={name: {0: "batch"} for name in inputs + outputs})
    return inputs, outputs


def load_checkpoint(ckpt_path):
    ckpt = torch.load(ckpt_path, map_location="cpu", weights_only=True)
    model = build_model(ckpt["kind"], ckpt["config"])
    model.load_state_dict(ckpt["model"])
    model.eval()
    return ckpt, model


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def export_bundle(ckpt_path, out_dir):
    """Writes out_dir/model.onnx then out_dir/bundle.json (last, so a watcher never sees a bundle without its model)."""
    ckpt, model = load_checkpoint(ckpt_path)
    tok = ckpt["tokenizer"]
    meta = dict(ckpt.get("meta") or {})
    clash = [k for k in meta if k in COMPUTED_KEYS]
    if clash:
        raise ValueError(f"meta sets bundle key(s) {clash} that export computes")
    os.makedirs(out_dir, exist_ok=True)
    onnx_path = os.path.join(out_dir, "model.onnx")
    inputs, outputs = export_onnx(model, onnx_path + ".tmp", ckpt["context_length"], len(tok["fields"]), CONTRACTS[ckpt["kind"]])
    os.replace(onnx_path + ".tmp", onnx_path)

    raw = ckpt["val_raw"].double().numpy()
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    bundle = {
        "schema_version": SCHEMA_VERSION,
        "kind": ckpt["kind"],
        "name": f"seqsentry-{ckpt['kind']}",
        "version": ckpt.get("version") or now.strftime("%Y%m%dT%H%M%SZ"),
        "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "format": "events-tsv",
        "adapter_options": {},
        "entity_key": "entity",
        **meta,
        "context_length": int(ckpt["context_length"]),
        "tokenizer": tok,
        "onnx": {"file": "model.onnx", "sha256": sha256_file(onnx_path), "inputs": inputs,
                 "outputs": outputs, "opset": OPSET},
        "field_weights": [float(w) for w in ckpt["field_weights"]],
        "calibration": calibration(raw),
        "threshold": ckpt["acceptance"]["threshold"] if ckpt.get("acceptance") else THRESHOLD,
        "training": {**ckpt["training"], "config": ckpt["config"]},
        "metrics": {
            "val_mean_raw": float(raw.mean()),
            "val_median_raw": float(np.median(raw)),
            "val_p99_raw": float(np.quantile(raw, 0.99)),
            **({"acceptance": ckpt["acceptance"]} if ckpt.get("acceptance") else {}),
            "val_field_mean_surprisal": ckpt.get("val_field_mean", {}),
        },
    }
    bundle_path = os.path.join(out_dir, "bundle.json")
    write_atomic(bundle_path, (json.dumps(bundle, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return bundle_path


if __name__ == "__main__":
    p = argparse.ArgumentParser(description="Export a SeqSentry checkpoint to model.onnx + bundle.json.")
    p.add_argument("--ckpt", required=True)
    p.add_argument("--out", default=None, help="model directory (default: the checkpoint's directory)")
    a = p.parse_args()
    path = export_bundle(a.ckpt, a.out or os.path.dirname(os.path.abspath(a.ckpt)))
    sys.stdout.write(json.dumps({"type": "done", "bundle": os.path.abspath(path)}) + "\n")
