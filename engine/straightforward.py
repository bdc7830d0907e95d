"""The straightforward NumPy MLP of docs/benchmarks.md, the yardstick for the engine's speed.

float64 throughout, `a @ W + b`, a list of layers, one batch at a time with fresh arrays: the
plain way to write it. `python -m engine.bench` times it on the same machine and the same work
as the engine, so the speed-up it reports does not depend on whose computer ran the table.
"""

from __future__ import annotations

import numpy as np


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


class StraightforwardMLP:
    """Hidden layers with tanh or relu, one sigmoid output, mean binary cross-entropy."""

    def __init__(self, sizes: list[int], activation: str, weights: list[np.ndarray], biases: list[np.ndarray]):
        # weights[l]: (s_l, s_{l+1}) so that a @ W + b; biases[l]: (s_{l+1},)
        self.sizes, self.activation = sizes, activation
        self.W = [w.copy() for w in weights]
        self.b = [b.copy() for b in biases]

    def _act(self, z: np.ndarray) -> np.ndarray:
        return np.tanh(z) if self.activation == "tanh" else np.maximum(z, 0.0)

    def _act_grad(self, a: np.ndarray) -> np.ndarray:
        return 1.0 - a * a if self.activation == "tanh" else (a > 0).astype(np.float64)

    def forward(self, x: np.ndarray) -> list[np.ndarray]:
        """Activations of every layer for x (n, inputs); the last is the output probability."""
        acts = [x]
        for l, (w, b) in enumerate(zip(self.W, self.b)):
            z = acts[-1] @ w + b
            acts.append(_sigmoid(z) if l == len(self.W) - 1 else self._act(z))
        return acts

    def train_step(self, x: np.ndarray, y: np.ndarray, lr: float, l2: float) -> None:
        acts = self.forward(x)
        delta = (acts[-1] - y) / len(x)
        for l in range(len(self.W) - 1, -1, -1):
            grad_w, grad_b = acts[l].T @ delta, delta.sum(axis=0)
            if l:
                delta = (delta @ self.W[l].T) * self._act_grad(acts[l])
            self.W[l] -= lr * grad_w + lr * l2 * self.W[l]
            self.b[l] -= lr * grad_b

    def loss(self, x: np.ndarray, y: np.ndarray) -> float:
        p = self.forward(x)[-1]
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    def epoch(self, x, y, x_test, y_test, batch: int, lr: float, l2: float) -> tuple[float, float]:
        for start in range(0, len(x), batch):
            self.train_step(x[start:start + batch], y[start:start + batch], lr, l2)
        return self.loss(x, y), self.loss(x_test, y_test)

    def grids(self, points: np.ndarray) -> list[np.ndarray]:
        """Every hidden layer's and the output's activations over the grid points."""
        return self.forward(points)[1:]

    @staticmethod
    def to_bytes(grids: list[np.ndarray]) -> list[np.ndarray]:
        return [((np.clip(g, -1, 1) + 1) * 127.5).astype(np.uint8) for g in grids]
