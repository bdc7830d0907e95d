"""Datasets and grids: the generators' shapes and noise semantics, and the maps' byte layout."""

import math
import threading
import warnings

import numpy as np
import pytest

from engine import Run, feature_maps
from engine.datasets import BINARY, MULTICLASS, REGRESSION, generate
from engine.grids import StaleGrids, grid_points, quantize
from engine.seedrandom import SeedRandom


@pytest.mark.parametrize("name", sorted(set(BINARY) - {"logic"}))
def test_binary_sets_have_plus_minus_one_labels_in_the_plane(name):
    data = generate(SeedRandom("7"), "classification", name, 500, 0, 50)
    labels = np.concatenate([data.train_labels, data.test_labels])
    assert set(labels) == {-1.0, 1.0} and abs(labels.sum()) < 100
    assert len(data.train_xy) == 250 and len(data.test_xy) == 250
    if name != "gauss":  # gauss samples may fall outside at high noise; at 0 they do not
        assert np.abs(np.concatenate([data.train_xy, data.test_xy])).max() <= 6


def test_circle_noise_moves_labels_not_points():
    clean = generate(SeedRandom("3"), "classification", "circle", 500, 0, 100)
    noisy = generate(SeedRandom("3"), "classification", "circle", 500, 50, 100)
    radii = np.hypot(*clean.train_xy.T)
    assert np.all((radii <= 2.5) | (radii >= 3.5))
    np.testing.assert_array_equal(radii <= 2.5, clean.train_labels > 0)
    assert not np.array_equal(clean.train_labels, noisy.train_labels)


def test_spiral_noise_moves_points():
    clean = generate(SeedRandom("3"), "classification", "spiral", 500, 0, 100)
    noisy = generate(SeedRandom("3"), "classification", "spiral", 500, 50, 100)
    assert not np.allclose(clean.train_xy, noisy.train_xy)


def test_regression_sets():
    plane = generate(SeedRandom("1"), "regression", "reg-plane", 1200, 0, 50)
    np.testing.assert_allclose(plane.train_labels, plane.train_xy.sum(axis=1) / 10)
    bumps = generate(SeedRandom("1"), "regression", "reg-gauss", 1200, 0, 50)
    assert np.abs(bumps.train_labels).max() <= 1 and bumps.train_labels.min() < -0.5 < 0.5 < bumps.train_labels.max()
    assert set(REGRESSION) == {"reg-plane", "reg-gauss"}


@pytest.mark.parametrize("name", sorted(MULTICLASS))
@pytest.mark.parametrize("k", [3, 6])
def test_multiclass_sets_have_k_balanced_classes(name, k):
    data = generate(SeedRandom("5"), "multiclass", name, 600, 10, 50, k)
    labels = np.concatenate([data.train_labels, data.test_labels])
    counts = np.bincount(labels.astype(int), minlength=k)
    assert len(counts) == k and counts.min() >= 600 / k * 0.6


def test_split_and_odd_counts():
    # As the original, each half runs `i < n / 2` times: 301 asked gives 2 × 151 points.
    data = generate(SeedRandom("5"), "classification", "spiral", 301, 0, 30)
    assert len(data.train_xy) == math.floor(302 * 0.3) == 90 and len(data.test_xy) == 212
    data = generate(SeedRandom("5"), "classification", "xor", 301, 0, 30)
    assert len(data.train_xy) + len(data.test_xy) == 301


def test_grid_orientation_and_bytes():
    points = grid_points(100)
    np.testing.assert_allclose(points[0], [-6, 6])  # top-left
    np.testing.assert_allclose(points[99], [6, 6])  # top-right
    np.testing.assert_allclose(points[-1], [6, -6])  # bottom-right
    assert list(quantize(np.array([-5.0, -1.0, -0.001, 0.001, 1.0, 5.0]))) == [0, 0, 126, 130, 255, 255]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "invalid value encountered in cast"
        unfinite = quantize(np.array([np.inf, -np.inf, np.nan]))
    assert list(unfinite) == [255, 0, 0]  # an overflowed network's NaN reads as the low end


