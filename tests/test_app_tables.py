"""Tables over a real websocket (issue 14, docs/protocol.md "Tables: data beyond the plane"): the
shipped `mnist` and `house-prices` and a CSV table of your own, each answer checked against an
engine run doing the same: the `data` message's table and sample, metrics' sample predictions in
the table's units, frames without maps, probing a row, and every refusal leaving the session as
it was. Every text message is parsed strictly (no NaN, no Infinity)."""

from __future__ import annotations

import base64

import numpy as np
import pytest

import engine
from engine.tables import real_table
from servers import strict_clients_of
from ws_client import StrictClient, decode_frame, is_, refused, reply, types

HOUSES = "price,size,rooms\n" + "\n".join(f"{50000 + 900 * i},{300 + 7 * i},{1 + i % 4}" for i in range(40)) + "\n"


@pytest.fixture
def connect(steady_server):
    yield from strict_clients_of(steady_server)


def table_answer(c: StrictClient, kind: str, **fields) -> dict:
    """The answer's messages by type (its frame as `frame`)."""
    answer = reply(c, kind, **fields)
    assert "error" not in types(answer), answer
    found = {m["type"]: m for m in answer if isinstance(m, dict)}
    found["frame"] = next(m for m in answer if not isinstance(m, dict))
    return found


def test_choosing_mnist_sends_its_table_its_sample_and_frames_without_maps(connect):
    c = connect()
    assert c.hello["options"]["tables"]["mnist"]["problem"] == "multiclass"
    assert "mnist" in c.hello["options"]["dataset"]["multiclass"]
    got = table_answer(c, "configure", config={"dataset": "mnist", "seed": "7"})
    config = got["state"]["config"]
    assert (config["problem"], config["num_classes"], config["network_shape"], config["init"]) == \
        ("multiclass", 10, [32], "glorot")
    table, mnist = got["data"]["table"], real_table("mnist")
    assert (got["data"]["train"], got["data"]["test"]) == ([], [])
    assert table["image"] == [28, 28] and table["classes"] == [str(d) for d in range(10)]
    assert (table["train_rows"], table["test_rows"]) == (4000, 1000)
    pixels = np.frombuffer(base64.b64decode(table["sample_pixels"]), np.uint8).reshape(-1, 784)
    assert len(pixels) == len(table["sample_labels"]) == 100
    np.testing.assert_array_equal(pixels, mnist.test_x[:100])
    assert table["sample_labels"] == mnist.test_y[:100].astype(int).tolist()
    # The frame: the parameters and no maps (D = T = 0, flag 8), as the engine's run has them.
    run = engine.Run({"dataset": "mnist", "seed": "7"})
    frame = got["frame"]
    assert (frame.resolution, frame.thumbnail, frame.flags & 8, frame.sizes) == (0, 0, 8, (784, 32, 10))
    assert frame.size == 20 + 4 * (32 * 785 + 10 * 33)  # header 14 + 2 × 3, no padding
    np.testing.assert_array_equal(frame.params, run.model.params.astype(np.float32))
    # Metrics: the sample's predicted classes, the run's.
    metrics = got["metrics"]
    assert metrics["sample_predictions"] == run.metrics.sample_predictions
    assert metrics["sample_predictions"] == np.argmax(run.predict(mnist.test_x[:100]), axis=0).tolist()
    assert len(metrics["confusion"]) == 10 and sum(map(sum, metrics["confusion"])) == 1000
    # A step trains it as the engine does.
    got = table_answer(c, "step", epochs=1)
    run.step(1)
    assert got["metrics"]["epoch"] == 1 and got["metrics"]["test_accuracy"] == pytest.approx(run.metrics.test_accuracy)
    np.testing.assert_array_equal(got["frame"].params, run.model.params.astype(np.float32))


