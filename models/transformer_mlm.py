"""Masked-field transformer with the entity's recent events as context (Gokstorp et al., NOMS 2024).

Every field of the target event is scored in one batched pass without leakage, two-stream style:
- content tokens: every field token of the C context events and of the target event (N = (C+1) * F),
  token + field-type + event-position embedding. The content stream is never updated across layers, so
  no content token can carry information about another one.
- query stream: F queries for the target event, q_f = mask + field-type f + target-position embedding.
  Each layer attends from the queries to the content tokens with query f unable to see the target's own
  field f (that is "field f masked") and unable to see <pad> context rows.

Speed (the scorer needs >= 20k events/s at batch 1024 on 2 cores). Per layer, keys are a linear map of
the unnormalised content embedding, so they split into a token part and a position part:
    K_l[n] = (E W_l + b_l)[g_n] + ((Fe[field_n] + Pe[row_n]) W_l)
The token part is gathered head-major from a (H, V, dh) table computed per call (V * d * d work, tiny);
the position part is shared by the whole batch and enters the logits through one small matmul (a constant
for layer 1, whose queries are the same for every event). Values are the token part only, (E U_l + c_l)[g_n]:
the id already names the field, and which event a value came from is what the key-side attention selects.
No (B, N, d) tensor is ever built by a matmul, added to or transposed, which is what made the obvious
implementation 2-3x slower in onnxruntime.
"""
import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as fn


@dataclass
class TransformerMLMConfig:
    vocab_sizes: tuple = ()     # per-field vocabulary size incl. <pad>/<oov>; filled in from the data by train.py
    context: int = 8            # C: previous events of the same entity fed as context (the bundle's context_length)
    n_embd: int = 32            # d_model; 64 learns faster per step but runs ~22k events/s in onnxruntime
                                # (batch 1024, 2 cores) against ~38k at 32: the scorer needs >= 20k with room
    n_head: int = 2             # attention heads (head width 16)
    n_layer: int = 2            # query-stream blocks
    ffn_mult: int = 4           # FFN width = ffn_mult * n_embd; runs on the F query rows only
    dropout: float = 0.1        # on attention and FFN outputs while training (not on the B*N content tokens: too costly)
    # "all": loss over every field's query. Each query already is "field f masked, everything else visible",
    #        so this equals masking each field in turn: F training signals per event for the price of one pass.
    # "one": one random field per event, as in the paper; same model, F times fewer signals per step.
    train_fields: str = "all"


class QueryBlock(nn.Module):
    """Pre-LN block on the query stream: attention to the fixed content, then an FFN. Head-major layout."""

    def __init__(self, config):
        super().__init__()
        d = config.n_embd
        self.n_head = config.n_head
        self.ln_1 = nn.LayerNorm(d)
        self.q = nn.Linear(d, d)
        self.proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, config.ffn_mult * d), nn.GELU(), nn.Linear(config.ffn_mult * d, d))
        self.drop = nn.Dropout(config.dropout)

    def forward(self, x, k, v, k_pos, bias, first=False):
        """x: (B, F, d) queries; k, v: (H, B, N, dh) token part of the content keys and the values;
        k_pos: (H, N, dh) position part of the keys; bias: (B, F, N) additive mask -> (B, F, d).
        first: x is the same for every event (layer 1), so its queries are computed once."""
        b, f, d = x.shape
        h, dh, n = self.n_head, d // self.n_head, k.shape[2]
        if first:
            q = self.q(self.ln_1(x[:1])).view(1, f, h, dh).permute(2, 0, 1, 3) * (1.0 / math.sqrt(dh))  # (H, 1, F, dh)
            att = q @ k.transpose(-2, -1) + q @ k_pos.unsqueeze(1).transpose(-2, -1)     # (H, B, F, N)
        else:
            q = self.q(self.ln_1(x)).view(b, f, h, dh).permute(2, 0, 1, 3) * (1.0 / math.sqrt(dh))     # (H, B, F, dh)
            att = q @ k.transpose(-2, -1)                                                # (H, B, F, N)
            att = att + (q.reshape(h, b * f, dh) @ k_pos.transpose(-2, -1)).view(h, b, f, n)
        att = (att + bias).softmax(dim=-1)                                               # (H, B, F, N)
        y = (att @ v).permute(1, 2, 0, 3).reshape(b, f, d)                               # (B, F, d)
        x = x + self.drop(self.proj(y))
        return x + self.drop(self.mlp(self.ln_2(x)))                                     # (B, F, d)


