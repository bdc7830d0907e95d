"""Your own data and your own model (issue 13) over a real websocket: import_data, export_data,
export_model and import_model as docs/protocol.md has them (their rows, the `model` and `error`
rows, "Your own data"): each answer checked against an engine run doing the same, every bad file
and bad model refused with nothing changed, and what a `custom` dataset does to configure,
regenerate, backprop and load. Every text message the server sends is parsed strictly (no NaN,
no Infinity)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import engine
from servers import strict_clients_of
from ws_client import Frame, StrictClient, assert_matches_run, is_, refused, reply, types


# -- the server ---------------------------------------------------------------------------------------

@pytest.fixture
def connect(steady_server):
    yield from strict_clients_of(steady_server)


def export_data(c: StrictClient) -> dict:
    c.send("export_data")
    return c.until(lambda m: is_("data")(m) and "csv" in m)


def export_model(c: StrictClient) -> dict:
    c.send("export_model")
    return c.until_type("model")


def current_state(c: StrictClient) -> dict:
    """The session's state now (a pause changes nothing on a paused session)."""
    return c.answer("pause")[-1]


def of_type(answer: list, kind: str) -> dict:
    return next(m for m in answer if isinstance(m, dict) and m["type"] == kind)


def rows_of(run_data) -> dict:
    """A Dataset as the data message lists it."""
    def rows(xy, labels):
        return [[round(x, 4), round(y, 4), label] for (x, y), label in zip(xy.tolist(), labels.tolist())]
    return {"train": rows(run_data.train_xy, run_data.train_labels), "test": rows(run_data.test_xy, run_data.test_labels)}


# -- files ----------------------------------------------------------------------------------------

def circle_points(n: int = 40, seed: int = 1) -> list[list[float]]:
    """n points of the plane, blue (1) inside a circle of radius 3, orange (−1) outside."""
    rng = np.random.default_rng(seed)
    xy = np.round(rng.uniform(-5.5, 5.5, (n, 2)), 3)
    return [[float(x), float(y), 1 if x * x + y * y < 9 else -1] for x, y in xy]


def csv_of(points, header: str | None = "x,y,label", zero_for_orange: bool = False) -> str:
    lines = [header] if header else []
    for x, y, label, *rest in points:
        label = 0 if zero_for_orange and label == -1 else label
        lines.append(",".join(str(v) for v in (x, y, label, *rest)))
    return "\n".join(lines) + "\n"


POINTS = circle_points()
CSV = csv_of(POINTS, zero_for_orange=True)  # 0/1 labels: 0 reads as −1


def split(points, train_ratio: float) -> dict:
    """The documented split of points without a set column: point i is a test point when
    ⌊(i + 1)·t⌋ > ⌊i·t⌋, t = 1 − train_ratio/100 (exact in binary for the ratios used here)."""
    t = 1 - train_ratio / 100
    test = [int((i + 1) * t) > int(i * t) for i in range(len(points))]
    return {"train": [p for p, is_test in zip(points, test) if not is_test],
            "test": [p for p, is_test in zip(points, test) if is_test]}


def import_csv(c: StrictClient, content: str) -> list:
    answer = reply(c, "import_data", format="csv", content=content)
    assert types(answer) == ["state", "data", "metrics", "frame"], answer
    return answer


# -- import_data ----------------------------------------------------------------------------------

def test_import_data_answers_state_data_metrics_frame_as_an_engine_run_given_the_points(connect):
    c = connect()
    reply(c, "configure", config={"train_ratio": 75, "network_shape": [3]})
    config = c.state["config"]
    state, data, metrics, frame = import_csv(c, CSV)
    assert state["config"] == {**config, "dataset": "custom"} and state["handled"] == c.sent == 2
    assert state["epoch"] == 0 and state["playing"] is False
    assert {"train": data["train"], "test": data["test"]} == split(POINTS, 75)  # every 4th point is a test point
    assert len(data["train"]) == 30 and len(data["test"]) == 10
    mirror = engine.Run(config)
    assert mirror.set_data(engine.parse_csv(CSV, "classification", 75)) == "data"
    assert rows_of(mirror.data) == {"train": data["train"], "test": data["test"]}
    assert_matches_run(frame, mirror)
    assert metrics["epoch"] == 0
    assert metrics["train_loss"] == pytest.approx(mirror.metrics.train_loss, rel=1e-12)
    assert metrics["test_loss"] == pytest.approx(mirror.metrics.test_loss, rel=1e-12)
    # Trained on its own points exactly as the engine trains on them.
    answer = reply(c, "step", epochs=6)
    mirror.step(6)
    assert_matches_run(answer[-1], mirror)
    assert of_type(answer, "metrics")["train_accuracy"] == pytest.approx(mirror.metrics.train_accuracy)


