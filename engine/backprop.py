"""The engine's math, written as the course writes it: forward propagation, one backward pass and
one gradient-descent update, layer by layer, to be read next to the slides.

The trainer (engine/trainer.py) computes the same thing as a prepared list of NumPy calls over
shared buffers, which is fast and hard to read; tests check that one of its updates equals the
update this code computes (tests/test_engine_backprop.py). Here, for weight matrices l = 0 … L−1
(the course's W^(1) … W^(L)):

    a^(0) = [1; x]                                    the inputs with the bias unit a_0 = 1
    z^(l+1) = W^(l) a^(l)                             W^(l): s_{l+1} rows, s_l + 1 columns
    a^(l+1) = [1; g(z^(l+1))]                         hidden layers; the output is the head's
    J = (1/m) Σ_i loss(z_i^(L), y_i)                  the mean over the m points of the batch
    δ^(L) = dJ/dz^(L)                                 (1/m)(a^(L) − y) for the course's heads
    δ^(l) = g'(z^(l)) ⊙ (W^(l) without its bias column)ᵀ δ^(l+1)      for l = L−1 … 1
    dJ/dW^(l) = δ^(l+1) a^(l)ᵀ
    W^(l) ← W^(l) − α dJ/dW^(l), with the regularization's decay on the weights (not the biases)

Arrays are columns per point, as in the course: a batch of m points is m columns.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .activations import Activation
from .losses import Head


def forward(weights: list[np.ndarray], g: Activation, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Forward propagation. x: (features, m) feature values. Returns (a, z): a[l] is a^(l) with its
    leading row of ones, the input of weight matrix l; z[l] = W^(l) a^(l), the pre-activations it
    gives (z[-1] is the output layer's, which the head turns into outputs and losses)."""
    a = [np.vstack([np.ones((1, x.shape[1])), x])]
    z = []
    for l, W in enumerate(weights):
        z.append(W @ a[l])
        if l < len(weights) - 1:  # a hidden layer: g(z), and the next layer's bias unit
            a.append(np.vstack([np.ones((1, x.shape[1])), g(z[l])]))
    return a, z


def output_delta(head: Head, z: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """δ^(L) = dJ/dz^(L) for J the mean loss over the batch's m columns, per head:
    sigmoid + cross-entropy and softmax + cross-entropy: (a − y)/m (y: 0/1, or one-hot);
    linear + ½ squared error: (z − y)/m; tanh + ½ squared error: (a − y)(1 − a²)/m (y: ±1, or
    one-hot ±1 for several classes)."""
    m = z.shape[1]
    if head.name == "sigmoid":
        a, y = 1.0 / (1.0 + np.exp(-z)), labels.reshape(1, -1)
        return (a - y) / m
    if head.name == "softmax":
        e = np.exp(z - z.max(axis=0, keepdims=True))
        a = e / e.sum(axis=0, keepdims=True)
        y = np.zeros_like(a)
        y[labels.astype(int), np.arange(m)] = 1.0
        return (a - y) / m
    if head.name == "linear":
        return (z - labels.reshape(1, -1)) / m
    if head.name == "tanh":
        a, y = np.tanh(z), head.targets(labels)
        return (a - y) * (1.0 - a * a) / m
    raise ValueError(f"head: no output delta for {head.name!r}")


def backprop(weights: list[np.ndarray], g: Activation, head: Head, x: np.ndarray,
             labels: np.ndarray) -> dict[str, Any]:
    """One forward and one backward pass over a batch: {"loss": J, "layers": [{"W", "dW", "a",
    "z", "delta"} for each weight matrix l], "output": the head's values of the output layer (the
    prediction ŷ for each point), "labels": y}, where dW = dJ/dW^(l), a = a^(l) (its input, with the
    ones row), z = W^(l) a^(l), delta = δ = dJ/dz of that layer and, for hidden layers, "slope" =
    g'(z). J has no regularization term."""
    a, z = forward(weights, g, x)
    L = len(weights)
    loss = float(np.mean(head.losses(z[-1], labels)))
    delta = [np.empty(0)] * L
    delta[L - 1] = output_delta(head, z[-1], labels)
    for l in range(L - 1, 0, -1):  # back through W^(l) to the layer below: g'(z) ⊙ Wᵀδ
        delta[l - 1] = g.derivative(z[l - 1]) * (weights[l][:, 1:].T @ delta[l])
    layers = [{"W": W.copy(), "dW": delta[l] @ a[l].T, "a": a[l], "z": z[l], "delta": delta[l]}
              for l, W in enumerate(weights)]
    for l in range(L - 1):  # g'(z) of each hidden layer, the factor of its δ
        layers[l]["slope"] = g.derivative(z[l])
    return {"loss": loss, "layers": layers, "output": head.predict(z[-1]), "labels": np.array(labels, dtype=np.float64)}


def sgd_update(weights: list[np.ndarray], gradients: list[np.ndarray], learning_rate: float,
               regularization: str | None = None, rate: float = 0.0,
               alive: list[np.ndarray] | None = None) -> list[np.ndarray]:
    """The new W^(l) after one step of gradient descent, as the playground takes it:
    W ← W − α dJ/dW; then, on the weights only (column 0, the biases, is not regularized),
    L2: the weights before the step shrink by α·rate·W (W(1 − α·rate) − α dJ/dW);
    L1: each moves α·rate towards zero by the sign it had before the step, and one that this
    pushes across zero becomes 0, and stays 0 from then on (nn.ts isDead): `alive` holds, per
    matrix, 1 for a link that trains and 0 for one that L1 has ended (the trainer's `alive`)."""
    updated = []
    for l, (W, dW) in enumerate(zip(weights, gradients)):
        decay = np.zeros_like(W)
        decay[:, 1:] = learning_rate * rate
        if regularization == "L2":
            new = W * (1.0 - decay) - learning_rate * dW
        elif regularization == "L1":
            stepped = W - learning_rate * dW
            new = stepped - decay * np.sign(W)
            new[stepped * new < 0] = 0.0
        else:
            new = W - learning_rate * dW
        if alive is not None:
            new = new * alive[l]
        updated.append(new)
    return updated
