"""Metrics that answer students' questions: the confusion matrix, R² and RMSE, the regularization
penalty, the logic gates' truth tables, and the stop conditions (engine/run.py, engine/model.py)."""

from __future__ import annotations

import numpy as np
import pytest

from engine import ConfigError, Run, feature_maps, options, validate
from engine.datasets import GATES
from engine.grids import grid_points, quantize
from engine.losses import make_head
from engine.model import confusion, regression_scores

COURSE_GATES = {  # the course's networks (docs/reference.md §6): one sigmoid unit (bias, w1, w2)
    "or": ((-10, 20, 20), [0, 1, 1, 1]),
    "and": ((-30, 20, 20), [0, 0, 0, 1]),
    "x1-and-not-x2": ((-10, 20, -20), [0, 0, 1, 0]),
    "not-x1-and-x2": ((-10, -20, 20), [0, 1, 0, 0]),
    "not-x1": ((10, -20, 0), [1, 1, 0, 0]),
}
GATE_RUN = {"dataset": "logic", "network_shape": [], "loss": "cross_entropy", "features": ["x", "y"]}


def neuron(gate: str, bias: float, w1: float, w2: float) -> Run:
    run = Run({**GATE_RUN, "gate": gate})
    run.set_bias(0, 0, bias)
    run.set_weight(0, 0, 0, w1)
    run.set_weight(0, 1, 0, w2)
    return run


@pytest.mark.parametrize("gate", sorted(COURSE_GATES))
def test_the_course_gates_give_their_truth_tables_and_learn_nothing_more(gate):
    weights, table = COURSE_GATES[gate]
    run = neuron(gate, *weights)
    rows = run.metrics.truth_table
    assert [row["inputs"] for row in rows] == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert [round(row["output"]) for row in rows] == table
    assert all(row["output"] < 1e-4 or row["output"] > 1 - 1e-4 for row in rows)
    assert all(row["hidden"] == [] for row in rows)
    m = run.metrics
    assert m.train_loss < 1e-4 and m.test_accuracy == 1.0 and m.confusion == [[table.count(0), 0], [0, table.count(1)]]


def test_xor_from_the_course_units_shows_every_hidden_unit_in_its_table():
    run = Run({**GATE_RUN, "gate": "xor", "network_shape": [2], "activation": "sigmoid"})
    for node, gate in enumerate(["x1-and-not-x2", "not-x1-and-x2"]):
        bias, w1, w2 = COURSE_GATES[gate][0]
        run.set_bias(0, node, bias)
        run.set_weight(0, 0, node, w1)
        run.set_weight(0, 1, node, w2)
    run.set_bias(1, 0, -10)  # OR of the two
    run.set_weight(1, 0, 0, 20)
    run.set_weight(1, 1, 0, 20)
    rows = run.metrics.truth_table
    assert [round(row["output"]) for row in rows] == [0, 1, 1, 0]
    assert [[round(v) for v in row["hidden"][0]] for row in rows] == [[0, 0], [0, 1], [1, 0], [0, 0]]


@pytest.mark.parametrize("gate", sorted(options()["gate_networks"]))
def test_each_gate_network_the_page_loads_computes_its_gate(gate):
    """hello.options.gate_networks: the settings and edits of the course's network for each gate."""
    network = options()["gate_networks"][gate]
    run = Run(network["config"])
    for edit in network["edits"]:
        run.apply_edit(edit)
    rows = run.metrics.truth_table
    truth = [int(GATES[gate](a, b)) for a, b in ((0, 0), (0, 1), (1, 0), (1, 1))]
    assert [round(row["output"]) for row in rows] == truth
    assert all(abs(row["output"] - t) < 1e-4 for row, t in zip(rows, truth))
    assert run.metrics.train_accuracy == 1.0 and run.config["activation"] == "sigmoid"
    if gate in COURSE_GATES:  # the course's own weights: bias, w1, w2
        assert [edit["value"] for edit in network["edits"]] == list(COURSE_GATES[gate][0])
    if gate == "xor":  # the two AND-NOT units, ORed
        assert [[round(v) for v in row["hidden"][0]] for row in rows] == [[0, 0], [0, 1], [1, 0], [0, 0]]


def test_maps_of_the_logic_gates_cover_their_view_around_the_four_points():
    network = options()["gate_networks"]["and"]
    run = Run(network["config"])
    for edit in network["edits"]:
        run.apply_edit(edit)
    assert options()["views"]["logic"] == [-0.5, 1.5] and options()["views"]["circle"] == [-6, 6]
    points = grid_points(100, (-0.5, 1.5))
    np.testing.assert_allclose(points[0], [-0.5, 1.5])  # top-left
    np.testing.assert_allclose(points[-1], [1.5, -0.5])  # bottom-right
    grids = run.grids()
    expected = quantize(run.predict(points)[0] * 2 - 1)  # a sigmoid's map: p on the −1..1 scale
    assert np.abs(grids.output.astype(int) - expected.astype(int)).max() <= 1
    # AND's boundary −30 + 20x1 + 20x2 = 0 crosses the view: blue only above and right of it
    cell = lambda x, y: grids.output[int(round((1.5 - y) / 2 * 99)) * 100 + int(round((x + 0.5) / 2 * 99))]
    assert cell(1, 1) > 250 and cell(0, 1) < 5 and cell(1, 0) < 5 and cell(0, 0) < 5
    maps = feature_maps(["x"], 100, (-0.5, 1.5)).reshape(100, 100)
    assert maps[0, 0] == quantize(np.array([-0.5 / 1.5]))[0] and maps[0, -1] == 255


