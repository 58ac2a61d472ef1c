"""The frozen registry of model kinds: kind -> (config dataclass, model class). One file per architecture."""
from types import MappingProxyType

from lstm_lm import LSTMLM, LSTMLMConfig
from transformer_mlm import TransformerMLM, TransformerMLMConfig

KINDS = MappingProxyType({
    "transformer-mlm": (TransformerMLMConfig, TransformerMLM),
    "lstm-lm": (LSTMLMConfig, LSTMLM),
})


def build_model(kind, config_dict):
    """A model from a checkpoint's kind and config dict (what export and check_export use)."""
    config_cls, model_cls = KINDS[kind]
    config = config_cls(**config_dict)
    config.vocab_sizes = tuple(config.vocab_sizes)
    return model_cls(config)
