"""The model kinds, declared once in kinds.json (src/model/kinds.ts reads the same file): kind -> (config dataclass,
model class), loaded from the modules the declaration names, plus each kind's ONNX contract."""
import importlib
import json
import os
from types import MappingProxyType

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "kinds.json"), encoding="utf-8") as _fh:
    _DECLARED = json.load(_fh)


def _classes(spec):
    module = importlib.import_module(spec["module"])
    return getattr(module, spec["config"]), getattr(module, spec["model"])


KINDS = MappingProxyType({name: _classes(k["python"]) for name, k in _DECLARED["kinds"].items()})
CONTRACTS = MappingProxyType({name: _DECLARED["contracts"][k["contract"]] for name, k in _DECLARED["kinds"].items()})
DEFAULT_KIND = _DECLARED["default"]


def build_model(kind, config_dict):
    """A model from a checkpoint's kind and config dict (what export and check_export use)."""
    config_cls, model_cls = KINDS[kind]
    config = config_cls(**config_dict)
    config.vocab_sizes = tuple(config.vocab_sizes)
    return model_cls(config)