def test_a_set_column_says_which_points_train_and_a_header_may_name_the_columns_in_any_order(connect):
    c = connect()
    sets = ["test" if i % 3 == 0 else "train" for i in range(len(POINTS))]
    content = "Label , SET,y,X\n" + "".join(f"{l}, {s} ,{y},{x}\n\n" for (x, y, l), s in zip(POINTS, sets))
    _, data, _, _ = import_csv(c, content)
    assert data["train"] == [p for p, s in zip(POINTS, sets) if s == "train"]
    assert data["test"] == [p for p, s in zip(POINTS, sets) if s == "test"]
    _, again, _, _ = import_csv(c, content.replace("\n", "\r\n"))  # a Windows file reads the same
    assert again == data


def test_a_file_with_fewer_training_points_than_the_batch_lowers_the_batch_size(connect):
    c = connect()
    assert c.state["config"]["batch_size"] == 10
    state, data, _, _ = import_csv(c, "1,1,1\n-1,-1,-1\n2,2,1\n-2,-2,-1\n")
    assert len(data["train"]) == 2 and state["config"]["batch_size"] == 2
    assert reply(c, "step")[-1].epoch == 1


def test_points_imported_while_paused_keep_the_weights_and_the_epoch(connect):
    c = connect()
    trained = reply(c, "step", epochs=5)[-1]
    state, data, _, frame = import_csv(c, CSV)
    assert state["epoch"] == frame.epoch == 5 and state["config"]["dataset"] == "custom"
    np.testing.assert_array_equal(frame.params, trained.params)  # the same network, new points
    mirror = engine.Run()
    mirror.step(5)
    mirror.set_data(engine.parse_csv(CSV, "classification", 50))
    assert_matches_run(frame, mirror)
    mirror.step(4)
    assert_matches_run(reply(c, "step", epochs=4)[-1], mirror)


def test_points_imported_while_playing_go_straight_into_training(connect):
    c = connect()
    c.answer("set_speed", epochs_per_frame=2)
    c.send("play")
    before = c.until_frame(lambda f: f.epoch >= 6)
    c.send("import_data", format="csv", content=CSV)
    state = c.until(lambda m: is_("state")(m) and m["handled"] == c.sent)
    assert state["playing"] is True and state["config"]["dataset"] == "custom"
    assert state["epoch"] >= before.epoch  # not reset
    data = c.expect("data")
    assert {"train": data["train"], "test": data["test"]} == split(POINTS, 50)
    assert c.expect("metrics")["epoch"] == state["epoch"] and c.expect_frame().epoch == state["epoch"]
    later = c.until_frame(lambda f: f.epoch >= state["epoch"] + 6)  # training goes on, on the new points
    assert c.answer("pause")[-1]["config"]["dataset"] == "custom"
    assert later.epoch > before.epoch


def multiclass_csv(classes: int, n: int = 60, seed: int = 3) -> tuple[str, list]:
    rng = np.random.default_rng(seed)
    points = [[float(x), float(y), i % classes] for i, (x, y) in enumerate(np.round(rng.uniform(-5, 5, (n, 2)), 2))]
    return csv_of(points), points