def test_map_bytes_paint_as_the_pages_31_shades_with_64_values_close_to_the_exact_ones():
    """Snapped bytes (engine/grids.py SNAP) paint the shade the page would paint for the byte
    nearest the value (static/js/colors.js shadeOf: d3's quantize into 31), keep its sign (the
    "discretize" boundary), and read back within 2 bytes."""
    values = np.linspace(-1.2, 1.2, 100_001)
    sent = quantize(values).astype(int)
    exact = np.clip(values, -1, 1)
    nearest = np.clip(np.floor(exact * 127.5 + 128), 0, 255)  # the byte before snapping
    shade = lambda b: np.clip(np.floor((b / 127.5 - 1 + 1) / 2 * 31), 0, 30)
    assert np.all(shade(sent) == shade(nearest)) and np.all((sent >= 128) == (nearest >= 128))
    assert np.abs(sent - nearest).max() <= 2 and np.abs(sent / 127.5 - 1 - exact).max() <= 2.5 / 127.5
    assert len(np.unique(sent)) == 64 and {0, 255} <= set(np.unique(sent))


def test_output_map_matches_predictions():
    run = Run({"network_shape": [3], "dataset": "xor", "features": ["x", "y", "xTimesY"]})
    run.step(30)
    grids = run.grids()
    points = grid_points(100)
    expected = quantize(run.predict(points)[0])
    assert np.abs(grids.output.astype(int) - expected.astype(int)).max() <= 1  # float32 vs float64
    assert grids.neurons.shape == (3, 10000)


def test_neuron_maps_and_thumbnails():
    run = Run({"network_shape": [2], "features": ["x"], "activation": "linear"})
    run.set_weight(0, 0, 0, 1 / 6)  # neuron 0 = x/6 + 0.1: left to right, orange to blue
    run.set_bias(0, 0, 0.0)
    grids = run.grids()
    first = grids.neurons[0].reshape(100, 100)
    assert first[0, 0] == 0 and first[0, -1] == 255 and np.all(first[:, 0] == 0)
    thumbs = grids.thumbnails()
    assert thumbs.shape == (2, 100)
    np.testing.assert_array_equal(grids.neuron(1), grids.neurons[1])
    # Block means of the first neuron (inside ±1, so clamping does not matter): as from its bytes.
    values = grids.neurons[0].reshape(10, 10, 10, 10).astype(float).mean(axis=(1, 3)) / 127.5 - 1
    assert np.abs(thumbs[0].astype(int) - quantize(values.ravel(), snap=False).astype(int)).max() <= 1
    row = thumbs[0].reshape(10, 10)[0]
    assert list(row) == sorted(row) and row[0] < 30 and row[-1] > 225


def test_block_order_gives_the_same_bytes():
    run = Run({"network_shape": [5, 3], "activation": "relu", "dataset": "spiral"})
    run.step(20)
    rows = run.grids("rows")
    output, neurons, thumbs, third = rows.output.copy(), rows.neurons.copy(), rows.thumbnails(), rows.neuron(3)
    blocks = run.grids("blocks")
    assert np.abs(blocks.output.astype(int) - output).max() <= 1  # float32 sums in another order
    assert np.abs(blocks.neurons.astype(int) - neurons).max() <= 1
    assert np.abs(blocks.neuron(3).astype(int) - third).max() <= 1
    assert np.abs(blocks.thumbnails().astype(int) - thumbs).max() <= 1
    assert np.mean(blocks.neurons == neurons) > 0.99
    np.testing.assert_array_equal(run.grids(every_map=True).neurons, neurons)
    np.testing.assert_array_equal(run.grids("blocks", every_map=True).neurons, blocks.neurons)


@pytest.mark.parametrize("every_map", [False, True])
def test_every_neuron_map_equals_that_neuron_quantized_alone(every_map):
    # Layers wider and narrower than the input (the quantizing scratch is as wide as the widest).
    run = Run({"network_shape": [5, 2, 8, 1], "activation": "sigmoid", "features": ["x", "y", "sinX"]})
    run.step(5)
    grids = run.grids(every_map=every_map)
    singles = np.stack([grids.neuron(i) for i in range(16)])
    np.testing.assert_array_equal(grids.neurons, singles)
    assert len(np.unique(singles)) > 20  # real maps, not a constant (maps have 64 byte values)


def test_multiclass_map_encodes_class_and_confidence():
    run = Run({"problem": "multiclass", "dataset": "multi-gauss", "num_classes": 4, "loss": "cross_entropy"})
    run.step(100)
    out = run.grids().output
    classes = out >> 5
    assert set(np.unique(classes)) == {0, 1, 2, 3}
    winners = np.argmax(run.predict(grid_points(100)), axis=0)
    assert np.mean(classes == winners) > 0.99
    assert (out & 31).max() >= 28 and (out & 31).min() < 10  # sure far out, unsure at borders


