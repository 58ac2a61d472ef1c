"""Warm start for rolling retraining (train.py --init): the previous window's vocabulary grown by this window's
values, and its weights carried into a model sized for the grown vocabulary.

Vocabulary: a value keeps the id it had; a value first seen now is appended once its count over every window so
far reaches --min-count (the counts travel in the checkpoint), so the vocabulary equals, as a set, the one a model
trained on all the windows at once would build, and a bundle's ids never change meaning between versions. Until a
value is admitted it encodes as its field's <oov>, the way the vocabulary handles any unseen value. Nothing is
dropped: a value gone quiet keeps its id (and its learned embedding) for when it comes back.

Weights: every tensor of the same shape is copied. A tensor whose first axis is the concatenated vocabulary
(a token embedding, global id = local id + field offset, possibly with trailing extra rows) is copied field by
field to the new offsets; a tensor whose first axis is one field's vocabulary (an output head) keeps its old rows.
New rows keep the fresh model's initialisation. Any other mismatch is an error naming the tensor.
"""
from collections import Counter

import torch

from vocab import OOV, PAD


class WarmStartError(ValueError):
    """A previous checkpoint that cannot seed this run; the message names the checkpoint and the reason."""


def check_compatible(prev, kind, fields, hour_on, context, path):
    """prev: the previous window's checkpoint dict."""
    tok = prev["tokenizer"]
    if prev["kind"] != kind:
        raise WarmStartError(f"--init {path}: kind {prev['kind']}, this run trains {kind}")
    if list(tok["fields"]) != list(fields) or bool(tok["hour_token"]) != bool(hour_on):
        raise WarmStartError(f"--init {path}: fields {tok['fields']} (hour token {tok['hour_token']}), this run has {fields} (hour token {hour_on})")
    if int(prev["context_length"]) != int(context):
        raise WarmStartError(f"--init {path}: context {prev['context_length']}, this run {context}")


def grow_vocab(prev_tokenizer, prev_counts, fields, columns, min_count):
    """Returns (vocab, counts): the previous vocabulary with newly admitted values appended, and the running counts
    {field: {value: count}} over every window so far (prev_counts plus this window's columns)."""
    vocab, counts = {}, {}
    for field, values in zip(fields, columns):
        running = Counter(prev_counts.get(field, {}))
        running.update(values)
        old = list(prev_tokenizer["vocab"][field])
        known = set(old[2:])
        new = [v for v, c in running.items() if c >= min_count and v not in known and v not in (PAD, OOV)]
        # the same order build_vocab uses: count descending, then value in UTF-16 code units
        new.sort(key=lambda v: (-running[v], v.encode("utf-16-be")))
        vocab[field] = old + new
        counts[field] = dict(running)
    return vocab, counts


def column_counts(fields, columns):
    """This window's counts, the running counts of a run that starts from scratch."""
    return {field: dict(Counter(values)) for field, values in zip(fields, columns)}


def _vocab_sizes(config):
    """Per-field sizes of the vocabulary the model embeds (a kind with skip_fields leaves those fields out)."""
    skip = set(config.get("skip_fields") or ())
    names = config.get("field_names") or ()
    sizes = list(config["vocab_sizes"])
    if skip and names:
        return [s for s, n in zip(sizes, names) if n not in skip]
    return sizes


def carry_weights(model, prev_state, prev_config, new_config):
    """Copies prev_state into model (in place) across the grown vocabulary. Returns the number of tensors copied."""
    old_sizes, new_sizes = _vocab_sizes(prev_config), _vocab_sizes(new_config)
    if len(old_sizes) != len(new_sizes) or any(n < o for o, n in zip(old_sizes, new_sizes)):
        raise WarmStartError(f"vocabulary sizes {new_sizes} do not extend the previous {old_sizes}")
    state = model.state_dict()
    missing = sorted(set(state) ^ set(prev_state))
    if missing:
        raise WarmStartError(f"parameters differ from the previous checkpoint's: {missing[:5]}")
    old_sum, new_sum = sum(old_sizes), sum(new_sizes)
    copied = 0
    with torch.no_grad():
        for name, target in state.items():
            source = prev_state[name]
            if source.shape == target.shape:
                target.copy_(source)
            elif source.shape[1:] != target.shape[1:]:
                raise WarmStartError(f"parameter {name}: shape {tuple(source.shape)} -> {tuple(target.shape)} differs beyond the vocabulary axis")
            elif source.shape[0] - old_sum == target.shape[0] - new_sum >= 0:
                # concatenated vocabulary: field f's rows move from its old offset to its new one
                o = n = 0
                for vo, vn in zip(old_sizes, new_sizes):
                    target[n:n + vo] = source[o:o + vo]
                    o, n = o + vo, n + vn
                extra = source.shape[0] - old_sum                     # trailing rows past the vocabulary
                if extra:
                    target[new_sum:] = source[old_sum:]
            elif source.shape[0] < target.shape[0]:
                target[: source.shape[0]] = source                    # one field's rows: old ids keep their rows
            else:
                raise WarmStartError(f"parameter {name}: first axis shrinks {source.shape[0]} -> {target.shape[0]}")
            copied += 1
    model.load_state_dict(state)
    return copied