def test_a_multiclass_file_with_another_class_count_makes_a_new_network_paused(connect):
    c = connect()
    reply(c, "configure", config={"problem": "multiclass"})
    config = c.state["config"]
    assert config["num_classes"] == 3
    c.send("play")
    c.until_frame(lambda f: f.epoch >= 3)
    five, points = multiclass_csv(5)
    state, data, metrics, frame = import_csv(c, five)
    assert (state["playing"], state["epoch"], metrics["epoch"], frame.epoch) == (False, 0, 0, 0)
    assert state["config"] == {**config, "dataset": "custom", "num_classes": 5}
    assert frame.sizes[-1] == 5 and frame.flags & 1
    assert {"train": data["train"], "test": data["test"]} == split(points, 50)
    mirror = engine.Run(config)
    assert mirror.set_data(engine.parse_csv(five, "multiclass", 50)) == "reset"
    assert_matches_run(frame, mirror)
    # The same number of classes again: the network stays, with its epoch.
    trained = reply(c, "step", epochs=3)[-1]
    other, _ = multiclass_csv(5, n=30, seed=4)
    state, _, _, frame = import_csv(c, other)
    assert state["epoch"] == 3 and state["config"]["num_classes"] == 5
    np.testing.assert_array_equal(frame.params, trained.params)
    # Fewer classes than its points have is refused; two classes are still three (the least).
    error = refused(c, "configure", config={"num_classes": 4})
    assert error["fields"] == ["num_classes"] and error["request"] == "configure"
    state, _, _, frame = import_csv(c, "1,1,0\n2,2,1\n3,3,0\n-1,-1,1\n")
    assert state["config"]["num_classes"] == 3 and state["epoch"] == 0 and frame.sizes[-1] == 3


# -- export_data ----------------------------------------------------------------------------------

def test_export_data_of_a_generated_dataset_is_its_data_with_csv_that_imports_back_identical(connect):
    c = connect()
    exported = export_data(c)
    assert exported["train"] == c.data["train"] and exported["test"] == c.data["test"]
    lines = exported["csv"].splitlines()
    assert lines[0] == "x,y,label,set" and len(lines) == 1 + 500
    assert lines[1].endswith(",train") and lines[-1].endswith(",test")
    assert all(len(field.split(".")[-1]) <= 4 for line in lines[1:] for field in line.split(",")[:2])
    state, data, _, frame = import_csv(c, exported["csv"])
    assert state["config"]["dataset"] == "custom"
    assert data["train"] == c.data["train"] and data["test"] == c.data["test"]
    np.testing.assert_array_equal(frame.params, c.log[4].params)  # the greeting's network, kept


def test_exported_custom_points_round_trip_through_the_server_identical(connect):
    c = connect()
    _, first, _, _ = import_csv(c, CSV)
    exported = export_data(c)
    assert exported["train"] == first["train"] and exported["test"] == first["test"]
    _, again, _, _ = import_csv(c, exported["csv"])
    assert again == first
    assert export_data(c) == exported
    other = connect()  # another tab gets the very same points from the file
    _, theirs, _, _ = import_csv(other, exported["csv"])
    assert theirs == first and export_data(other)["csv"] == exported["csv"]


def test_regression_points_and_labels_round_trip_to_four_decimals(connect):
    c = connect()
    generated = reply(c, "configure", config={"problem": "regression", "num_points": 100})[1]
    exported = export_data(c)
    assert exported["train"] == generated["train"] and exported["test"] == generated["test"]
    labels = [row[2] for row in exported["train"] + exported["test"]]
    assert any(label != int(label) for label in labels)
    state, data, _, _ = import_csv(c, exported["csv"])
    assert state["config"]["problem"] == "regression" and state["config"]["dataset"] == "custom"
    assert data["train"] == exported["train"] and data["test"] == exported["test"]
    _, data, _, _ = import_csv(c, "0.123456,-1.98766,2.345678\n1,1,-9.99999\n")
    assert data["train"] == [[0.1235, -1.9877, 2.3457]] and data["test"] == [[1, 1, -10.0]]


# -- refused files --------------------------------------------------------------------------------