class TransformerMLM(nn.Module):
    uses_context = True

    def __init__(self, config):
        super().__init__()
        if config.train_fields not in ("all", "one"):
            raise ValueError(f"train_fields must be 'all' or 'one', got {config.train_fields!r}")
        if config.n_embd % config.n_head:
            raise ValueError(f"n_embd {config.n_embd} is not a multiple of n_head {config.n_head}")
        self.config = config
        sizes = list(config.vocab_sizes)
        f, t, d, n_layer = len(sizes), config.context + 1, config.n_embd, config.n_layer
        self.n_fields, self.n_vocab = f, sum(sizes)
        self.register_buffer("offsets", torch.tensor([0] + sizes[:-1]).cumsum(0), persistent=False)  # (F,)
        self.wte = nn.Embedding(sum(sizes), d)      # token, global id = local id + field offset
        self.wfe = nn.Embedding(f, d)               # field type
        self.wpe = nn.Embedding(t, d)               # event row: 0..C-1 context (oldest first), C = target
        self.mask = nn.Parameter(torch.zeros(d))    # the query's "this field is masked" embedding
        self.kv = nn.Linear(d, n_layer * 2 * d)     # per layer: key map, value map of the content embedding
        self.blocks = nn.ModuleList(QueryBlock(config) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(d)
        # heads predict ids 1..V-1: <pad> is never a true value, so it can never be "expected"
        self.heads = nn.ModuleList(nn.Linear(d, v - 1) for v in sizes)
        # query f may not see the target's field f: content position (row C, field f) is n = C*F + f
        self_mask = torch.zeros(f, t * f, dtype=torch.bool)
        self_mask[torch.arange(f), (t - 1) * f + torch.arange(f)] = True
        self.register_buffer("self_mask", self_mask, persistent=False)                # (F, N)
        self.register_buffer("head_rows", torch.arange(config.n_head)[:, None] * sum(sizes), persistent=False)  # (H, 1)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, tokens):
        """tokens: (B, C+1, F) int64 local ids -> surprisal (B, F) float32 nats, expected (B, F) int64 local ids."""
        b, t, f = tokens.shape
        d, h = self.config.n_embd, self.config.n_head
        dh, n, v_all = d // h, t * f, self.n_vocab
        g = (tokens + self.offsets).reshape(1, b * n)                              # (1, B*N) global ids
        rows = g + self.head_rows                                                  # (H, B*N) rows of a head-major table
        tok = self.kv(self.wte.weight).view(v_all, -1, h, dh).transpose(0, 2)      # (H, L*2, V, dh) token part
        pos = (self.wpe.weight[:, None, :] + self.wfe.weight[None, :, :]).reshape(n, d)              # (N, d)
        k_pos = (pos @ self.kv.weight.t()).view(n, -1, 2, h, dh)[:, :, 0].permute(1, 2, 0, 3)  # (L, H, N, dh) keys only
        pad = (tokens.reshape(b, 1, n) == 0)                                       # (B, 1, N)
        bias = torch.zeros(b, f, n).masked_fill(pad | self.self_mask, -1e9)       # (B, F, N)
        x = (self.mask + self.wfe.weight + self.wpe.weight[t - 1]).expand(b, f, d)  # (B, F, d)
        for i, block in enumerate(self.blocks):
            k = fn.embedding(rows, tok[:, 2 * i].reshape(h * v_all, dh)).view(h, b, n, dh)      # (H, B, N, dh)
            v = fn.embedding(rows, tok[:, 2 * i + 1].reshape(h * v_all, dh)).view(h, b, n, dh)  # (H, B, N, dh)
            x = block(x, k, v, k_pos[i], bias, first=(i == 0))
        x = self.ln_f(x)                                                           # (B, F, d)
        target = tokens[:, -1, :]                                                  # (B, F)
        surprisal, expected = [], []
        for j, head in enumerate(self.heads):
            logp = fn.log_softmax(head(x[:, j]), dim=-1)                           # (B, V_j - 1) over ids 1..V_j-1
            tj = (target[:, j] - 1).clamp(min=0).unsqueeze(1)                      # (B, 1) a <pad> target counts as <oov>
            surprisal.append(-logp.gather(1, tj))
            # top-1 rather than argmax: ONNX Runtime's TopK finds the same first maximum in 0.7x ArgMax's time
            expected.append(logp.topk(1, dim=-1).indices + 1)
        return torch.cat(surprisal, dim=1), torch.cat(expected, dim=1)             # (B, F), (B, F)

    def training_loss(self, surprisal):
        """surprisal: (B, F) -> scalar loss per config.train_fields."""
        if self.config.train_fields == "one":
            pick = torch.randint(0, self.n_fields, (surprisal.shape[0], 1))        # (B, 1) one masked field per event
            return surprisal.gather(1, pick).mean()
        return surprisal.mean()
