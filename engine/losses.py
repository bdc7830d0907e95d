"""Output heads: the output activation together with its loss, since the pair decides the math.

A head turns the output layer's pre-activations z, shaped (outputs, points), into losses,
accuracies, the values drawn on the map and, for training, dL/dz in as few NumPy calls as
possible. Losses are computed from z directly, so large logits never overflow.

Heads and their labels (each in its own domain, as the replay format):
- `tanh` + half_square: labels ±1 (the playground's classification)
- `linear` + half_square: real labels (the playground's regression)
- `sigmoid` + cross_entropy: labels 0/1
- `softmax` + softmax_cross_entropy: class indices 0..K-1
- `tanh` K outputs + half_square: class indices, trained against one-hot ±1 targets
"""

from __future__ import annotations

from functools import partial

import numpy as np

from .activations import Op, const, flat


class Head:
    """Base class: `outputs` output nodes; train_ops computes dL/dz divided by `delta_scale`."""

    name = ""
    delta_scale = 1.0
    output = ""
    loss_name = ""
    classes = False  # labels are categories (accuracy applies)

    def __init__(self, outputs: int = 1):
        self.outputs = outputs

    def targets(self, labels: np.ndarray) -> np.ndarray:
        """Training targets (outputs, n) from labels (n,)."""
        return np.ascontiguousarray(labels, dtype=np.float64).reshape(1, -1)

    def train_ops(self, z: np.ndarray, target: np.ndarray, delta: np.ndarray,
                  scratch: np.ndarray) -> list[Op]:
        """Operations writing dL/dz / delta_scale into delta (z may be overwritten)."""
        raise NotImplementedError

    def losses(self, z: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Per-point loss (n,)."""
        raise NotImplementedError

    def loss(self, z: np.ndarray, labels: np.ndarray) -> float:
        return float(np.mean(self.losses(z, labels))) if labels.size else 0.0

    def predict(self, z: np.ndarray) -> np.ndarray:
        """Output node values (outputs, n)."""
        raise NotImplementedError

    def correct(self, z: np.ndarray, labels: np.ndarray) -> np.ndarray | None:
        """Per point: is the prediction the label's class? (n,) bools; None for regression."""
        return None

    def accuracy(self, z: np.ndarray, labels: np.ndarray) -> float | None:
        hits = self.correct(z, labels)
        return None if hits is None else _mean(hits)

    def display(self, z: np.ndarray) -> np.ndarray:
        """(n,) values on the map's −1..1 colour scale (binary and regression heads), in z's dtype."""
        return self.predict(z)[0]

    display_bounded = False  # display values are always within [−1, 1]

    def display_into(self, z: np.ndarray, out: np.ndarray) -> None:
        """display(z) written into out (n,) of z's dtype, without new arrays where it can."""
        np.copyto(out, self.display(z))


class TanhSquare(Head):
    name, output, loss_name, classes = "tanh", "tanh", "half_square", True

    def train_ops(self, z, target, delta, scratch):
        # dL/dz = (a − y)(1 − a²)
        z, target, delta, scratch = flat(z), flat(target), flat(delta), flat(scratch)
        return [partial(np.tanh, z, z), partial(np.subtract, z, target, delta),
                partial(np.multiply, z, z, scratch), partial(np.subtract, const(1.0, z), scratch, scratch),
                partial(np.multiply, delta, scratch, delta)]

    def delta_ops(self, a, target, delta, derivative):
        """dL/dz = (a − y)·f'(z) when a = tanh(z) and f'(z) are already computed (the trainer
        does both together with tanh hidden layers, saving two calls per update)."""
        a, target, delta, derivative = flat(a), flat(target), flat(delta), flat(derivative)
        return [partial(np.subtract, a, target, delta), partial(np.multiply, delta, derivative, delta)]

    def predict(self, z):
        return np.tanh(z)

    display_bounded = True

    def display_into(self, z, out):
        np.tanh(z[0], out=out)

    def losses(self, z, labels):
        return 0.5 * (np.tanh(z[0]) - labels) ** 2

    def correct(self, z, labels):
        return (z[0] >= 0) == (labels > 0)


class LinearSquare(Head):
    name, output, loss_name = "linear", "linear", "half_square"

    def train_ops(self, z, target, delta, scratch):
        return [partial(np.subtract, flat(z), flat(target), flat(delta))]

    def predict(self, z):
        return np.array(z)

    def display_into(self, z, out):
        np.copyto(out, z[0])

    def losses(self, z, labels):
        return 0.5 * (z[0] - labels) ** 2


class SigmoidCrossEntropy(Head):
    name, output, loss_name, classes = "sigmoid", "sigmoid", "cross_entropy", True
    delta_scale = 0.5

    def targets(self, labels):
        # Trained as tanh(z/2) − (2y − 1), which is twice σ(z) − y: one call fewer, same result.
        return (2.0 * np.asarray(labels, dtype=np.float64) - 1.0).reshape(1, -1)

    def train_ops(self, z, target, delta, scratch):
        z, target, delta = flat(z), flat(target), flat(delta)
        return [partial(np.multiply, z, const(0.5, z), z), partial(np.tanh, z, z),
                partial(np.subtract, z, target, delta)]

    def predict(self, z):
        return 0.5 + 0.5 * np.tanh(0.5 * np.asarray(z, dtype=np.float64))

    def losses(self, z, labels):
        z = z[0]
        return np.maximum(z, 0) - labels * z + np.log1p(np.exp(-np.abs(z)))

    def correct(self, z, labels):
        return (z[0] >= 0) == (labels > 0.5)

    def display(self, z):
        return np.tanh(0.5 * z[0])  # 2p − 1

    display_bounded = True

    def display_into(self, z, out):
        np.multiply(z[0], 0.5, out=out)
        np.tanh(out, out=out)


class SoftmaxCrossEntropy(Head):
    name, output, loss_name, classes = "softmax", "softmax", "softmax_cross_entropy", True

    def targets(self, labels):
        return _one_hot(labels, self.outputs, 0.0)

    def train_ops(self, z, target, delta, scratch):
        column = scratch[0]
        # The ufuncs' own reduce methods: np.max and np.sum wrap them in Python-level checks.
        return [partial(np.maximum.reduce, z, 0, None, column), partial(np.subtract, z, column, z),
                partial(np.exp, z, z), partial(np.add.reduce, z, 0, None, column),
                partial(np.divide, z, column, z), partial(np.subtract, flat(z), flat(target), flat(delta))]

    def predict(self, z):
        e = np.exp(z - np.max(z, axis=0))
        return e / np.sum(e, axis=0)

    def losses(self, z, labels):
        top = np.max(z, axis=0)
        log_sum = top + np.log(np.sum(np.exp(z - top), axis=0))
        return log_sum - z[labels.astype(np.intp), np.arange(z.shape[1])]

    def correct(self, z, labels):
        return np.argmax(z, axis=0) == labels


class TanhSquareMulti(TanhSquare):
    """K tanh outputs trained against one-hot ±1 targets: the playground's loss for K classes."""

    def targets(self, labels):
        return _one_hot(labels, self.outputs, -1.0)

    def losses(self, z, labels):
        return 0.5 * np.sum((np.tanh(z) - _one_hot(labels, self.outputs, -1.0)) ** 2, axis=0)

    def correct(self, z, labels):
        return np.argmax(z, axis=0) == labels


def make_head(output: str, loss: str, outputs: int) -> Head:
    """The head for an (output activation, loss) pair; ValueError for a pair that is not offered."""
    pairs = {("tanh", "half_square"): TanhSquareMulti if outputs > 1 else TanhSquare,
             ("linear", "half_square"): LinearSquare,
             ("sigmoid", "cross_entropy"): SigmoidCrossEntropy,
             ("softmax", "softmax_cross_entropy"): SoftmaxCrossEntropy}
    if (output, loss) not in pairs:
        allowed = ", ".join(f"{o}+{l}" for o, l in pairs)
        raise ValueError(f"output/loss: {output}+{loss} is not supported; allowed: {allowed}")
    if output in ("linear", "sigmoid") and outputs != 1:
        raise ValueError(f"num_classes: a {output} output has 1 node, got {outputs}")
    return pairs[(output, loss)](outputs)


def _one_hot(labels: np.ndarray, k: int, off: float) -> np.ndarray:
    labels = np.asarray(labels).astype(np.intp)
    out = np.full((k, labels.size), off)
    out[labels, np.arange(labels.size)] = 1.0
    return out


def _mean(flags: np.ndarray) -> float | None:
    return float(np.mean(flags)) if flags.size else None