TOO_MANY = "".join(f"{i % 11 - 5},{i % 7 - 3},{1 if i % 2 else -1}\n" for i in range(2001))
BAD_FILES = {  # name: (content, the bad lines)
    "non-numeric": ("x,y,label\n1,2,1\nabc,2,1\n1,2,one\n", [3, 4]),
    "non-numeric after blank lines": ("1,2,1\n\n  \n1,x,1\n", [4]),
    "non-finite": ("1,2,1\nnan,1,1\n1,inf,-1\n1e999,0,1\n-Infinity,0,1\n", [2, 3, 4, 5]),
    "missing column": ("1,2,1\n1,2\n3,1,-1\n", [2]),
    "extra field": ("1,2,1\n1,2,1,7\n", [2]),
    "extra field with a set column": ("x,y,label,set\n1,2,1,train\n1,2,1,test,9\n", [3]),
    "too many points": (TOO_MANY, []),
    "unknown label": ("1,2,1\n1,2,3\n1,1,0.5\n-2,2,\n", [2, 3, 4]),
    "outside the view": ("1,2,1\n7,2,1\n0,-6.5,1\n6,-6,1\n", [2, 3]),
    "bad header": ("x,z,label\n1,2,1\n", [1]),
    "a column twice": ("x,y,label,x\n1,2,1,3\n", [1]),
    "bad set": ("x,y,label,set\n1,1,1,train\n1,1,1,valid\n", [3]),
    "no training point": ("x,y,label,set\n1,1,1,test\n", []),
    "empty": ("", []),
    "only blank lines": ("\n   \n\n", []),
}


def custom_session(connect) -> tuple[StrictClient, dict, dict, Frame]:
    """A session on its own points, trained 3 epochs: its exported data, state and last frame."""
    c = connect()
    import_csv(c, CSV)
    frame = reply(c, "step", epochs=3)[-1]
    return c, export_data(c), current_state(c), frame


def assert_unchanged(c: StrictClient, data: dict, state: dict, frame: Frame, points: str = CSV) -> None:
    """The same data, settings, epoch and network as before: a step trains as the engine would."""
    assert export_data(c) == data
    now = current_state(c)
    assert now["config"] == state["config"] and now["epoch"] == state["epoch"] and now["edits"] == state["edits"]
    answer = reply(c, "step")
    assert answer[-1].epoch == state["epoch"] + 1
    if state["config"]["dataset"] == "custom":
        mirror = engine.Run({**state["config"], "dataset": "circle"})
        mirror.set_data(engine.parse_csv(points, state["config"]["problem"], state["config"]["train_ratio"]))
        mirror.step(state["epoch"] + 1)
        assert_matches_run(answer[-1], mirror)
    assert not np.array_equal(answer[-1].params, frame.params)


@pytest.mark.parametrize("name", BAD_FILES)
def test_every_bad_file_is_refused_naming_its_lines_and_nothing_changes(connect, name):
    content, bad_lines = BAD_FILES[name]
    c, data, state, frame = custom_session(connect)
    error = refused(c, "import_data", format="csv", content=content)
    assert error["request"] == "import_data" and error["code"] == "invalid"
    assert error["rows"] == bad_lines
    assert error["fields"] == ["content"] * len(error["errors"]) and error["more"] == 0
    assert all(line.startswith("content: ") for line in error["errors"])
    for line in bad_lines:
        assert any(re.match(rf"content: line {line}\b", text) for text in error["errors"]), (line, error["errors"])
    if not bad_lines:
        assert len(error["errors"]) == 1
    if name == "too many points":
        assert "2001" in error["errors"][0] and "2000" in error["errors"][0]
    assert_unchanged(c, data, state, frame)


def test_a_bad_file_leaves_a_generated_dataset_as_it_was(connect):
    c = connect()
    frame = reply(c, "step", epochs=2)[-1]
    data, state = export_data(c), current_state(c)
    error = refused(c, "import_data", format="csv", content="1,2,1\n9,9,1\n")
    assert error["rows"] == [2]
    assert_unchanged(c, data, state, frame)
    assert current_state(c)["config"]["dataset"] == "circle"


@pytest.mark.parametrize("fields, field", [
    ({"format": "tsv", "content": CSV}, "format"),
    ({"content": CSV}, "format"),
    ({"format": "csv", "content": 42}, "content"),
    ({"format": "csv", "content": ["1,2,1"]}, "content"),
    ({"format": "csv"}, "content"),
])
def test_a_message_that_is_not_a_csv_file_is_refused_and_nothing_changes(connect, fields, field):
    c, data, state, frame = custom_session(connect)
    error = refused(c, "import_data", **fields)
    assert error["request"] == "import_data" and error["fields"] == [field] and error["code"] == "invalid"
    assert error["rows"] == []  # no line of a file is at fault
    assert_unchanged(c, data, state, frame)