def test_a_tanh_output_is_put_on_the_zero_to_one_scale_and_other_data_has_no_truth_table():
    run = Run({"dataset": "logic", "gate": "and", "network_shape": [3]})  # tanh, ½ squared error
    outputs = [row["output"] for row in run.metrics.truth_table]
    expected = (run.predict([[0, 0], [0, 1], [1, 0], [1, 1]])[0] + 1) / 2
    np.testing.assert_allclose(outputs, expected, rtol=1e-12)
    assert Run().metrics.truth_table is None and "truth_table" not in Run().metrics.to_dict()


def test_a_logic_gate_trains_on_its_four_points():
    run = Run({**GATE_RUN, "gate": "nand", "learning_rate": 1, "batch_size": 4})
    assert run.config["batch_size"] == 4 and run.step(300).train_accuracy == 1.0
    assert [round(row["output"]) for row in run.metrics.truth_table] == [1, 1, 1, 0]


def test_the_confusion_matrix_counts_the_test_set_by_true_and_predicted_class():
    run = Run({"problem": "multiclass", "dataset": "multi-gauss", "num_classes": 4, "loss": "cross_entropy",
               "noise": 40, "seed": "0.1"})
    m = run.step(20)
    matrix = np.array(m.confusion)
    test_labels = run.data.test_labels.astype(int)
    assert matrix.shape == (4, 4) and matrix.sum() == len(test_labels)
    assert matrix.sum(axis=1).tolist() == np.bincount(test_labels, minlength=4).tolist()  # rows: true class
    assert np.trace(matrix) / matrix.sum() == pytest.approx(m.test_accuracy)
    predicted = np.argmax(run.predict(run.data.test_xy), axis=0)
    assert matrix.sum(axis=0).tolist() == np.bincount(predicted, minlength=4).tolist()  # columns: predicted


def test_a_binary_confusion_matrix_has_orange_first():
    head = make_head("tanh", "half_square", 1)
    z = np.array([[-2.0, -1.0, 0.5, 3.0, -0.5]])
    labels = np.array([-1.0, 1.0, 1.0, 1.0, -1.0])
    assert confusion(head, z, labels) == [[2, 0], [1, 2]]


def test_regression_reports_r2_and_rmse_on_the_test_set():
    run = Run({"problem": "regression", "dataset": "reg-plane", "network_shape": [2]})
    m = run.step(30)
    predicted, labels = run.predict(run.data.test_xy)[0], run.data.test_labels
    rmse = np.sqrt(np.mean((predicted - labels) ** 2))
    r2 = 1 - np.sum((predicted - labels) ** 2) / np.sum((labels - labels.mean()) ** 2)
    assert m.rmse == pytest.approx(rmse, rel=1e-9) and m.r2 == pytest.approx(r2, rel=1e-9)
    assert 0.9 < m.r2 <= 1 and m.confusion is None and m.test_accuracy is None
    assert regression_scores(np.array([1.0, 1.0]), np.array([1.0, 1.0])) == (0.0, 0.0)


@pytest.mark.parametrize("kind, term", [("L2", lambda w: 0.5 * np.sum(w ** 2)), ("L1", lambda w: np.sum(np.abs(w)))])
def test_the_penalty_is_the_rate_times_the_weights_term_without_the_biases(kind, term):
    run = Run({"regularization": kind, "regularization_rate": 0.03, "network_shape": [3]})
    m = run.step(5)
    weights = np.concatenate([w.ravel() for w in run.weights()])
    assert m.penalty == pytest.approx(0.03 * term(weights), rel=1e-12) and m.penalty > 0
    assert m.train_loss_with_penalty == pytest.approx(m.train_loss + m.penalty)
    assert m.to_dict()["train_loss_with_penalty"] == m.train_loss_with_penalty
    assert Run({"network_shape": [3]}).step(5).penalty == 0.0


def test_stop_epoch_ends_a_step_there_and_only_once():
    run = Run({"stop_epoch": 7})
    assert run.step(100).epoch == 7 and run.stopped == "stop_epoch"
    assert run.step(3).epoch == 10 and run.stopped is None  # past it, training goes on
    sliced = Run({"stop_epoch": 2, "network_shape": [8] * 6})
    while not sliced.step_for(0.001):
        pass
    assert sliced.stopped is None and sliced.epoch == 1
    while not sliced.step_for(0.001):
        pass
    assert sliced.stopped == "stop_epoch" and sliced.epoch == 2


def test_stop_test_loss_ends_a_step_at_the_first_epoch_that_reaches_it():
    config = {"dataset": "gauss", "seed": "0.3"}
    losses = [m.test_loss for m in (Run(config).step(e) for e in range(1, 60))]
    first = next(e for e, loss in enumerate(losses, 1) if loss <= 0.05)
    run = Run({**config, "stop_test_loss": 0.05})
    m = run.step(500)
    assert (m.epoch, run.stopped) == (first, "stop_test_loss")
    assert m.test_loss == pytest.approx(losses[first - 1], rel=1e-12)
    assert run.step(5).epoch == first + 5 and run.stopped is None  # reached, it does not stop again


def test_stop_conditions_are_checked_and_change_nothing_but_the_pause():
    with pytest.raises(ConfigError) as refused:
        validate({"stop_epoch": 0, "stop_test_loss": -1, "gate": "maybe"})
    fields = {field: message for field, message in refused.value.errors}
    assert set(fields) == {"stop_epoch", "stop_test_loss", "gate"}
    assert "or null: never" in fields["stop_epoch"] and "or, and, nand, xor" in fields["gate"]
    run = Run()
    run.step(3)
    weights = [w.tolist() for w in run.weights()]
    assert run.configure({"stop_epoch": 50, "stop_test_loss": 0.01}) == "live"
    assert [w.tolist() for w in run.weights()] == weights and run.epoch == 3
