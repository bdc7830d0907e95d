"""A too-large learning rate on classification saturates the network instead of diverging: the
engine says which layer stalled and why, a smaller learning rate alone does not revive it, and new
weights do. Or it keeps the units short of their ends and makes the weights jump at every update
while the loss stays flat: the engine says the rate is too fast, and how far the weights jump.
Healthy or finished runs are never reported as stalled."""

from __future__ import annotations

import numpy as np
import pytest

from engine import Run
from engine.stalls import FAST_STEP, PLATEAU, find_stall, stuck, typical_steps


def test_a_huge_learning_rate_saturates_the_output_and_only_new_weights_help():
    run = Run({"learning_rate": 10, "seed": "0.03"})
    stalled = run.step(300)
    assert not stalled.diverged and stalled.stalled == {"layer": "output", "reason": "saturated"}
    assert stalled.train_loss > 0.5  # the map went flat: half the points are wrong, confidently
    run.configure({"learning_rate": 0.03})  # live: the same saturated weights, smaller steps
    after = run.step(300)
    assert after.stalled == stalled.stalled and after.train_loss == pytest.approx(stalled.train_loss, abs=0.01)
    run.reset()
    fresh = run.step(300)
    assert fresh.stalled is None and fresh.train_loss < 0.1


def test_dead_relus_stall_a_hidden_layer():
    run = Run({"dataset": "xor", "activation": "relu", "learning_rate": 3, "seed": "0.1"})
    assert run.step(200).stalled == {"layer": 2, "reason": "dead"}


def test_relus_that_start_at_zero_are_dead_once_training_starts():
    run = Run({"init": "zeros", "activation": "relu", "dataset": "xor"})
    assert run.metrics.stalled is None  # a new network has not stalled: it has not trained
    assert run.step(20).stalled == {"layer": 1, "reason": "dead"}


@pytest.mark.parametrize("config", [
    {"dataset": "gauss", "learning_rate": 3},  # saturated, but right: nothing to revive
    {"dataset": "circle"},
    {"dataset": "spiral", "network_shape": [8, 8], "learning_rate": 0.03},
    {"dataset": "xor", "activation": "linear", "learning_rate": 0.3},
    {"problem": "regression", "dataset": "reg-plane"},
    {"problem": "multiclass", "loss": "cross_entropy"},
])
def test_ordinary_runs_never_stall(config):
    run = Run({**config, "seed": "0.5"})
    for _ in range(30):  # as a server trains: a check every 10 epochs, so plateaus are judged too
        assert run.step(10).stalled is None


def train_in_tens(run: Run, epochs: int):
    for _ in range(epochs // 10):
        metrics = run.step(10)
    return metrics


def test_a_rate_too_large_for_sigmoid_units_says_the_weights_jump_and_a_smaller_rate_helps():
    run = Run({"dataset": "spiral", "activation": "sigmoid", "loss": "cross_entropy", "learning_rate": 10, "seed": 1})
    stalled = train_in_tens(run, 300)
    assert stalled.stalled is not None and not stalled.diverged and stalled.train_loss > 0.6
    stall = stalled.stalled
    assert (stall["layer"], stall["reason"], stall["matrix"]) == ("output", "too_fast", 2)
    # The step it reports is the rate times the matrix's mean gradient, the largest of the three.
    steps = [10 * size for size in stalled.gradient_sizes]
    assert stall["step"] == pytest.approx(steps[2]) and stall["step"] == max(steps) >= FAST_STEP
    # Nothing is stuck, so a smaller rate alone does help here: the note goes, the steps shrink
    # and the loss falls again.
    run.configure({"learning_rate": 0.3})
    assert run.step(10).stalled is None
    after = train_in_tens(run, 300)
    assert after.stalled is None and after.train_loss < stalled.train_loss - 0.05
    assert 0.3 * max(after.gradient_sizes) < FAST_STEP / 10


def test_a_rate_is_too_fast_only_when_the_loss_has_stopped_falling():
    layout = Run({"activation": "linear"}).model.layout
    values = np.zeros((layout.rows, 10))  # linear units: never stuck
    flat, falling = [0.7] * PLATEAU, [0.9, 0.88, 0.86, 0.84, 0.82, 0.80]
    assert find_stall(layout, "linear", "sigmoid", values, 0.7, [0.1, 0.2, 0.9], flat) == {
        "layer": "output", "reason": "too_fast", "matrix": 2, "step": 0.9}
    assert find_stall(layout, "linear", "sigmoid", values, 0.7, [0.9, 0.2, 0.1], flat)["layer"] == 1
    assert find_stall(layout, "linear", "sigmoid", values, 0.8, [0.1, 0.2, 0.9], falling) is None
    assert find_stall(layout, "linear", "sigmoid", values, 0.7, [0.1, 0.2, 0.9], flat[1:]) is None  # too soon
    assert find_stall(layout, "linear", "sigmoid", values, 0.7, [0.1, 0.2, 0.4], flat) is None  # small steps
    assert find_stall(layout, "linear", "sigmoid", values, 0.1, [0.1, 0.2, 0.9], [0.1] * PLATEAU) is None  # learned


def test_typical_steps_follow_the_optimizer():
    assert typical_steps([0.1, 0.02], "sgd", 3, 0.9) == pytest.approx([0.3, 0.06])
    assert typical_steps([0.1, 0.02], "momentum", 3, 0.9) == pytest.approx([3.0, 0.6])
    assert typical_steps([0.1, 0.02], "adam", 3, 0.9) == [3, 3]
    assert typical_steps(None, "sgd", 3, 0.9) is None


def test_what_counts_as_stuck_for_each_activation():
    a = np.array([-1.0, -0.999, -0.5, 0.0, 0.5, 0.996, 1.0])
    assert stuck("tanh", a).tolist() == [True, True, False, False, False, True, True]
    assert stuck("relu", a).tolist() == [True, True, True, True, False, False, False]
    assert stuck("sigmoid", np.array([0.001, 0.5, 0.999])).tolist() == [True, False, True]
    assert stuck("linear", a) is None and stuck("leaky_relu", a) is None