def test_a_file_with_many_bad_lines_lists_twenty_and_every_row(connect):
    c, data, state, frame = custom_session(connect)
    content = "x,y,label\n" + "".join(f"{i % 5},1,{'7' if i % 2 else '1'}\n" for i in range(100))
    error = refused(c, "import_data", format="csv", content=content)
    bad = [2 + i for i in range(100) if i % 2]
    assert error["rows"] == bad and len(bad) == 50
    assert len(error["errors"]) == 21 and error["more"] == 30 and error["errors"][-1] == "content: …and 30 more"
    assert_unchanged(c, data, state, frame)


def test_the_largest_file_is_taken_and_a_message_over_the_limit_is_refused_and_the_connection_stays(connect):
    c = connect()
    limit = c.hello["limits"]["max_message_bytes"]
    assert c.hello["options"]["user_data"]["max_points"] == 2000
    rng = np.random.default_rng(7)
    points = [[float(x), float(y), 1 if x > y else -1] for x, y in np.round(rng.uniform(-6, 6, (2000, 2)), 4)]
    content = csv_of([p + ["train" if i % 5 else "test"] for i, p in enumerate(points)], header="x,y,label,set")
    assert 40_000 < len(content) < limit
    _, data, _, _ = import_csv(c, content)
    assert len(data["train"]) == 1600 and len(data["test"]) == 400
    frame = reply(c, "step")[-1]
    before, state = export_data(c), current_state(c)
    huge = content + "\n" * (limit - len(content) + 100)  # blank lines would be skipped: size alone refuses it
    error = refused(c, "import_data", format="csv", content=huge)
    assert error["code"] == "too_large" and error["fields"] == ["message"]
    assert str(limit) in error["errors"][0]
    assert_unchanged(c, before, state, frame, points=content)


# -- export_model, import_model -------------------------------------------------------------------

def params_of(model: dict) -> np.ndarray:
    """The model's weights and biases in the frame's layout: per layer, rows [bias, weights...]."""
    return np.concatenate([np.column_stack([b, w]).ravel() for w, b in zip(model["weights"], model["biases"])])


def test_export_model_gives_the_whole_network_and_a_numpy_script_that_predicts_as_the_server(connect):
    c = connect()
    reply(c, "configure", config={"network_shape": [3, 2], "features": ["x", "y", "xSquared"], "seed": "0.5"})
    trained = reply(c, "step", epochs=7)[-1]
    message = export_model(c)
    assert set(message) == {"type", "model", "script"}
    model = message["model"]
    assert set(model) == {"format", "version", "config", "epoch", "layer_sizes", "weights", "biases", "edits"}
    assert model["edits"] == c.state["edits"] == []
    assert (model["format"], model["version"], model["epoch"]) == ("nn-playground-model", 1, 7)
    assert model["config"] == c.state["config"] and model["layer_sizes"] == [3, 3, 2, 1]
    assert [np.shape(w) for w in model["weights"]] == [(3, 3), (2, 3), (1, 2)]
    assert [np.shape(b) for b in model["biases"]] == [(3,), (2,), (1,)]
    np.testing.assert_array_equal(params_of(model).astype(np.float32), trained.params)
    mirror = engine.Run(c.state["config"])
    mirror.step(7)
    np.testing.assert_array_equal(params_of(model), mirror.model.params)  # exact doubles, not float32
    script = message["script"]
    assert isinstance(script, str) and "import numpy as np" in script
    namespace: dict = {"__name__": "playground_model"}
    exec(compile(script, "playground_model.py", "exec"), namespace)
    for x, y in ((1.5, -2), (-4, 4), (0, 0)):
        c.send("probe", x=x, y=y)
        expected = c.until_type("probe")["layers"][-1]["a"]
        np.testing.assert_allclose(namespace["predict"](np.array([[x, y]]))[:, 0], expected, rtol=1e-12)


