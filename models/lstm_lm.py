"""Event-level LSTM language model over the F field tokens of one event (Tuor et al. 2018).

The F tokens of an event are read as a sequence. The forward variant predicts field t from fields < t
(starting from a BOS token); the bidirectional variant predicts field t from the forward state over
fields < t concatenated with the backward state over fields > t, so every field is scored with all the
others as evidence but never itself. No entity context: C = 0.
"""
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as fn


@dataclass
class LSTMLMConfig:
    vocab_sizes: tuple = ()     # per-field vocabulary size incl. <pad>/<oov>; filled in from the data by train.py
    context: int = 0            # entity context rows; always 0 for this kind (the model sees one event)
    n_embd: int = 32            # token embedding width
    n_hidden: int = 64          # LSTM state width per direction; 128 runs ~3x slower in onnxruntime (~9k events/s/core)
    bidirectional: bool = True  # True: field t from fields < t and > t; False: from fields < t only
    dropout: float = 0.1        # on embeddings and LSTM outputs while training


class LSTMLM(nn.Module):
    uses_context = False

    def __init__(self, config):
        super().__init__()
        self.config = config
        sizes = list(config.vocab_sizes)
        self.n_fields = len(sizes)
        # one table for every field: global id = local id + offset of the field; the last row is BOS/EOS
        offsets = torch.tensor([0] + sizes[:-1]).cumsum(0)
        self.register_buffer("offsets", offsets, persistent=False)           # (F,)
        self.boundary = sum(sizes)
        self.wte = nn.Embedding(sum(sizes) + 1, config.n_embd)
        self.wfe = nn.Embedding(self.n_fields, config.n_embd)                 # field type of each position
        self.drop = nn.Dropout(config.dropout)
        self.fwd = nn.LSTM(config.n_embd, config.n_hidden, batch_first=True)
        self.bwd = nn.LSTM(config.n_embd, config.n_hidden, batch_first=True) if config.bidirectional else None
        width = config.n_hidden * (2 if config.bidirectional else 1)
        # heads predict ids 1..V-1: <pad> is never a true value, so it can never be "expected"
        self.heads = nn.ModuleList(nn.Linear(width, v - 1) for v in sizes)
        self.register_buffer("reverse", torch.arange(self.n_fields - 1, -1, -1), persistent=False)  # (F,)

    def forward(self, tokens):
        """tokens: (B, 1, F) int64 local ids -> surprisal (B, F) float32 nats, expected (B, F) int64 local ids."""
        x = tokens[:, -1, :]                                                  # (B, F) the event itself
        b = x.shape[0]
        g = x + self.offsets                                                  # (B, F) global ids
        e = self.drop(self.wte(g) + self.wfe.weight)                          # (B, F, E)
        edge = self.wte.weight[self.boundary].expand(b, 1, -1)                # (B, 1, E) BOS / EOS
        h_f, _ = self.fwd(torch.cat([edge, e], dim=1))                        # (B, F+1, H); step t has read fields < t
        h = h_f[:, : self.n_fields]                                           # (B, F, H)
        if self.bwd is not None:
            e_rev = e.index_select(1, self.reverse)                           # (B, F, E) fields F-1..0
            h_b, _ = self.bwd(torch.cat([edge, e_rev], dim=1))                # (B, F+1, H); step s has read fields > F-1-s
            h_b = h_b[:, : self.n_fields].index_select(1, self.reverse)       # (B, F, H); position t has read fields > t
            h = torch.cat([h, h_b], dim=-1)                                   # (B, F, 2H)
        h = self.drop(h)
        surprisal, expected = [], []
        for f, head in enumerate(self.heads):
            logp = fn.log_softmax(head(h[:, f]), dim=-1)                      # (B, V_f - 1) over ids 1..V_f-1
            target = (x[:, f] - 1).clamp(min=0).unsqueeze(1)                  # (B, 1) a <pad> target counts as <oov>
            surprisal.append(-logp.gather(1, target))                         # (B, 1)
            # top-1 rather than argmax: ONNX Runtime's TopK finds the same first maximum in 0.7x ArgMax's time
            expected.append(logp.topk(1, dim=-1).indices + 1)                 # (B, 1)
        return torch.cat(surprisal, dim=1), torch.cat(expected, dim=1)        # (B, F), (B, F)

    def training_loss(self, surprisal):
        """surprisal: (B, F) -> scalar loss: every field is a prediction target."""
        return surprisal.mean()
