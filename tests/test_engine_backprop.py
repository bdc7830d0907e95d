"""The readable math (engine/backprop.py, Run.backprop, Run.probe): its gradients are the loss's
(central finite differences), its update is the fast trainer's, and its forward pass is the one
the maps and metrics use."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from engine import Run
from engine import backprop as math_
from engine.activations import ACTIVATION_NAMES
from engine.run import HEADS

DATASET = {"classification": "xor", "regression": "reg-plane", "multiclass": "multi-gauss"}
KINDS = sorted(HEADS)  # (problem, loss): every head and loss the engine has


def make(problem: str, loss: str, activation: str, regularization: str = "none", **more) -> Run:
    run = Run({"problem": problem, "loss": loss, "dataset": DATASET[problem], "activation": activation,
               "network_shape": [3, 2], "features": ["x", "y", "xTimesY"], "num_points": 100,
               "regularization": regularization, "regularization_rate": 0.03 if regularization != "none" else 0,
               "learning_rate": 0.03, "batch_size": 7, "seed": "0.3141", **more})
    run.step(2)  # away from the initial weights, and into an epoch with a leftover carried
    return run


@pytest.mark.parametrize("kind,activation,regularization",
                         list(itertools.product(KINDS, ACTIVATION_NAMES, ["none", "L1", "L2"])))
def test_dW_is_the_finite_difference_of_the_batch_loss(kind, activation, regularization):
    run = make(*kind, activation, regularization)
    result = run.backprop()
    index = result["indices"]
    x, labels = run._train_inputs[1:, index], run._train_y[index]
    weights = [W.copy() for W in run.model.weights]
    h = 1e-6
    for l, layer in enumerate(result["layers"]):
        assert layer["W"].shape == layer["dW"].shape == weights[l].shape
        numeric = np.zeros_like(weights[l])
        for j, i in np.ndindex(*weights[l].shape):
            for sign in (1, -1):
                shifted = [W.copy() for W in weights]
                shifted[l][j, i] += sign * h
                numeric[j, i] += sign * math_.backprop(shifted, run.model.activation, run._head, x, labels)["loss"]
        numeric /= 2 * h
        np.testing.assert_allclose(layer["dW"], numeric, atol=1e-6, rtol=1e-5, err_msg=f"layer {l}")
    for l, layer in enumerate(result["layers"][:-1]):  # δ of a hidden layer = g'(z) ⊙ Wᵀδ above
        np.testing.assert_allclose(layer["slope"], run.model.activation.derivative(layer["z"]))
        above = result["layers"][l + 1]
        np.testing.assert_allclose(layer["delta"], layer["slope"] * (above["W"][:, 1:].T @ above["delta"]))
    np.testing.assert_allclose(result["output"], run._head.predict(result["layers"][-1]["z"]))
    # the penalty is not part of `loss`: it is the plain mean data loss of those points
    assert result["loss"] == pytest.approx(float(np.mean(run._head.losses(result["layers"][-1]["z"], labels))))


@pytest.mark.parametrize("kind,activation,regularization",
                         list(itertools.product(KINDS, ACTIVATION_NAMES, ["none", "L1", "L2"])))
def test_one_update_of_the_fast_trainer_is_the_readable_update(kind, activation, regularization):
    run = make(*kind, activation, regularization)
    for _ in range(3):  # three updates in a row, through the epoch's carried leftover
        result = run.backprop()
        expected = math_.sgd_update([layer["W"] for layer in result["layers"]],
                                    [layer["dW"] for layer in result["layers"]], run.config["learning_rate"],
                                    None if regularization == "none" else regularization,
                                    run.config["regularization_rate"],
                                    run.model.layout.views(run.trainer.alive.copy()))
        run.trainer.run_updates(1)
        for l, (W, want) in enumerate(zip(run.model.weights, expected)):
            np.testing.assert_allclose(W, want, atol=1e-12, rtol=0, err_msg=f"layer {l}")
            np.testing.assert_array_equal(result["layers"][l]["W_next"], want)  # what backprop says


def test_the_next_batch_follows_the_playgrounds_batching_and_a_shuffled_order():
    run = Run({"num_points": 50, "train_ratio": 50, "batch_size": 10})  # 25 points: 2 updates, 5 carried
    assert run.next_batch().tolist() == list(range(10))
    run.trainer.run_updates(1)
    assert run.next_batch().tolist() == list(range(10, 20))
    run.step(1)  # ends the epoch; the next begins with the 5 left over and the first 10
    assert run.next_batch().tolist() == [20, 21, 22, 23, 24] + list(range(10))
    shuffled = Run({"num_points": 50, "train_ratio": 50, "batch_size": 10, "batching": "standard"})
    first = shuffled.next_batch()
    assert len(set(first.tolist())) == 10 and set(first.tolist()) <= set(range(25))
    assert shuffled.next_batch().tolist() == first.tolist()  # asking again draws nothing new
    before = [W.copy() for W in shuffled.model.weights]
    result = shuffled.backprop()
    shuffled.trainer.run_updates(1)  # the update uses exactly those points
    expected = math_.sgd_update([layer["W"] for layer in result["layers"]],
                                [layer["dW"] for layer in result["layers"]], shuffled.config["learning_rate"])
    assert any(np.abs(b - a).max() > 0 for a, b in zip(before, shuffled.model.weights))
    for W, want in zip(shuffled.model.weights, expected):
        np.testing.assert_allclose(W, want, atol=1e-12, rtol=0)


def test_backprop_changes_nothing_and_refuses_bad_indices():
    run = Run({"network_shape": [4, 2]})
    params, epoch = run.model.params.copy(), run.epoch
    result = run.backprop([0, 5, 7])
    assert result["indices"].tolist() == [0, 5, 7]
    assert [layer["a"].shape for layer in result["layers"]] == [(3, 3), (5, 3), (3, 3)]
    assert [layer["z"].shape for layer in result["layers"]] == [(4, 3), (2, 3), (1, 3)]
    assert all(layer["delta"].shape == layer["z"].shape for layer in result["layers"])
    assert np.all(result["layers"][1]["a"][0] == 1.0)  # the bias unit a_0 = 1
    np.testing.assert_array_equal(run.model.params, params)
    assert run.epoch == epoch
    for bad in ([], [-1], [250], [1.5], [[0, 1]]):
        with pytest.raises(ValueError, match="indices"):
            run.backprop(bad)


@pytest.mark.parametrize("kind", KINDS)
def test_probe_is_the_forward_pass_the_map_shows(kind):
    run = make(*kind, "tanh")
    probe = run.probe(1.5, -2.0)
    np.testing.assert_allclose(probe["inputs"], [1.5, -2.0, -3.0])  # x, y, xy
    assert [len(layer["z"]) for layer in probe["layers"]] == list(run.layer_sizes[1:])
    np.testing.assert_allclose(probe["layers"][0]["a"], np.tanh(probe["layers"][0]["z"]))
    np.testing.assert_allclose(probe["layers"][-1]["a"], run.predict(np.array([[1.5, -2.0]]))[:, 0], atol=1e-12)
    W = run.model.weights[1]
    np.testing.assert_allclose(probe["layers"][1]["z"], W[:, 0] + W[:, 1:] @ probe["layers"][0]["a"], atol=1e-12)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_gradient_sizes_are_the_mean_abs_dW_over_the_last_epochs_updates(optimizer):
    run = Run({"network_shape": [4, 3], "activation": "sigmoid", "num_points": 50, "batch_size": 10,
               "optimizer": optimizer, "learning_rate": 0.3, "regularization": "L2", "regularization_rate": 0.01})
    assert run.metrics.gradient_sizes is None  # no epoch yet
    run.step(1)  # then an epoch whose first update takes the 5 points left over
    sums, updates = [0.0, 0.0, 0.0], 0
    while True:
        result = run.backprop()
        sums = [s + np.abs(layer["dW"]).sum() for s, layer in zip(sums, result["layers"])]
        updates += 1
        if run.trainer.run_updates(1):
            break
    sizes = [s / (updates * layer["W"].size) for s, layer in zip(sums, result["layers"])]
    np.testing.assert_allclose(run.trainer.gradient_sizes(), sizes, rtol=1e-9)
    assert run.metrics.to_dict()["gradient_sizes"] == run.trainer.gradient_sizes()


def test_a_deep_sigmoid_networks_first_layers_get_the_smallest_gradients():
    sizes = {}
    for activation in ("sigmoid", "relu"):
        run = Run({"network_shape": [8] * 5, "activation": activation, "seed": "0.2"})
        run.step(3)
        sizes[activation] = run.metrics.gradient_sizes
    sigmoid = sizes["sigmoid"]
    assert sigmoid == sorted(sigmoid) and sigmoid[0] < 1e-3 * sigmoid[-1]  # vanishing towards the input
    assert sizes["relu"][0] > 100 * sigmoid[0]


def test_a_diverged_run_has_no_gradient_sizes():
    run = Run({"problem": "regression", "dataset": "reg-plane", "learning_rate": 10, "network_shape": [8, 8]})
    run.step(50)
    assert run.diverged and run.metrics.gradient_sizes is None and run.metrics.to_dict()["gradient_sizes"] is None