def test_import_model_on_another_tab_gives_the_same_network_paused_and_training_goes_on(connect):
    c = connect()
    xor = reply(c, "configure", config={"network_shape": [5], "activation": "relu", "optimizer": "adam",
                                        "dataset": "xor", "seed": "0.77"})[1]
    trained = reply(c, "step", epochs=9)[-1]
    metrics = c.metrics
    model = export_model(c)["model"]
    other = connect()
    other.send("play")
    other.until_frame(lambda f: f.epoch >= 2)
    answer = reply(other, "import_model", model=model)
    assert types(answer) == ["state", "data", "metrics", "frame"]
    state, data, their_metrics, frame = answer
    assert state["config"] == c.state["config"] and (state["epoch"], state["playing"]) == (9, False)
    assert state["edits"] == [] and state["inspect"] is None
    assert data == xor and xor["train"] != other.log[2]["train"]  # xor, not the greeting's circle
    assert frame.epoch == 9 and frame.sizes == trained.sizes
    np.testing.assert_array_equal(frame.params, trained.params)
    np.testing.assert_array_equal(frame.main, trained.main)
    assert their_metrics["epoch"] == 9 and their_metrics["train_loss"] == pytest.approx(metrics["train_loss"], rel=1e-12)
    stepped = reply(other, "step", epochs=3)
    assert types(stepped) == ["state", "metrics", "frame"] and stepped[-1].epoch == 12
    assert not np.array_equal(stepped[-1].params, trained.params)
    assert export_model(other)["model"]["epoch"] == 12


def test_a_custom_model_carries_its_points_to_another_tab(connect):
    c = connect()
    import_csv(c, CSV)
    trained = reply(c, "step", epochs=4)[-1]
    model = export_model(c)["model"]
    own = export_data(c)
    assert model["config"]["dataset"] == "custom"
    assert model["data"] == {"train": own["train"], "test": own["test"]}
    other = connect()
    state, data, _, frame = reply(other, "import_model", model=model)
    assert state["config"]["dataset"] == "custom" and state["epoch"] == 4
    assert {"train": data["train"], "test": data["test"]} == model["data"]
    np.testing.assert_array_equal(frame.params, trained.params)
    assert export_data(other) == own
    assert reply(other, "step")[-1].epoch == 5
    # Its points are the session's own now: a backprop may name the last of them.
    other.send("backprop", indices=[len(own["train"]) - 1])
    assert other.until_type("backprop")["indices"] == [len(own["train"]) - 1]


def test_a_custom_model_without_its_points_trains_on_the_sessions_own_or_is_refused(connect):
    c = connect()
    import_csv(c, CSV)
    model = export_model(c)["model"]
    del model["data"]
    fresh = connect()
    error = refused(fresh, "import_model", model=model)
    assert error["fields"] == ["model.data"] and error["request"] == "import_model"
    assert current_state(fresh)["config"] == fresh.log[1]["config"]
    mine = connect()
    points = circle_points(24, seed=9)
    _, own, _, _ = import_csv(mine, csv_of(points))
    state, data, _, frame = reply(mine, "import_model", model=model)
    assert state["config"]["dataset"] == "custom" and data["train"] == own["train"] and data["test"] == own["test"]
    np.testing.assert_array_equal(frame.params, params_of(model).astype(np.float32))


def bad_models(model: dict) -> dict:
    """name: (a model with one thing wrong, the field the error names)."""
    def changed(**parts):
        return {**json.loads(json.dumps(model)), **parts}

    weights = json.loads(json.dumps(model["weights"]))
    huge = json.loads(json.dumps(model["weights"]))
    huge[0][0][0] = 1e7  # beyond the parameter limit (a non-finite number is not JSON)
    short = json.loads(json.dumps(model["weights"]))
    short[0] = short[0][:-1]
    return {
        "wrong format": (changed(format="tensorflow"), "model.format"),
        "wrong version": (changed(version=2), "model.version"),
        "bad config field": (changed(config={**model["config"], "activation": "softplus"}), "model.config.activation"),
        "config not an object": (changed(config=[1]), "model.config"),
        "negative epoch": (changed(epoch=-1), "model.epoch"),
        "wrong layer sizes": (changed(layer_sizes=[2, 4, 1]), "model.layer_sizes"),
        "wrong weight shape": (changed(weights=short), "model.weights"),
        "a weight beyond the limit": (changed(weights=huge), "model.weights"),
        "a weight that is text": (changed(weights=[[["0.5"] * len(row) for row in layer] for layer in weights]),
                                  "model.weights"),
        "wrong bias count": (changed(biases=model["biases"][:-1]), "model.biases"),
        "an unknown part": (changed(optimizer_state=[]), "model.optimizer_state"),
        "custom points outside the view": (changed(config={**model["config"], "dataset": "custom"},
                                                   data={"train": [[7, 0, 1]], "test": []}), "model.data.train"),
        "not an object": ("a model", "model"),
    }


