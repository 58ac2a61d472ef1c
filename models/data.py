"""Events TSV reading, per-entity context windows and the seeded held-out split (docs/contracts.md)."""
import hashlib
from dataclasses import dataclass

import numpy as np


class EventsFileError(ValueError):
    """An events TSV that does not follow the contract; the message names the file and line."""


@dataclass
class Events:
    fields: list        # adapter field names, in order (header columns 3..)
    entities: list      # entity key value per event, in file order
    times: np.ndarray   # (N,) float64 seconds
    columns: list       # columns[f][i] = value of field f of event i (strings)
    sha256: str         # of the file's bytes

    def __len__(self):
        return len(self.entities)


def read_events(path):
    with open(path, "rb") as fh:
        raw = fh.read()
    sha = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise EventsFileError(f"{path}: not UTF-8 ({e})") from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise EventsFileError(f"{path}: empty file, expected a header line")
    header = lines[0].split("\t")
    if len(header) < 3 or header[0] != "entity" or header[1] != "time":
        raise EventsFileError(f"{path}:1: header must be entity<TAB>time<TAB><field 1>...; got {lines[0][:200]!r}")
    fields = header[2:]
    width = len(header)
    entities, times, rows = [], [], []
    for n, line in enumerate(lines[1:], start=2):
        parts = line.split("\t")
        if len(parts) != width:
            raise EventsFileError(f"{path}:{n}: expected {width} tab-separated columns, got {len(parts)}")
        try:
            t = float(parts[1])
        except ValueError:
            raise EventsFileError(f"{path}:{n}: time {parts[1]!r} is not a decimal number") from None
        if not np.isfinite(t):
            raise EventsFileError(f"{path}:{n}: time {parts[1]!r} is not finite")
        entities.append(parts[0])
        times.append(t)
        rows.append(parts[2:])
    if not rows:
        raise EventsFileError(f"{path}: no events after the header")
    columns = [list(c) for c in zip(*rows)]
    return Events(fields, entities, np.asarray(times, dtype=np.float64), columns, sha)


def canonical_rows(entities, times, ids):
    """A row order that does not depend on the order of the input: event time, then the entity's name, then the token
    ids field by field. Rows equal in all three are the same training example, so which comes first changes nothing.
    Training draws its held-out split and its batches by row position, so rows in this order train the same model
    from the same events however they were shuffled or split into files.
    times: (N,) float64; ids: (N, F) int64. Returns (N,) int64 positions."""
    _, ent = np.unique(np.asarray(entities, dtype=object), return_inverse=True)   # codes in name order
    # np.lexsort sorts by the last key first
    keys = tuple(ids[:, f] for f in range(ids.shape[1] - 1, -1, -1)) + (ent.reshape(-1), times)
    return np.lexsort(keys)


def context_index(entities, context, times, ids):
    """For every event, the indices of its entity's previous `context` events (oldest first) and itself.

    Returns (N, C+1) int64; a missing earlier event is -1 (becomes an all-zero <pad> row). "Previous" is in
    canonical order, the scorer's (src/scorer/order.ts): event time, then the token ids field by field, then
    input order among identical events. So context does not depend on the order or number of input files.
    times: (N,) float64; ids: (N, F) int64 token ids.
    """
    n = len(entities)
    codes = {}
    ent = np.fromiter((codes.setdefault(e, len(codes)) for e in entities), dtype=np.int64, count=n)  # (N,)
    # np.lexsort sorts by the last key first: entity, then time, then ids[:, 0], ids[:, 1], ..., then input order
    keys = (np.arange(n),) + tuple(ids[:, f] for f in range(ids.shape[1] - 1, -1, -1)) + (times, ent)
    order = np.lexsort(keys)                                    # (N,) events grouped by entity, canonical inside
    grouped = ent[order]
    starts = np.r_[0, np.flatnonzero(grouped[1:] != grouped[:-1]) + 1]
    group_start = np.repeat(starts, np.diff(np.r_[starts, n]))  # (N,) first grouped position of each group
    pos = np.arange(n) - group_start                            # (N,) rank of the event inside its entity
    idx = np.full((n, context + 1), -1, dtype=np.int64)         # (N, C+1)
    idx[order, context] = order
    for lag in range(1, context + 1):
        ok = pos >= lag
        idx[order[ok], context - lag] = order[np.flatnonzero(ok) - lag]
    return idx


class ContextData:
    """Encoded events plus context indices; batches are gathered on demand so 300k events stay small."""

    def __init__(self, ids, ctx_index):
        n, f = ids.shape
        self.ids = np.concatenate([ids.astype(np.int64), np.zeros((1, f), dtype=np.int64)])  # (N+1, F), row N = pad
        self.index = np.where(ctx_index < 0, n, ctx_index)                                     # (N, C+1)

    def __len__(self):
        return len(self.index)

    def tokens(self, rows):
        """rows: (B,) event indices -> (B, C+1, F) int64."""
        return self.ids[self.index[rows]]


def split(n, val_fraction, seed, max_val=50_000):
    """Seeded random held-out split: (train rows, val rows), each sorted. At least one event on each side when n >= 2."""
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n)
    n_val = int(round(n * val_fraction))
    n_val = min(max(n_val, 1 if n >= 2 and val_fraction > 0 else 0), max_val, n - 1)
    return np.sort(perm[n_val:]), np.sort(perm[:n_val])
