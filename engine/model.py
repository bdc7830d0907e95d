"""A model: the network's layout, hidden activation, output head and parameters, with evaluation.

Shared by the interactive `Run` and the replay command; it holds no data and does no training.
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS
from .losses import Head
from .network import Layout, forward


class Model:
    """Parameters live in one flat float64 vector (`params`); `weights[l]` are W^(l) views into it."""

    def __init__(self, num_inputs: int, hidden: list[int] | tuple[int, ...], activation: str,
                 head: Head, params: np.ndarray | None = None):
        self.layout = Layout((num_inputs, *hidden, head.outputs))
        self.activation = ACTIVATIONS[activation]
        self.head = head
        self.params = np.zeros(self.layout.size) if params is None else np.asarray(params, dtype=np.float64)
        if self.params.shape != (self.layout.size,):
            raise ValueError(f"params: expected {self.layout.size} values, got {self.params.shape}")
        self.weights = self.layout.views(self.params)

    def logits(self, inputs: np.ndarray, buffer: np.ndarray | None = None,
               scratch: np.ndarray | None = None) -> np.ndarray:
        """Output pre-activations z (outputs, n) for inputs (1 + features, n).

        buffer, scratch: optional buffers to reuse instead of allocating (see network.forward).
        """
        buffer = forward(self.layout, self.weights, self.activation, inputs, buffer, scratch)
        return buffer[self.layout.out_rows(self.layout.num_layers - 1)]

    def evaluate(self, inputs: np.ndarray, labels: np.ndarray) -> tuple[float, float | None]:
        """(mean loss, accuracy or None) on the given points."""
        return self.score(self.logits(inputs), labels)

    def score(self, z: np.ndarray, labels: np.ndarray) -> tuple[float, float | None]:
        """(mean loss, accuracy or None) from output pre-activations z (outputs, n)."""
        if labels.size == 0:
            return 0.0, None
        return self.head.loss(z, labels), self.head.accuracy(z, labels)

    # -- the course's W^(l) and b^(l), without the folded bias column ----------------------------

    def weight_matrices(self) -> list[np.ndarray]:
        """W^(l) (s_{l+1}, s_l) copies: [l][j][i] is the weight from node i of layer l to node j."""
        return [w[:, 1:].copy() for w in self.weights]

    def bias_vectors(self) -> list[np.ndarray]:
        """b^(l) (s_{l+1},) copies: the biases of layer l+1."""
        return [w[:, 0].copy() for w in self.weights]

    def load(self, weights: list, biases: list) -> None:
        """Set every weight and bias from nested lists shaped as weight_matrices / bias_vectors;
        refused (ValueError), it changes nothing."""
        before = self.params.copy()
        problems = []
        for l, w in enumerate(self.weights):
            try:
                w[:, 1:] = np.asarray(weights[l], dtype=np.float64).reshape(w.shape[0], w.shape[1] - 1)
                w[:, 0] = np.asarray(biases[l], dtype=np.float64).reshape(w.shape[0])
            except (IndexError, ValueError, TypeError):
                problems.append(f"layer {l}: expected weights {w.shape[0]}x{w.shape[1] - 1} "
                                f"and {w.shape[0]} biases")
        if len(weights) != len(self.weights) or len(biases) != len(self.weights):
            problems.append(f"expected {len(self.weights)} weight matrices and bias vectors")
        if problems:
            self.params[...] = before
            raise ValueError("weights: " + "; ".join(problems))

    def flat_index(self, layer: int, row: int, column: int) -> int:
        """Position in `params` of W^(layer)[row, column] in the folded layout (column 0 = bias)."""
        offset = sum(r * c for r, c in self.layout.shapes[:layer])
        return offset + row * self.layout.shapes[layer][1] + column


def mean(values: np.ndarray, empty):
    # np.mean costs several microseconds of Python per call; a plain reduction does not.
    if not values.size:
        return empty
    total = np.count_nonzero(values) if values.dtype == bool else np.add.reduce(values)
    return float(total) / values.size


def confusion(head: Head, z: np.ndarray, labels: np.ndarray) -> list[list[int]]:
    """K × K counts of points by true class (rows) and predicted class (columns), from output
    pre-activations z (outputs, n). A binary head's classes are 0 (label −1, or 0 for a sigmoid)
    and 1 (+1, or 1), predicted as Head.correct decides."""
    return Confusion(head, labels).counts(z)


class Confusion:
    """Confusion matrices of fixed points split into training points [:split] and test points
    [split:], prepared once: each epoch then costs three NumPy calls for both matrices, and the
    accuracies are their diagonals (fewer calls than counting hits apart)."""

    def __init__(self, head: Head, labels: np.ndarray, split: int | None = None):
        self.binary = head.outputs == 1
        self.k = k = 2 if self.binary else head.outputs
        truth = (labels > (0.5 if head.name == "sigmoid" else 0)) if self.binary else labels
        split = len(labels) if split is None else split
        side = (np.arange(len(labels)) >= split).astype(np.intp)  # 0 training, 1 test
        self.index = (side * k + truth.astype(np.intp)) * k  # each point's [side][true class] row
        self.sizes = (split, len(labels) - split)

    def matrices(self, z: np.ndarray) -> list[list[list[int]]]:
        """[training, test] K × K counts (rows the true class, columns the predicted)."""
        predicted = z[0] >= 0 if self.binary else np.argmax(z, axis=0)
        k = self.k
        return np.bincount(self.index + predicted, minlength=2 * k * k).reshape(2, k, k).tolist()

    def counts(self, z: np.ndarray) -> list[list[int]]:
        """The matrix of all the points (built with no split) or of the training points."""
        return self.matrices(z)[0]

    def accuracies(self, matrices: list[list[list[int]]]) -> tuple[float | None, float | None]:
        """(training, test) share of points on the diagonals; None for a side with no points."""
        hits = [sum(matrix[i][i] for i in range(self.k)) for matrix in matrices]
        return tuple(h / n if n else None for h, n in zip(hits, self.sizes))  # type: ignore[return-value]


def regression_scores(predicted: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """(R², RMSE) of predictions against labels; R² is 0 when the labels do not vary."""
    if not labels.size:
        return 0.0, 0.0
    residual = predicted - labels
    squares = float(np.dot(residual, residual))
    spread = labels - np.add.reduce(labels) / labels.size
    total = float(np.dot(spread, spread))
    return (1.0 - squares / total if total > 0 else 0.0), (squares / labels.size) ** 0.5