BAD_MODELS = ("wrong format", "wrong version", "bad config field", "config not an object", "negative epoch",
              "wrong layer sizes", "wrong weight shape", "a weight beyond the limit", "a weight that is text",
              "wrong bias count", "an unknown part", "custom points outside the view", "not an object")


@pytest.mark.parametrize("name", BAD_MODELS)
def test_a_bad_model_is_refused_naming_its_part_and_nothing_changes(connect, name):
    c, data, state, frame = custom_session(connect)
    model = export_model(c)
    cases = bad_models(model["model"])
    assert set(cases) == set(BAD_MODELS)
    bad, field = cases[name]
    error = refused(c, "import_model", model=bad)
    assert error["request"] == "import_model" and error["code"] == "invalid"
    assert error["fields"] and set(error["fields"]) == {field}, error["errors"]
    assert export_model(c) == model
    assert_unchanged(c, data, state, frame)


def test_a_model_with_nan_is_not_json_and_is_refused_as_such(connect):
    c, data, state, frame = custom_session(connect)
    text = json.dumps({"type": "import_model", "model": export_model(c)["model"]}).replace("[[[", "[[[NaN, ", 1)
    c.send_raw(text)
    error = c.until(lambda m: is_("error")(m) and m["handled"] == c.sent)
    assert error["fields"] == ["message"] and "not valid JSON" in error["errors"][0]
    assert_unchanged(c, data, state, frame)


# -- a custom dataset and the other messages ------------------------------------------------------

def test_configure_to_custom_needs_points_of_its_own(connect):
    c = connect()
    error = refused(c, "configure", config={"dataset": "custom"})
    assert error["fields"] == ["dataset"] and error["request"] == "configure"
    assert current_state(c)["config"]["dataset"] == "circle"
    import_csv(c, CSV)
    trained = reply(c, "step", epochs=2)[-1]
    answer = reply(c, "configure", config={"dataset": "custom"})  # what it is already: nothing changes
    assert types(answer) == ["state", "metrics", "frame"] and answer[0]["epoch"] == 2
    np.testing.assert_array_equal(answer[-1].params, trained.params)
    assert export_data(c)["train"] == split(POINTS, 50)["train"]


def test_another_dataset_drops_the_points_and_a_problem_change_must_not_keep_them(connect):
    c = connect()
    import_csv(c, CSV)
    error = refused(c, "configure", config={"problem": "regression", "dataset": "custom"})
    assert error["fields"] == ["problem"] and error["request"] == "configure"
    assert current_state(c)["config"]["problem"] == "classification"
    # Settings of generated data do not apply to your points: they change nothing but the config.
    trained = reply(c, "step", epochs=3)[-1]
    answer = reply(c, "configure", config={"noise": 30, "num_points": 100, "train_ratio": 70, "gate": "and"})
    assert answer[0]["config"]["dataset"] == "custom" and answer[0]["config"]["noise"] == 30
    assert answer[0]["epoch"] == 3 and "data" not in types(answer)
    np.testing.assert_array_equal(answer[-1].params, trained.params)
    assert export_data(c)["train"] == split(POINTS, 50)["train"]
    # The seed draws the weights: a new one makes a new network on the same points.
    answer = reply(c, "configure", config={"seed": "0.77"})
    assert answer[0]["epoch"] == 0 and export_data(c)["train"] == split(POINTS, 50)["train"]
    answer = reply(c, "configure", config={"dataset": "gauss"})
    assert types(answer) == ["state", "data", "metrics", "frame"]
    assert answer[1]["train"] == rows_of(engine.Run(answer[0]["config"]).data)["train"]
    error = refused(c, "configure", config={"dataset": "custom"})  # they are gone
    assert error["fields"] == ["dataset"]
    import_csv(c, CSV)
    answer = reply(c, "configure", config={"problem": "regression"})  # its dataset goes with it
    assert answer[0]["config"]["dataset"] == "reg-plane" and len(answer[1]["train"]) == 70  # 100 points, 70 %


