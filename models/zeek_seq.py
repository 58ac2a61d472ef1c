"""zeek-seq: masked-token transformer over Zeek connections (INL's sequential network anomaly detection).

The unit is one connection, the uid join's output (src/kinds/zeek-seq/connection-event.ts): its tokens are one per
record, the conn record's first, then its dns/http/ssl/... records in time order, padded with an empty-slot token.
Context is the entity's (by default the source host's) previous connections. Every slot of the target connection is
predicted with itself masked and everything else visible: the other records of the connection and every record of
the host's recent connections. Per-token surprisal -ln p(true token) comes out (1 - p is the per-token anomaly the
TypeScript side reports); the raw score is the largest of them (kinds.json "raw_score": "max": a connection is as anomalous as its least
likely record) and the event score its calibrated rank among held-out connections.

The network is TransformerMLM's two-stream query/content design: a slot is a "field" with its own vocabulary and
output head. What differs is the unit and the defaults below, so this file holds only its config.
"""
from dataclasses import dataclass

from transformer_mlm import TransformerMLM, TransformerMLMConfig


@dataclass
class ZeekSeqConfig(TransformerMLMConfig):
    vocab_sizes: tuple = ()     # per-slot vocabulary size incl. <pad>/<oov>; filled in from the data by train.py
    context: int = 16           # C: the host's previous connections. A connection is 4 slots where an event of
                                # transformer-mlm is 23 fields, so twice its context still costs a third of its tokens
    n_embd: int = 32            # d_model, as transformer-mlm (the throughput floor is the same 20k/s at batch 1024)
    n_head: int = 2             # attention heads (head width 16)
    n_layer: int = 2            # query-stream blocks
    ffn_mult: int = 4           # FFN width = ffn_mult * n_embd, on the slot queries only
    dropout: float = 0.1        # on attention and FFN outputs while training
    train_fields: str = "all"   # every slot's masked prediction is a training signal


class ZeekSeq(TransformerMLM):
    """TransformerMLM over connection slots (see the module docstring)."""