def test_a_drawn_digit_is_probed_as_a_row_and_plane_only_messages_are_refused(connect):
    c = connect()
    table_answer(c, "configure", config={"dataset": "mnist"})
    run = engine.Run({"dataset": "mnist", "seed": c.state["config"]["seed"]})
    digit = np.zeros((28, 28))
    digit[4:24, 13:16] = 255  # a one
    c.send("probe", inputs=digit.ravel().tolist())
    answer = c.until(is_("probe"))
    expected = run.probe_row(digit.ravel())
    probabilities = answer["layers"][-1]["a"]
    assert len(probabilities) == 10 and sum(probabilities) == pytest.approx(1.0)
    np.testing.assert_allclose(probabilities, expected["layers"][-1]["a"], rtol=1e-12)
    assert (answer["x"], answer["y"], answer["head"]) == (None, None, "softmax") and len(answer["inputs"]) == 784
    before = c.state
    for kind, fields, field in (("probe", {"x": 1, "y": 2}, "inputs"), ("probe", {"inputs": [0] * 783}, "inputs"),
                                ("probe", {"inputs": [0] * 783 + [1e12]}, "inputs"),
                                ("inspect", {"neuron": 0}, "neuron"), ("export_data", {}, "dataset"),
                                ("regenerate", {}, "dataset"), ("backprop", {}, "message"),
                                ("configure", {"config": {"num_classes": 5}}, "num_classes"),
                                ("configure", {"config": {"inputs": ["pixel 0,0", "nope"]}}, "inputs")):
        error = refused(c, kind, **fields)
        assert field in error["fields"], (kind, error)
    # Nothing changed: the same settings and network.
    got = table_answer(c, "step", epochs=1)
    assert got["state"]["config"] == before["config"] and got["metrics"]["epoch"] == 1


def test_house_prices_predict_in_dollars_and_a_column_can_be_switched_off(connect):
    c = connect()
    got = table_answer(c, "configure", config={"dataset": "house-prices", "seed": "3"})
    table, houses = got["data"]["table"], real_table("house-prices")
    assert (table["target"], table["units"], table["columns"][:3]) == ("price", "CAD", ["lotsize", "bedrooms", "bathrooms"])
    assert len(table["sample_inputs"]) == len(table["sample_labels"]) == 109
    assert table["sample_inputs"][0] == houses.test_x[0].tolist()
    got = table_answer(c, "step", epochs=20)
    run = engine.Run({"dataset": "house-prices", "seed": "3"})
    run.step(20)
    metrics = got["metrics"]
    np.testing.assert_allclose(metrics["sample_predictions"], run.predict(houses.test_x)[0], rtol=1e-9)
    predicted = np.array(metrics["sample_predictions"])
    assert metrics["rmse"] == pytest.approx(np.sqrt(np.mean((predicted - houses.test_y) ** 2)))
    assert 10_000 < metrics["rmse"] < 40_000  # dollars, not standardized units
    # The course's backpropagation works on a table of few columns, as on the plane.
    c.send("backprop", indices=[0, 5, 9])
    answer, expected = c.until(is_("backprop")), run.backprop([0, 5, 9])
    assert answer["loss"] == pytest.approx(expected["loss"], rel=1e-12)
    np.testing.assert_allclose(answer["layers"][0]["dW"], expected["layers"][0]["dW"], rtol=1e-9, atol=1e-15)
    assert len(answer["layers"][0]["a"]) == 12  # the eleven columns and the bias unit
    # Two columns only: a network of two inputs.
    got = table_answer(c, "configure", config={"inputs": ["lotsize", "bedrooms"]})
    assert got["state"]["config"]["inputs"] == ["lotsize", "bedrooms"] and got["frame"].sizes[0] == 2
    c.send("probe", inputs=houses.test_x[0].tolist())
    assert len(c.until(is_("probe"))["inputs"]) == 2
    # From house prices to the digits, and back to the plane.
    got = table_answer(c, "configure", config={"dataset": "mnist"})
    assert got["state"]["config"]["inputs"] is None and got["frame"].sizes[0] == 784
    got = table_answer(c, "configure", config={"problem": "classification"})
    config = got["state"]["config"]
    assert (config["dataset"], config["network_shape"], config["init"]) == ("circle", [4, 2], "random")
    assert got["frame"].resolution == 100 and len(got["data"]["train"]) == 250