def test_feature_maps():
    maps = feature_maps(["x", "y", "xSquared"], 100).reshape(3, 100, 100)
    assert maps[0][0, 0] == 0 and maps[0][0, -1] == 255  # x grows to the right
    assert maps[1][0, 0] == 255 and maps[1][-1, 0] == 0  # y grows upwards
    assert maps[2][50, 50] < 135 and maps[2][0, 0] == 255


def _maps(grids):
    return grids.output.copy(), grids.neurons.copy(), grids.thumbnails()


def _alone(run, order):
    """A run's maps evaluated on a thread of their own (a fresh workspace)."""
    result = []
    worker = threading.Thread(target=lambda: result.append(_maps(run.grids(order))))
    worker.start()
    worker.join()
    return result[0]


@pytest.mark.parametrize("order", ["rows", "blocks"])
def test_runs_evaluated_in_turn_on_one_thread_each_get_their_own_maps(order):
    # One workspace serves every run of a thread: different layouts (their ones rows elsewhere),
    # one that makes it grow, one without hidden layers, in turns as a server's sessions come.
    runs = {"c1": Run({"network_shape": [4, 2], "dataset": "spiral"}),
            "relu": Run({"network_shape": [3], "activation": "relu", "features": ["x", "y", "xSquared"]}),
            "big": Run({"network_shape": [8, 8, 8, 8], "features": ["x", "y", "sinX", "sinY"]}),
            "none": Run({"network_shape": [], "dataset": "gauss"})}
    for run in runs.values():
        run.step(3)
    expected = {name: _alone(run, order) for name, run in runs.items()}
    for name in ["c1", "relu", "big", "c1", "none", "relu", "big", "none", "c1"]:
        for mine, alone in zip(_maps(runs[name].grids(order)), expected[name]):
            np.testing.assert_array_equal(mine, alone, err_msg=name)


def test_grids_read_after_a_later_evaluation_refuse_rather_than_show_another_run():
    first, second = Run({"network_shape": [4, 2]}), Run({"network_shape": [4, 2], "seed": "other"})
    kept = first.grids()
    output = kept.output  # read before the next evaluation: it stays
    unread = first.grids()
    second.grids()
    assert kept.output is output
    with pytest.raises(StaleGrids):
        unread.neurons
    with pytest.raises(StaleGrids):
        unread.thumbnails()


@pytest.mark.parametrize("config", [
    {"dataset": "spiral", "network_shape": [4, 2]},  # sigmoid output, cross-entropy
    {"dataset": "xor", "network_shape": [3], "loss": "half_square"},  # tanh output
    {"problem": "regression", "dataset": "reg-plane", "network_shape": [3]},  # linear output, beyond ±1
])
@pytest.mark.parametrize("order", ["rows", "blocks"])
def test_the_output_map_is_the_heads_display_of_the_output_quantized(config, order):
    run = Run({**config, "learning_rate": 0.3})
    run.step(10)
    grids = run.grids(order)
    evaluator = run._grids
    z = evaluator.buffer[evaluator.output_rows]
    if order == "blocks":  # cells listed block by block (10 × 10 blocks of 10 × 10): back in row order
        by_blocks = np.arange(10_000).reshape(10, 10, 10, 10).transpose(0, 2, 1, 3).ravel()
        z = z[:, np.argsort(by_blocks)]
    expected = quantize(evaluator.model.head.display(z))
    np.testing.assert_array_equal(grids.output, expected)
    assert len(np.unique(expected)) > 20


@pytest.mark.parametrize("gate, table", [
    ("or", [0, 1, 1, 1]), ("and", [0, 0, 0, 1]), ("nand", [1, 1, 1, 0]), ("xor", [0, 1, 1, 0]),
    ("x1-and-not-x2", [0, 0, 1, 0]), ("not-x1-and-x2", [0, 1, 0, 0]), ("not-x1", [1, 1, 0, 0]),
])
def test_a_logic_gates_four_points_are_its_truth_table_for_training_and_test(gate, table):
    data = generate(SeedRandom("any"), "classification", "logic", 500, 50, 20, gate=gate)
    for xy, labels in ((data.train_xy, data.train_labels), (data.test_xy, data.test_labels)):
        assert xy.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]  # no noise, no split, no shuffle
        assert labels.tolist() == [1.0 if t else -1.0 for t in table]
