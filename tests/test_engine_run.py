"""The Run API: playground-exact data and weights, determinism, live changes, editing, divergence."""

import json
from pathlib import Path

import numpy as np
import pytest

from engine import ConfigError, Run
from engine.seedrandom import SeedRandom

PARITY = Path(__file__).parent / "fixtures" / "parity"


@pytest.mark.parametrize("name, dataset, shape, activation", [
    ("pg-circle-relu-l2", "circle", [4, 2], "relu"),
    ("pg-spiral-tanh-4-2", "spiral", [4, 2], "tanh"),
])
def test_seed_gives_the_original_playgrounds_points_and_weights(name, dataset, shape, activation):
    """The pg-* files were made by the original under seed "0.12345": same data, same start."""
    spec = json.loads((PARITY / f"{name}.json").read_text())
    run = Run({"dataset": dataset, "seed": "0.12345", "network_shape": shape, "activation": activation})
    np.testing.assert_allclose(run.data.train_xy, spec["train"]["points"], atol=1e-12)
    np.testing.assert_array_equal(run.data.train_labels, spec["train"]["labels"])
    np.testing.assert_allclose(run.data.test_xy, spec["test"]["points"], atol=1e-12)
    for mine, theirs in zip(run.weights(), spec["initial"]["weights"]):
        np.testing.assert_array_equal(mine, theirs)
    for mine, theirs in zip(run.biases(), spec["initial"]["biases"]):
        np.testing.assert_array_equal(mine, theirs)


def test_seedrandom_matches_the_reference_stream():
    # First outputs of seedrandom.js for seed "hello." (its README's example value 0.9282578795792454).
    assert SeedRandom("hello.").random() == pytest.approx(0.9282578795792454, abs=1e-16)


def test_same_config_same_run():
    config = {"dataset": "xor", "noise": 30, "seed": "0.777", "batching": "standard", "optimizer": "adam"}
    a, b = Run(config), Run(config)
    assert a.step(25) == b.step(25)
    for wa, wb in zip(a.weights(), b.weights()):
        np.testing.assert_array_equal(wa, wb)


def test_different_seed_different_data():
    assert not np.array_equal(Run({"seed": "1"}).data.train_xy, Run({"seed": "2"}).data.train_xy)


def test_standard_batching_reshuffles_each_epoch():
    base = {"batching": "standard", "batch_size": 10}
    a = Run(base)
    b = Run({**base, "batching": "playground"})
    a.step(1), b.step(1)
    assert a.metrics.train_loss != b.metrics.train_loss  # same data and weights, other order


def test_reset_draws_new_weights_and_a_reload_repeats_the_first():
    run = Run({"seed": "0.5"})
    first = run.weights()
    run.step(10)
    run.reset()
    assert run.epoch == 0
    assert not np.array_equal(run.weights()[0], first[0])
    np.testing.assert_array_equal(Run({"seed": "0.5"}).weights()[0], first[0])


def test_structural_change_gives_the_weights_a_fresh_load_would():
    run = Run({"seed": "0.5"})
    run.step(5)
    assert run.configure({"activation": "relu"}) == "reset"
    assert run.epoch == 0
    fresh = Run({"seed": "0.5", "activation": "relu"})
    np.testing.assert_array_equal(run.weights()[0], fresh.weights()[0])


def test_every_network_change_trains_and_scores():
    run = Run()
    for update in ({"features": ["x", "y", "sinX"]}, {"network_shape": [8, 8, 8]}, {"network_shape": []},
                   {"activation": "swish"}, {"loss": "cross_entropy"}, {"optimizer": "momentum"},
                   {"regularization": "L1", "regularization_rate": 0.01}, {"batching": "standard"},
                   {"problem": "multiclass", "num_classes": 4}, {"problem": "regression"}):
        run.configure(update)
        metrics = run.step(2)
        assert metrics.epoch == 2 and np.isfinite(metrics.test_loss), update
        assert run.grids().output.shape == (10000,)


def test_learning_rate_applies_live():
    run = Run()
    run.step(5)
    weights = run.weights()
    assert run.configure({"learning_rate": 0.3}) == "live"
    assert run.epoch == 5
    np.testing.assert_array_equal(run.weights()[0], weights[0])
    fast, slow = Run(), Run()
    fast.step(5), slow.step(5)
    fast.configure({"learning_rate": 1})
    fast.step(1), slow.step(1)
    move_fast = np.abs(fast.weights()[0] - weights[0]).sum()
    move_slow = np.abs(slow.weights()[0] - weights[0]).sum()
    assert move_fast > 10 * move_slow


