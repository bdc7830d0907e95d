"""When training has stalled: a layer passes (almost) no gradient back, because for nine in ten of
its units and training points the unit sits where its derivative is about zero (tanh or sigmoid
saturated at an end, a dead ReLU), while the training loss is still high.

That is what a too-large learning rate does to a classification network: instead of diverging it
pushes the weights so far that the units saturate, the map goes flat and the loss stops moving.
A smaller learning rate cannot move such weights (its updates are near zero too); new weights can.

A rate too large can also keep the units just short of their ends and make the weights jump at
every update instead (sigmoid units with cross-entropy, say): the loss then stays high and flat
without any layer stuck. That is the third reason, "too_fast": a weight matrix moves by about
FAST_STEP or more an update on average, and the training loss has not fallen over the last
PLATEAU checks.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .network import Layout

SATURATED = 0.995  # |tanh| at or beyond this: f' = 1 − a² ≤ 0.01 (sigmoid likewise, scaled)
OUTPUT_Z = float(np.arctanh(SATURATED))  # a tanh output saturates where |z| reaches this
SHARE = 0.9  # of a layer's units × training points stuck, for the layer to count as stalled
MIN_LOSS = 0.15  # below this training loss the network has learned something worth keeping
CHECK_EVERY = 10  # epochs between checks while training (the check is a few NumPy calls)
FAST_STEP = 0.5  # mean |change| of a matrix's weights an update: half a unit (healthy runs: under 0.1)
PLATEAU = 6  # checks (50 epochs between the first and the last) without the loss falling by
FLAT = 0.01  # this share: the loss is not going anywhere


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


def find_stall(layout: Layout, activation: str, head: str, values: np.ndarray, train_loss: float,
               steps: Sequence[float] | None = None, losses: Sequence[float] = ()) -> dict[str, Any] | None:
    """The layer that stalls training, if one does: {"layer": "output" or the hidden layer's
    number from 1, "reason": "saturated", "dead" or "too_fast"}; a "too_fast" one also says which
    weight `matrix` (0 … L−1, the one into that layer) moves most and its `step`, its weights'
    mean change an update.

    values: the evaluation buffer's training columns (layout.rows, n): hidden units' outputs, then
    the output pre-activations z. head: the output head's name ("tanh" heads can saturate; linear,
    sigmoid and softmax cross-entropy outputs pass their error back whatever their value).
    steps: per weight matrix, its weights' mean change an update (typical_steps), or None.
    losses: the training loss at the last checks, oldest first.
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
            break
        if _mostly(mask):
            return {"layer": l + 1, "reason": "dead" if activation == "relu" else "saturated"}
    return _too_fast(steps, losses)


def typical_steps(gradient_sizes: Sequence[float] | None, optimizer: str, learning_rate: float,
                  momentum: float) -> list[float] | None:
    """Per weight matrix, about how far an update moves its weights: learning rate × mean |dJ/dW|
    for SGD; with momentum, steady steps add up to 1 / (1 − momentum) times that; Adam's steps are
    about the learning rate whatever the gradient (biases included, penalties not)."""
    if gradient_sizes is None:
        return None
    if optimizer == "adam":
        return [learning_rate] * len(gradient_sizes)
    scale = learning_rate / (1.0 - momentum) if optimizer == "momentum" else learning_rate
    return [scale * size for size in gradient_sizes]


def _too_fast(steps: Sequence[float] | None, losses: Sequence[float]) -> dict[str, Any] | None:
    if not steps or len(losses) < PLATEAU:
        return None
    recent = losses[-PLATEAU:]
    half = PLATEAU // 2
    if min(recent[half:]) < (1.0 - FLAT) * min(recent[:half]):
        return None  # still learning
    step = max(steps)
    if step < FAST_STEP:
        return None
    l = list(steps).index(step)
    return {"layer": "output" if l == len(steps) - 1 else l + 1, "reason": "too_fast", "matrix": l, "step": step}


def _mostly(mask: np.ndarray) -> bool:
    return np.count_nonzero(mask) >= SHARE * mask.size
