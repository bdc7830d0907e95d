"""A too-large learning rate on classification saturates the network instead of diverging: the
engine says which layer stalled and why, a smaller learning rate alone does not revive it, and new
weights do; healthy or finished runs are never reported as stalled."""

from __future__ import annotations

import numpy as np
import pytest

from engine import Run
from engine.stalls import stuck


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
    for _ in range(3):
        assert run.step(100).stalled is None


def test_what_counts_as_stuck_for_each_activation():
    a = np.array([-1.0, -0.999, -0.5, 0.0, 0.5, 0.996, 1.0])
    assert stuck("tanh", a).tolist() == [True, True, False, False, False, True, True]
    assert stuck("relu", a).tolist() == [True, True, True, True, False, False, False]
    assert stuck("sigmoid", np.array([0.001, 0.5, 0.999])).tolist() == [True, False, True]
    assert stuck("linear", a) is None and stuck("leaky_relu", a) is None