@pytest.mark.parametrize("start", [10, 1])
def test_a_live_learning_rate_below_a_whole_number_one_trains_at_that_rate(start):
    # A rate from JSON or the hash is an int when whole (10, not 10.0): lowering it live to 0.03
    # must train at 0.03, as from 10.0, not at 0 (an int array truncates 0.03 to 0).
    whole, real = Run({"learning_rate": start}), Run({"learning_rate": float(start)})
    whole.step(5), real.step(5)
    before = whole.weights()[0].copy()
    for run in (whole, real):
        assert run.configure({"learning_rate": 0.03}) == "live"
        run.step(1)
    assert np.abs(whole.weights()[0] - before).sum() > 0
    np.testing.assert_array_equal(whole.weights()[0], real.weights()[0])


def test_regenerate_changes_seed_and_data_but_keeps_weights():
    run = Run()
    run.step(3)
    weights, points, seed = run.weights(), run.data.train_xy.copy(), run.config["seed"]
    run.regenerate()
    assert run.config["seed"] != seed
    assert not np.array_equal(run.data.train_xy, points)
    np.testing.assert_array_equal(run.weights()[0], weights[0])


def test_data_change_makes_new_data():
    run = Run()
    points = run.data.train_xy.copy()
    assert run.configure({"dataset": "spiral"}) == "data"
    assert not np.array_equal(points, run.data.train_xy)
    assert run.configure({"num_points": 200, "train_ratio": 30}) == "data"
    assert (len(run.data.train_xy), len(run.data.test_xy)) == (60, 140)


def test_set_weight_and_bias_change_the_output():
    run = Run({"network_shape": [], "features": ["x"]})
    run.set_weight(0, 0, 0, 2.0)
    run.set_bias(0, 0, -1.0)
    assert run.weights()[0][0, 0] == 2.0 and run.biases()[0][0] == -1.0
    np.testing.assert_allclose(run.predict([[1.0, 0.0], [0.0, 5.0]])[0], np.tanh([1.0, -1.0]))


@pytest.mark.parametrize("args, field", [
    ((5, 0, 0, 1.0), "layer"), ((0, 9, 0, 1.0), "from"), ((0, 0, 9, 1.0), "to"),
    ((0, 0, 0, float("nan")), "value"), ((0, 0, 0, "1"), "value"), ((0, 0, 0, 1e9), "value"),
])
def test_set_weight_rejects_bad_input(args, field):
    run = Run()
    with pytest.raises(ConfigError) as info:
        run.set_weight(*args)
    assert info.value.errors[0][0] == field


def test_a_run_keeps_its_hand_edits_until_its_network_is_made_new():
    run = Run({"network_shape": [2]})
    run.set_bias(1, 0, 3)
    run.set_weight(0, 1, 0, -2)
    run.set_weight(0, 0, 1, np.float64(0.5))
    run.set_weight(0, 1, 0, -2.5)  # the last edit of a weight wins
    expected = [{"layer": 0, "from": 1, "to": 0, "value": -2.5}, {"layer": 0, "from": 0, "to": 1, "value": 0.5},
                {"layer": 1, "node": 0, "value": 3.0}]
    assert run.edits == expected  # in the parameters' order
    run.step(3)
    run.regenerate()
    run.configure({"learning_rate": 0.3})
    assert run.edits == expected  # training, new data and a live change keep the record
    run.reset()
    assert run.edits == []
    run.set_bias(0, 1, 1)
    run.configure({"activation": "relu"})
    assert run.edits == []
    with pytest.raises(ConfigError):
        run.set_bias(0, 5, 1)
    assert run.edits == []  # a refused edit is not recorded


def test_set_weight_revives_an_l1_dead_link():
    run = Run({"regularization": "L1", "regularization_rate": 1, "learning_rate": 1, "network_shape": []})
    run.step(20)
    dead = np.argwhere(run.weights()[0] == 0)
    assert len(dead), "strong L1 should kill at least one link"
    j, i = dead[0]
    run.step(1)
    assert run.weights()[0][j, i] == 0.0  # dead links stay at 0
    run.configure({"learning_rate": 0.01})  # live: same network, smaller steps
    run.set_weight(0, int(i), int(j), 0.5)
    run.step(1)
    assert 0.0 < run.weights()[0][j, i] < 0.5  # trained again (its gradient and L1 decay), not held at 0


def test_divergence_is_reported_rolled_back_and_cleared_by_reset():
    run = Run({"problem": "regression", "dataset": "reg-gauss", "activation": "relu", "learning_rate": 10,
               "network_shape": [8, 8, 8]})
    metrics = run.step(50)
    assert metrics.diverged
    assert np.isfinite(metrics.train_loss) and np.isfinite(metrics.test_loss)
    assert all(np.all(np.isfinite(w)) for w in run.weights())
    grids = run.grids()
    assert grids.output.dtype == np.uint8
    epoch = run.epoch
    assert run.step(5).epoch == epoch  # frozen while diverged
    metrics = run.reset()
    assert not metrics.diverged and metrics.epoch == 0


def test_accuracy_only_for_classification():
    assert Run().metrics.test_accuracy is not None
    assert Run({"problem": "regression"}).metrics.test_accuracy is None


