"""LSTM autoencoder over an entity's last N events, for login risk (web/SSO logins: time-of-day bucket, country,
ASN, browser, OS, device, outcome of a user's recent logins).

The sequence is the user's previous C logins (oldest first, left-padded with <pad> rows) and the login itself,
T = C + 1 rows. An encoder LSTM reads the rows; its last state is squeezed through a small code (the bottleneck);
a decoder LSTM unrolls the code and reconstructs the rows newest first (Srivastava et al. 2015), so the login being
scored is the decoder's first step. Training reconstructs every real row, which makes the code summarise the
user's habit: a login unlike the rows before it does not fit that summary and reconstructs badly. Inference
decodes only the first step.

Per field of the login, surprisal = -log p(actual value | code) in nats (the reconstruction error), expected = the
value the decoder reconstructed: the scorer's calibration and explanation ("which features reconstructed worst")
are those of every field-tokens kind. A user with no history is a sequence of <pad> rows and the login: its code
comes from the login alone, which training sees for every user's first logins and, through history_dropout, for
shortened histories, so it is scored against the population.

Fields in skip_fields (the entity names: the user id, the client address, the application) are neither read
nor reconstructed: they say who and where from, not what the login looks like, and a new user's id would
otherwise read as an anomaly. Their surprisal is 0 and their expected id is their own.
"""
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as fn


@dataclass
class LSTMAEConfig:
    vocab_sizes: tuple = ()        # per-field vocabulary size incl. <pad>/<oov>; filled in from the data by train.py
    context: int = 7               # C: previous logins read with the login, so a sequence is the last N = 8 logins
    field_names: tuple = ()        # model field names in tokenizer order; filled in by train.py
    skip_fields: tuple = ()        # fields neither read nor reconstructed; train.py fills the adapter's entity fields
    n_embd: int = 32               # a login's embedding: the sum of its fields' token embeddings
    n_hidden: int = 32             # encoder and decoder LSTM state width; 64 runs ~3x slower in onnxruntime (batch
                                   # 1024), under the 20k logins/s the scorer needs on 2 cores
    n_code: int = 16               # bottleneck width; wide enough to copy a login, too narrow for 8 unlike ones
    dropout: float = 0.1           # on login embeddings and decoder outputs while training
    history_dropout: float = 0.25  # share of training sequences cut to a random shorter history (cold start)


class LSTMAE(nn.Module):
    uses_context = True

    def __init__(self, config):
        super().__init__()
        self.config = config
        sizes = list(config.vocab_sizes)
        names = list(config.field_names) or [str(i) for i in range(len(sizes))]
        if len(names) != len(sizes):
            raise ValueError(f"field_names has {len(names)} names for {len(sizes)} vocabularies")
        unknown = set(config.skip_fields) - set(names)
        if unknown:
            raise ValueError(f"skip_fields {sorted(unknown)} are not model fields ({names})")
        self.n_fields = len(sizes)
        self.kept = [f for f, name in enumerate(names) if name not in set(config.skip_fields)]
        if not self.kept:
            raise ValueError("every field is in skip_fields: nothing to reconstruct")
        kept_sizes = [sizes[f] for f in self.kept]
        self.register_buffer("kept_index", torch.tensor(self.kept), persistent=False)                # (K,)
        self.register_buffer("offsets", torch.tensor([0] + kept_sizes[:-1]).cumsum(0), persistent=False)  # (K,)
        d, h = config.n_embd, config.n_hidden
        self.wte = nn.Embedding(sum(kept_sizes), d)          # global id = local id + offset of the field
        self.drop = nn.Dropout(config.dropout)
        self.encoder = nn.LSTM(d, h, batch_first=True)
        self.to_code = nn.Linear(h, config.n_code)
        self.decoder = nn.LSTM(config.n_code, h, batch_first=True)
        # heads predict ids 1..V-1: <pad> is never a true value, so it can never be "expected"
        self.heads = nn.ModuleList(nn.Linear(h, v - 1) for v in kept_sizes)

    def _rows_of(self, tokens):
        """tokens: (B, T, F) -> kept fields (B, T, K), cut to shorter histories while training."""
        x = tokens.index_select(2, self.kept_index)                                   # (B, T, K)
        if self.training and self.config.history_dropout > 0 and x.shape[1] > 1:
            b, t = x.shape[0], x.shape[1]
            cut = torch.rand(b) < self.config.history_dropout                         # (B,) sequences to shorten
            keep_from = torch.randint(0, t, (b,))                                     # (B,) first row kept; t-1 = none
            row = torch.arange(t).unsqueeze(0)                                        # (1, T)
            drop = cut.unsqueeze(1) & (row < keep_from.unsqueeze(1))                  # (B, T)
            x = x.masked_fill(drop.unsqueeze(2), 0)
        return x

    def _decode(self, code, steps):
        """code: (B, n_code) -> (B, steps, H) decoder outputs; step s reconstructs row T-1-s."""
        out, _ = self.decoder(code.unsqueeze(1).expand(-1, steps, -1))               # (B, steps, H)
        return self.drop(out)

    def _nll(self, out, target):
        """out: (B, S, H) decoder outputs; target: (B, S, K) ids -> surprisal (B, S, K), expected (B, S, K)."""
        surprisal, expected = [], []
        for k, head in enumerate(self.heads):
            logp = fn.log_softmax(head(out), dim=-1)                                   # (B, S, V_k - 1) over ids 1..V_k-1
            tk = (target[..., k] - 1).clamp(min=0).unsqueeze(-1)                       # (B, S, 1) <pad> counts as <oov>
            surprisal.append(-logp.gather(-1, tk))                                     # (B, S, 1)
            # top-1 rather than argmax: ONNX Runtime's TopK finds the same first maximum in 0.7x ArgMax's time
            expected.append(logp.topk(1, dim=-1).indices + 1)                          # (B, S, 1)
        return torch.cat(surprisal, dim=-1), torch.cat(expected, dim=-1)

    def forward(self, tokens):
        """tokens: (B, C+1, F) int64 local ids -> surprisal (B, F) float32 nats, expected (B, F) int64 local ids."""
        x = self._rows_of(tokens)                                                     # (B, T, K)
        t = x.shape[1]
        e = self.drop(self.wte(x + self.offsets).sum(dim=2))                          # (B, T, E) one vector per login
        _, (h_n, _) = self.encoder(e)                                                 # h_n: (1, B, H)
        code = torch.tanh(self.to_code(h_n[0]))                                       # (B, n_code)
        steps = t if self.training else 1
        rows_s, rows_e = self._nll(self._decode(code, steps), x.flip(1)[:, :steps])   # (B, steps, K) newest first
        if self.training:
            real = (x.flip(1) != 0).any(dim=2).float()                                # (B, T) rows that are logins
            self.sequence_loss = (rows_s.mean(dim=2) * real).sum() / real.sum()
        target = tokens[:, -1, :]                                                     # (B, F)
        surprisal = torch.zeros_like(target, dtype=rows_s.dtype).index_copy(1, self.kept_index, rows_s[:, 0])
        expected = target.index_copy(1, self.kept_index, rows_e[:, 0])
        return surprisal, expected                                                    # (B, F), (B, F)

    def training_loss(self, surprisal):
        """The reconstruction error of every real row of the sequences the last forward pass read (surprisal, the
        login's own row, is part of it): reconstructing the whole history is what makes this an autoencoder."""
        return self.sequence_loss
