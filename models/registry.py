"""The model kinds, declared once in kinds.json (src/model/kinds.ts reads the same file): kind -> (config dataclass,
model class), loaded from the modules the declaration names, plus each kind's ONNX contract. A kind declared with
"typescript" instead of "contract" and "python" is trained and scored in TypeScript alone: it is listed in
TYPESCRIPT_KINDS and has no entry here to train or export."""
import importlib
import json
import os
from types import MappingProxyType

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "kinds.json"), encoding="utf-8") as _fh:
    _DECLARED = json.load(_fh)


def _classes(spec):
    module = importlib.import_module(spec["module"])
    return getattr(module, spec["config"]), getattr(module, spec["model"])



def _check(name, kind):
    """Exactly one runtime per kind: an ONNX contract with its Python classes, or a TypeScript module."""
    onnx = "contract" in kind and "python" in kind
    typescript = "typescript" in kind
    if onnx == typescript or (not onnx and ("contract" in kind or "python" in kind)):
        raise ValueError(f"kinds.json: kind {name}: declare either \"contract\" and \"python\" (ONNX) or \"typescript\", not both or neither")
    return onnx


_ONNX = {name: k for name, k in _DECLARED["kinds"].items() if _check(name, k)}
KINDS = MappingProxyType({name: _classes(k["python"]) for name, k in _ONNX.items()})
CONTRACTS = MappingProxyType({name: _DECLARED["contracts"][k["contract"]] for name, k in _ONNX.items()})
TYPESCRIPT_KINDS = tuple(sorted(name for name in _DECLARED["kinds"] if name not in _ONNX))
DEFAULT_KIND = _DECLARED["default"]
# format -> the kind `seqsentry train` trains for it without --kind, where it is not DEFAULT_KIND
DEFAULT_KIND_BY_FORMAT = MappingProxyType(dict(_DECLARED.get("default_by_format", {})))
# kind -> its raw score rule (raw_score.RULES)
RAW_SCORE = MappingProxyType({name: k.get("raw_score", "weighted-mean") for name, k in _ONNX.items()})


def build_model(kind, config_dict):
    """A model from a checkpoint's kind and config dict (what export and check_export use)."""
    config_cls, model_cls = KINDS[kind]
    config = config_cls(**config_dict)
    config.vocab_sizes = tuple(config.vocab_sizes)
    return model_cls(config)