def test_regenerate_is_refused_on_your_own_points(connect):
    c, data, state, frame = custom_session(connect)
    error = refused(c, "regenerate")
    assert error["request"] == "regenerate" and error["fields"] == ["dataset"]
    assert_unchanged(c, data, state, frame)


def test_backprop_counts_the_custom_datas_training_points(connect):
    c = connect()
    c.send("backprop", indices=[249])  # the generated circle has 250 training points
    assert c.until_type("backprop")["indices"] == [249]
    reply(c, "configure", config={"train_ratio": 75})
    import_csv(c, CSV)
    train = split(POINTS, 75)["train"]
    assert len(train) == 30
    c.send("backprop", indices=[0, 29])
    answer = c.until_type("backprop")
    assert answer["indices"] == [0, 29] and answer["labels"] == [train[0][2], train[29][2]]
    for bad in ([30], [249], [0, 30]):
        c.send("backprop", indices=bad)
        error = c.until(lambda m: is_("error")(m) and m["handled"] == c.sent)
        assert error["fields"] == ["indices"] and "0..29" in error["errors"][0]
    error = refused(c, "configure", config={"batch_size": 31})
    assert error["fields"] == ["batch_size"]
    assert reply(c, "configure", config={"batch_size": 30})[0]["config"]["batch_size"] == 30


def test_load_cannot_name_custom_and_drops_the_sessions_points(connect):
    c = connect()
    import_csv(c, CSV)
    answer = reply(c, "load", config={"dataset": "custom", "seed": "0.2", "noise": 10})
    assert types(answer) == ["error", "state", "data", "metrics", "frame"]
    error = answer[0]
    assert error["code"] == "left_out" and error["fields"] == ["dataset"] and error["request"] == "load"
    state = answer[1]
    assert state["config"]["dataset"] == "circle" and state["config"]["noise"] == 10 and state["epoch"] == 0
    assert answer[2]["train"] == rows_of(engine.Run(state["config"]).data)["train"]
    assert refused(c, "configure", config={"dataset": "custom"})["fields"] == ["dataset"]


def test_a_model_keeps_the_record_of_its_hand_set_weights_and_refuses_edits_that_do_not_fit(connect):
    c = connect()
    reply(c, "configure", config={"network_shape": [3], "seed": "0.25"})
    reply(c, "set_weight", layer=0, **{"from": 1, "to": 2}, value=2.5)
    reply(c, "set_bias", layer=1, node=0, value=-1.5)
    reply(c, "step", epochs=3)
    model = export_model(c)["model"]
    assert model["edits"] == c.state["edits"] == [{"layer": 0, "from": 1, "to": 2, "value": 2.5},
                                                  {"layer": 1, "node": 0, "value": -1.5}]
    other = connect()
    state = reply(other, "import_model", model=model)[0]
    # The record comes back as it was; the weights are the trained ones, not the record's values.
    assert state["edits"] == model["edits"] and state["epoch"] == 3
    assert other.frame.params[other_index(model)] == np.float32(model["weights"][0][2][1]) != np.float32(2.5)
    for bad in ([{"layer": 0, "from": 5, "to": 0, "value": 1}], [{"layer": 0, "node": 0, "value": "x"}], {"a": 1}):
        answer = reply(other, "import_model", model={**model, "edits": bad})
        assert answer[0]["type"] == "error" and answer[0]["fields"][0] == "model.edits", answer
    assert other.state["edits"] == model["edits"]


def other_index(model: dict) -> int:
    """Where the weight from input 1 to hidden node 2 sits in the frame: row 2 of layer 0, column 2."""
    inputs = model["layer_sizes"][0]
    return 2 * (inputs + 1) + 1 + 1
