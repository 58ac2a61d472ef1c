"""GPT-style causal transformer over field tokens, with the entity's recent events as context (issue 12 item 4).

The sequence is the same context as transformer-mlm: the entity's previous C events (oldest first, left-padded
with <pad> rows) and the event itself, T = C + 1 rows of F field tokens, flattened row-major into N = T * F tokens
(past events' fields, then the event's fields). The model reads it left to right after a BOS token and predicts
every token from everything before it, so per field f of the event:
    surprisal_f = -ln p(token (C, f) | BOS, rows 0..C-1, fields 0..f-1 of row C)
    expected_f  = argmax of that distribution
Unlike transformer-mlm, field f of the event is judged without the event's later fields: the first fields are
scored against the entity's history alone, the later ones also against the event's earlier fields.

Input and output embeddings are tied per field (Press & Wolf 2017): the logits of field f are the final state
times the rows of field f in the one token table, ids 1..V_f-1 (<pad> is never a true value, so it can never be
"expected"). Keys at <pad> tokens are masked, so a short history reads the same as no history at those rows.
Training predicts every real token of the sequence (context rows included): N signals per event, not F.
"""
import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as fn


@dataclass
class TransformerLMConfig:
    vocab_sizes: tuple = ()     # per-field vocabulary size incl. <pad>/<oov>; filled in from the data by train.py
    context: int = 8            # C: previous events of the same entity read before the event (as transformer-mlm)
    n_embd: int = 32            # d_model; the sequence is (C+1)*F tokens long (81 for LANL), so width costs N-fold
    n_head: int = 2             # attention heads (head width 16)
    n_layer: int = 2            # causal blocks
    ffn_mult: int = 4           # FFN width = ffn_mult * n_embd
    dropout: float = 0.1        # on attention weights, residual branches and embeddings while training
    # "all": loss over every real token of the sequence (context rows too): each row is some event read after its
    #        own history, so this is N training signals per event for one pass.
    # "event": loss over the event's F fields only, what is scored; F/N as many signals per step.
    train_tokens: str = "all"


class CausalBlock(nn.Module):
    """Pre-LN transformer block (nanoGPT layout) with an additive attention bias for causality and <pad> keys."""

    def __init__(self, config):
        super().__init__()
        d = config.n_embd
        self.n_head = config.n_head
        self.ln_1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, config.ffn_mult * d), nn.GELU(), nn.Linear(config.ffn_mult * d, d))
        self.attn_drop = nn.Dropout(config.dropout)
        self.drop = nn.Dropout(config.dropout)

    def forward(self, x, bias):
        """x: (B, N, d); bias: (B, 1, N, N) additive mask, 0 where a query may see a key -> (B, N, d)."""
        b, n, d = x.shape
        h, dh = self.n_head, d // self.n_head
        q, k, v = self.qkv(self.ln_1(x)).view(b, n, 3, h, dh).permute(2, 0, 3, 1, 4)  # each (B, H, N, dh)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(dh)) + bias                # (B, H, N, N)
        att = self.attn_drop(att.softmax(dim=-1))
        y = (att @ v).transpose(1, 2).reshape(b, n, d)                                # (B, N, d)
        x = x + self.drop(self.proj(y))
        return x + self.drop(self.mlp(self.ln_2(x)))                                  # (B, N, d)


class TransformerLM(nn.Module):
    uses_context = True

    def __init__(self, config):
        super().__init__()
        if config.train_tokens not in ("all", "event"):
            raise ValueError(f"train_tokens must be 'all' or 'event', got {config.train_tokens!r}")
        if config.n_embd % config.n_head:
            raise ValueError(f"n_embd {config.n_embd} is not a multiple of n_head {config.n_head}")
        self.config = config
        sizes = list(config.vocab_sizes)
        f, t, d = len(sizes), config.context + 1, config.n_embd
        n = t * f
        self.n_fields, self.n_rows = f, t
        self.register_buffer("offsets", torch.tensor([0] + sizes[:-1]).cumsum(0), persistent=False)  # (F,)
        self.bos = sum(sizes)                       # the last row of the token table starts every sequence
        self.wte = nn.Embedding(sum(sizes) + 1, d)  # token, global id = local id + field offset; tied to the outputs
        self.wpe = nn.Embedding(n, d)               # position n of the flattened sequence = (row n // F, field n % F)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(CausalBlock(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(d)
        # step s reads the token before position s (BOS at s = 0) and predicts token s: query s sees keys 0..s
        self.register_buffer("future", torch.ones(n, n, dtype=torch.bool).triu(1), persistent=False)  # (N, N)
        self.sizes = sizes
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def _field_nll(self, h, target, j):
        """h: (B, S, d) states predicting field j; target: (B, S) its local ids -> surprisal, expected (B, S)."""
        start = int(self.offsets[j]) + 1
        w = self.wte.weight[start:start + self.sizes[j] - 1]                          # (V_j - 1, d) ids 1..V_j-1, tied
        logp = fn.log_softmax(h @ w.t(), dim=-1)                                      # (B, S, V_j - 1)
        tj = (target - 1).clamp(min=0).unsqueeze(-1)                                  # (B, S, 1) <pad> counts as <oov>
        # top-1 rather than argmax: ONNX Runtime's TopK finds the same first maximum in 0.7x ArgMax's time
        return -logp.gather(-1, tj).squeeze(-1), logp.topk(1, dim=-1).indices.squeeze(-1) + 1

    def forward(self, tokens):
        """tokens: (B, C+1, F) int64 local ids -> surprisal (B, F) float32 nats, expected (B, F) int64 local ids."""
        b, t, f = tokens.shape
        n = t * f
        g = (tokens + self.offsets).reshape(b, n)                                     # (B, N) global ids
        inp = torch.cat([torch.full((b, 1), self.bos, dtype=g.dtype), g[:, :-1]], dim=1)  # (B, N) shifted right
        pad = (tokens.reshape(b, n) == 0)                                             # (B, N) <pad> tokens
        # key s holds token s-1: masked when that token is <pad>; key 0 (BOS) is always visible
        pad_key = torch.cat([torch.zeros(b, 1, dtype=torch.bool), pad[:, :-1]], dim=1)  # (B, N)
        bias = torch.zeros(b, 1, n, n).masked_fill(self.future | pad_key[:, None, None, :], -1e9)  # (B, 1, N, N)
        x = self.drop(self.wte(inp) + self.wpe.weight)                                # (B, N, d)
        for block in self.blocks:
            x = block(x, bias)
        x = self.ln_f(x).view(b, t, f, -1)                                            # (B, T, F, d)
        rows = slice(None) if self.training and self.config.train_tokens == "all" else slice(t - 1, t)
        surprisal, expected = [], []
        for j in range(f):
            s, e = self._field_nll(x[:, rows, j], tokens[:, rows, j], j)              # (B, S) each
            surprisal.append(s)
            expected.append(e)
        surprisal, expected = torch.stack(surprisal, dim=2), torch.stack(expected, dim=2)  # (B, S, F)
        if self.training:
            real = (~pad.view(b, t, f)[:, rows]).float()                              # (B, S, F) tokens that are values
            self.sequence_loss = (surprisal * real).sum() / real.sum().clamp(min=1.0)
        return surprisal[:, -1], expected[:, -1]                                      # (B, F), (B, F)

    def training_loss(self, surprisal):
        """The mean surprisal of every real token the last forward pass predicted (per config.train_tokens); the
        event's own fields (surprisal) are part of it."""
        return self.sequence_loss