def test_a_csv_table_of_your_own_trains_and_a_bad_one_changes_nothing(connect):
    c = connect()
    table_answer(c, "configure", config={"problem": "regression"})
    got = table_answer(c, "import_data", format="table", content=HOUSES, target="price")
    config, table = got["state"]["config"], got["data"]["table"]
    assert (config["dataset"], table["columns"], table["target"]) == ("table", ["size", "rooms"], "price")
    assert (table["train_rows"], table["test_rows"]) == (32, 8) and got["frame"].sizes[0] == 2
    own = engine.parse_table_csv(HOUSES, "price", "regression")
    run = engine.Run({**config}, table=own)
    np.testing.assert_array_equal(got["frame"].params, run.model.params.astype(np.float32))
    before = table_answer(c, "step", epochs=3)
    for fields, field, rows in (
            ({"content": HOUSES.replace("50900", "5o900"), "target": "price"}, "content", [3]),
            ({"content": HOUSES, "target": "cost"}, "target", []),
            ({"content": HOUSES, "target": "price", "inputs": ["size", "floor"]}, "inputs", []),
            ({"content": HOUSES, "target": "price", "test_ratio": 90}, "test_ratio", []),
            ({"content": HOUSES}, "target", [])):
        error = refused(c, "import_data", format="table", **fields)
        assert field in error["fields"] and error["rows"] == rows, (fields, error)
    assert "target" in refused(c, "import_data", format="csv", content="1,2,1\n", target="x")["fields"]
    after = table_answer(c, "step", epochs=1)
    assert after["state"]["config"] == before["state"]["config"] and after["metrics"]["epoch"] == 4
    # The session's own table is kept across settings; the model file does not carry it.
    got = table_answer(c, "configure", config={"network_shape": [3]})
    assert got["state"]["config"]["dataset"] == "table" and got["frame"].sizes == (2, 3, 1)


def test_a_house_prices_model_exports_and_imports_back_the_same_network(connect):
    c = connect()
    table_answer(c, "configure", config={"dataset": "house-prices"})
    trained = table_answer(c, "step", epochs=5)
    c.send("export_model")
    exported = c.until(is_("model"))
    assert exported["model"]["layer_sizes"] == [11, 8, 1] and "MEAN" in exported["script"]
    table_answer(c, "reset")
    got = table_answer(c, "import_model", model=exported["model"])
    assert got["state"]["epoch"] == 5 and got["state"]["config"]["dataset"] == "house-prices"
    np.testing.assert_array_equal(got["frame"].params, trained["frame"].params)
    assert got["metrics"]["sample_predictions"] == pytest.approx(trained["metrics"]["sample_predictions"], rel=1e-6)


def test_decode_frame_reads_a_frame_without_maps():
    frame = decode_frame(engine_frame())
    assert (frame.resolution, frame.thumbnail, frame.main.size, frame.thumbnails.size) == (0, 0, 0, 0)


def engine_frame() -> bytes:
    from app import protocol
    run = engine.Run({"dataset": "house-prices"})
    return protocol.frame(run.layer_sizes, run.model.params, run.epoch, table=True)


def test_a_multiclass_table_brings_its_classes_and_points_after_a_table_make_a_new_network(connect):
    c = connect()
    table_answer(c, "configure", config={"problem": "multiclass", "batch_size": 30})  # 3 classes, batch 30
    digits = "a,b,digit\n" + "\n".join(f"{i},{i % 7},{i % 5}" for i in range(20)) + "\n"  # 5 classes, 16 training rows
    got = table_answer(c, "import_data", format="table", content=digits, target="digit")
    config = got["state"]["config"]
    # Its five classes; the batch of 30 does not fit its 16 training rows: the default 10 does.
    assert (config["dataset"], config["num_classes"], config["batch_size"]) == ("table", 5, 10)
    assert got["frame"].sizes[0] == 2 and got["frame"].sizes[-1] == 5
    # Points of the plane after a table: the plane's network, not the table's inputs.
    table_answer(c, "configure", config={"dataset": "house-prices"})
    table_answer(c, "step", epochs=2)
    got = table_answer(c, "import_data", format="csv", content="x,y,label\n1,2,0.5\n2,3,0.25\n-1,0,0.75\n0,1,0.1\n")
    config = got["state"]["config"]
    assert (config["dataset"], config["features"], config["network_shape"]) == ("custom", ["x", "y"], [4, 2])
    assert got["frame"].sizes == (2, 4, 2, 1) and got["frame"].resolution == 100 and got["state"]["epoch"] == 0
    assert len(got["data"]["train"]) == 2
