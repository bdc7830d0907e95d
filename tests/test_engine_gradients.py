"""Finite-difference checks: one training update moves every parameter by −lr·(∂L/∂w + penalty′).

For every hidden activation × output head, with no regularization, L1 and L2, a single update on
one batch holding all the points must equal the gradient of the mean data loss (by central
differences of the engine's own loss evaluation) plus the penalty's derivative on weights only.
"""

import zlib

import numpy as np
import pytest

from engine.activations import ACTIVATIONS
from engine.features import design_matrix
from engine.losses import make_head
from engine.model import Model
from engine.network import Layout
from engine.trainer import Settings, Trainer

HEADS = [("tanh", "half_square", 1), ("linear", "half_square", 1), ("sigmoid", "cross_entropy", 1),
         ("softmax", "softmax_cross_entropy", 3), ("tanh", "half_square", 3)]


def _labels(output: str, outputs: int, rng: np.random.Generator, n: int) -> np.ndarray:
    if outputs > 1:
        return rng.integers(0, outputs, n).astype(float)
    if output == "tanh":
        return rng.choice([-1.0, 1.0], n)
    if output == "sigmoid":
        return rng.choice([0.0, 1.0], n)
    return rng.uniform(-1, 1, n)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("head_spec", HEADS, ids=lambda h: f"{h[0]}{h[2]}-{h[1]}")
@pytest.mark.parametrize("regularization", [None, "L1", "L2"])
def test_update_is_minus_lr_times_gradient(activation, head_spec, regularization):
    rng = np.random.default_rng(zlib.crc32(repr((activation, head_spec, regularization)).encode()))
    head = make_head(*head_spec)
    n = 12
    xy = rng.uniform(-3, 3, (n, 2))
    inputs = design_matrix(xy, ("x", "y", "xTimesY"))
    labels = _labels(head_spec[0], head_spec[2], rng, n)
    params = rng.uniform(0.05, 0.8, Layout((3, 4, 3, head.outputs)).size)
    params *= rng.choice([-1.0, 1.0], params.size)  # |w| >= 0.05: no L1 sign flip in one small step
    model = Model(3, [4, 3], activation, head, params)
    before = model.params.copy()
    gradient = _numeric_gradient(model, inputs, labels)
    lr, rate = 1e-3, 0.3
    settings = Settings(learning_rate=lr, regularization=regularization, regularization_rate=rate,
                        batch_size=n, batching="standard")
    trainer = Trainer(model.layout, model.activation, head, model.params, inputs, head.targets(labels), settings)
    trainer.run_epochs(1)
    mask = model.layout.weight_mask()
    penalty = {None: 0.0, "L2": rate * before, "L1": rate * np.sign(before)}[regularization] * mask
    expected = before - lr * (gradient + penalty)
    np.testing.assert_allclose(model.params, expected, rtol=1e-6, atol=1e-9)


def _numeric_gradient(model: Model, inputs: np.ndarray, labels: np.ndarray, h: float = 1e-6) -> np.ndarray:
    params = model.params
    gradient = np.zeros_like(params)
    for i in range(params.size):
        keep = params[i]
        params[i] = keep + h
        up = model.evaluate(inputs, labels)[0]
        params[i] = keep - h
        down = model.evaluate(inputs, labels)[0]
        params[i] = keep
        gradient[i] = (up - down) / (2 * h)
    return gradient


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_derivative_matches_finite_differences(name):
    act = ACTIVATIONS[name]
    z = np.linspace(-4, 4, 81) + 0.0123  # avoid relu's kink at exactly 0
    h = 1e-6
    numeric = (act(z + h) - act(z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(z), numeric, rtol=1e-6, atol=1e-8)


def test_activations_have_their_textbook_values():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    expected = {
        "tanh": np.tanh(z), "relu": np.maximum(z, 0), "sigmoid": 1 / (1 + np.exp(-z)), "linear": z,
        "leaky_relu": np.where(z > 0, z, 0.01 * z), "elu": np.where(z > 0, z, np.exp(z) - 1),
        "swish": z / (1 + np.exp(-z)), "sin": np.sin(z),
    }
    for name, values in expected.items():
        np.testing.assert_allclose(ACTIVATIONS[name](z), values, rtol=1e-12, atol=1e-15, err_msg=name)


def test_losses_are_stable_for_huge_logits():
    z = np.array([[800.0, -800.0, 0.0]])
    ce = make_head("sigmoid", "cross_entropy", 1)
    np.testing.assert_allclose(ce.losses(z, np.array([0.0, 1.0, 1.0])), [800.0, 800.0, np.log(2)])
    sm = make_head("softmax", "softmax_cross_entropy", 3)
    logits = np.array([[1000.0], [0.0], [-1000.0]])
    np.testing.assert_allclose(sm.losses(logits, np.array([1.0])), [1000.0])
    assert np.all(np.isfinite(sm.predict(logits)))
