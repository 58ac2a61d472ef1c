"""Raw anomaly score of an event from its per-field surprisal; src/scorer/raw-score.ts is the same rule.

A field's surprisal is counted in units of that field's mean held-out surprisal: a field that is almost always
predictable (success, auth_type, logon_type) deviating says more than a field that varies by habit (dst_host,
hour) deviating by the same number of nats. raw = mean over fields f of surprisal_f * w_f, with
w_f = 1 / (mean held-out surprisal of f + WEIGHT_FLOOR).
"""
import numpy as np

WEIGHT_FLOOR = 0.01  # nats; bounds the weight of a field that is never surprising in held-out data at 100


def field_weights(val_surprisal):
    """(N_val, F) held-out surprisal in nats -> (F,) float64 weights."""
    return 1.0 / (np.asarray(val_surprisal, dtype=np.float64).mean(axis=0) + WEIGHT_FLOOR)


def raw_scores(surprisal, weights):
    """(N, F) surprisal in nats, (F,) weights -> (N,) raw scores."""
    return (np.asarray(surprisal, dtype=np.float64) * np.asarray(weights, dtype=np.float64)).mean(axis=1)


def max_scores(surprisal, weights):
    """(N, F) surprisal in nats, (F,) weights -> (N,) the largest weighted surprisal (kinds.json raw_score "max")."""
    return (np.asarray(surprisal, dtype=np.float64) * np.asarray(weights, dtype=np.float64)).max(axis=1)


# kinds.json "raw_score" -> (weights from held-out surprisal, raw scores); "max" scores the most surprising token
# itself, so its weights are 1
RULES = {
    "weighted-mean": (field_weights, raw_scores),
    "max": (lambda val: np.ones(np.asarray(val).shape[1]), max_scores),
}