def test_zero_initialization():
    run = Run({"init": "zeros"})
    assert all(np.all(w == 0) for w in run.weights()) and all(np.all(b == 0) for b in run.biases())


def test_engine_handles_the_largest_network():
    run = Run({"network_shape": [32] * 8, "features": ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"]})
    assert run.layer_sizes == (7, *[32] * 8, 1)
    assert np.isfinite(run.step(2).train_loss)
    assert run.grids().neurons.shape == (256, 10000)


@pytest.mark.parametrize("settings", [
    {},
    {"batching": "standard", "batch_size": 7},
    {"optimizer": "adam", "regularization": "L1", "regularization_rate": 0.003, "batch_size": 3},
    {"optimizer": "momentum", "momentum": 0.9, "regularization": "L2", "regularization_rate": 0.01, "batch_size": 1},
])
def test_an_epoch_trained_in_slices_is_exactly_the_epoch_trained_whole(settings):
    config = {"dataset": "spiral", "network_shape": [6, 4], "seed": "0.5", **settings}
    whole, sliced = Run(config), Run(config)
    whole.step(4)
    slices = 0
    while sliced.epoch < 4:
        metrics_before = sliced.metrics
        finished = sliced.step_for(0.0)  # the shortest slice there is: a few updates
        slices += 1
        if not finished:  # between epochs nothing shows: the last complete epoch's numbers stay
            assert sliced.in_epoch and sliced.metrics == metrics_before
    assert slices > 8 and not sliced.in_epoch
    np.testing.assert_array_equal(whole.model.params, sliced.model.params)
    assert whole.metrics == sliced.metrics


def test_step_finishes_an_epoch_a_slice_began_and_a_new_network_drops_it():
    config = {"dataset": "circle", "network_shape": [4], "seed": "0.7", "batch_size": 1}
    whole, sliced = Run(config), Run(config)
    whole.step(3)
    assert not sliced.step_for(0.0) and sliced.in_epoch
    sliced.step(3)  # the first of these three finishes the epoch begun in slices
    assert sliced.epoch == 3 and not sliced.in_epoch
    np.testing.assert_array_equal(whole.model.params, sliced.model.params)
    sliced.step_for(0.0)
    sliced.configure({"network_shape": [5]})
    assert not sliced.in_epoch and sliced.epoch == 0


def test_divergence_found_at_the_end_of_a_sliced_epoch_rolls_back_to_its_start():
    run = Run({"problem": "regression", "dataset": "reg-gauss", "activation": "relu", "learning_rate": 10,
               "network_shape": [8, 8, 8]})
    start = run.model.params.copy()
    for _ in range(5000):
        if not run.in_epoch:
            start = run.model.params.copy()  # where the epoch about to be sliced begins
        run.step_for(0.0)
        if run.diverged:
            break
    assert run.diverged
    np.testing.assert_array_equal(run.model.params, start)  # the last complete epoch's weights
    assert np.isfinite(run.metrics.train_loss) and not run.step_for(1.0)


def test_networks_made_in_steps_are_exactly_those_made_at_once_and_refusals_come_first():
    from engine.steps import finish
    big = {"dataset": "spiral", "network_shape": [16, 16, 16], "num_points": 1000, "seed": "0.42"}
    steps = Run.in_steps(big)
    pauses = 0
    while True:
        try:
            next(steps)
            pauses += 1
        except StopIteration as done:
            made = done.value
            break
    assert pauses >= 3  # after the checks, after the data and after the weights
    direct = Run(big)
    np.testing.assert_array_equal(made.model.params, direct.model.params)
    assert made.metrics == direct.metrics and made.data.train_xy.tolist() == direct.data.train_xy.tolist()
    for change in ({"network_shape": [5, 3]}, {"seed": "0.9"}, {"learning_rate": 0.3}):
        a, b = Run(big), Run(big)
        assert finish(a.configure_in_steps(change)) == b.configure(change)
        np.testing.assert_array_equal(a.model.params, b.model.params)
        a.step(2), b.step(2)
        assert a.metrics == b.metrics
    a, b = Run(big), Run(big)
    finish(a.reset_in_steps()), b.reset()
    np.testing.assert_array_equal(a.model.params, b.model.params)
    finish(a.regenerate_in_steps("0.77")), b.regenerate("0.77")
    assert a.metrics == b.metrics and a.config == b.config
    before = a.config
    with pytest.raises(ConfigError):
        next(a.configure_in_steps({"network_shape": [99]}))  # refused at the first step
    assert a.config == before


def test_a_released_run_leaves_nothing_for_the_garbage_collector():
    import gc
    gc.collect()
    gc.disable()
    try:
        run = Run({"optimizer": "adam", "batching": "standard", "network_shape": [6, 4]})
        run.step(2)
        run.configure({"network_shape": [5]})  # the replaced trainer is released as it goes
        run.release()
        del run
        assert gc.collect() == 0  # no reference cycles were left to find
    finally:
        gc.enable()
