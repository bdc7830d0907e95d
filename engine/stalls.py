"""When training has stalled: a layer passes (almost) no gradient back, because for nine in ten of
its units and training points the unit sits where its derivative is about zero (tanh or sigmoid
saturated at an end, a dead ReLU), while the training loss is still high.

That is what a too-large learning rate does to a classification network: instead of diverging it
pushes the weights so far that the units saturate, the map goes flat and the loss stops moving.
A smaller learning rate cannot move such weights (its updates are near zero too); new weights can.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .network import Layout

SATURATED = 0.995  # |tanh| at or beyond this: f' = 1 − a² ≤ 0.01 (sigmoid likewise, scaled)
OUTPUT_Z = float(np.arctanh(SATURATED))  # a tanh output saturates where |z| reaches this
SHARE = 0.9  # of a layer's units × training points stuck, for the layer to count as stalled
MIN_LOSS = 0.15  # below this training loss the network has learned something worth keeping
CHECK_EVERY = 10  # epochs between checks while training (the check is a few NumPy calls)


def stuck(activation: str, a: np.ndarray) -> np.ndarray | None:
    """True where a unit with these outputs `a` has a derivative of about zero; None for an
    activation whose derivative never vanishes (linear, leaky ReLU, swish, sin)."""
    if activation == "tanh":
        return np.abs(a) >= SATURATED
    if activation == "sigmoid":
        return np.abs(a - 0.5) >= SATURATED / 2
    if activation == "relu":
        return a <= 0.0
    if activation == "elu":
        return a <= -SATURATED
    return None


def find_stall(layout: Layout, activation: str, head: str, values: np.ndarray, train_loss: float) -> dict[str, Any] | None:
    """The layer that stalls training, if one does: {"layer": "output" or the hidden layer's
    number from 1, "reason": "saturated" or "dead"}.

    values: the evaluation buffer's training columns (layout.rows, n): hidden units' outputs, then
    the output pre-activations z. head: the output head's name ("tanh" heads can saturate; linear,
    sigmoid and softmax cross-entropy outputs pass their error back whatever their value).
    """
    if train_loss < MIN_LOSS or values.shape[1] == 0:
        return None
    if head == "tanh":
        z = values[layout.out_rows(layout.num_layers - 1)]
        if _mostly(np.abs(z) >= OUTPUT_Z):
            return {"layer": "output", "reason": "saturated"}
    for l in range(layout.num_layers - 1):
        mask = stuck(activation, values[layout.out_rows(l)])
        if mask is None:
            return None
        if _mostly(mask):
            return {"layer": l + 1, "reason": "dead" if activation == "relu" else "saturated"}
    return None


def _mostly(mask: np.ndarray) -> bool:
    return np.count_nonzero(mask) >= SHARE * mask.size
