"""Opening a link over the protocol: `load` gives exactly what a fresh tab gets (whatever the session
had trained), leaves out what the engine refuses and says so field by field, and the server's
`state` is the one record of hand-set weights and of which client messages it has handled."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from servers import clients_of
from ws_client import types


@pytest.fixture
def connect(steady_server):
    yield from clients_of(steady_server)


LINK = {"dataset": "xor", "noise": 35, "network_shape": [1], "activation": "linear", "learning_rate": 0.01,
        "seed": "0.50819"}


def fresh(config: dict, edits: list[dict] = ()) -> engine.Run:
    run = engine.Run(config)
    for edit in edits:
        if "node" in edit:
            run.set_bias(edit["layer"], edit["node"], edit["value"])
        else:
            run.set_weight(edit["layer"], edit["from"], edit["to"], edit["value"])
    return run


def test_load_over_a_trained_session_that_differs_only_live_gives_a_fresh_tabs_network(connect):
    """The pasted-link defect: a trained tab whose settings differ from the link's only in the
    learning rate must not keep its trained weights under the link's hand-set ones."""
    c = connect()
    c.answer("configure", config={**LINK, "learning_rate": 0.03})
    c.answer("step", epochs=50)
    edits = [{"layer": 0, "from": 0, "to": 0, "value": 2.0}, {"layer": 1, "node": 0, "value": -1.5}]
    answer = c.answer("load", config=LINK, edits=edits)
    assert types(answer) == ["state", "data", "metrics", "frame"]
    state, frame = answer[0], answer[-1]
    assert (state["epoch"], state["playing"], frame.epoch) == (0, False, 0)
    assert state["config"] == engine.validate(LINK)
    assert state["edits"] == sorted(edits, key=lambda e: (e["layer"], "node" not in e))
    np.testing.assert_array_equal(frame.params, fresh(LINK, edits).model.params.astype(np.float32))


def test_load_of_the_same_link_twice_gives_the_same_network(connect):
    c = connect()
    first = c.answer("load", config=LINK, edits=[])[-1]
    c.answer("step", epochs=10)
    second = c.answer("load", config=LINK, edits=[])[-1]
    np.testing.assert_array_equal(first.params, second.params)
    np.testing.assert_array_equal(first.main, second.main)


def test_load_leaves_out_what_the_engine_refuses_names_each_field_and_applies_the_rest(connect):
    c = connect()
    answer = c.answer("load", config={"noise": 20, "activation": "nope", "colour": "red", "batch_size": 300,
                                      "network_shape": [3]},
                      edits=[{"layer": 0, "from": 0, "to": 2, "value": 1.0},
                             {"layer": 0, "from": 5, "to": 0, "value": 1.0},
                             {"layer": 1, "node": 0, "value": 1e9},
                             {"layer": 1, "node": 0, "value": 0.25, "colour": 1}])
    error = answer[0]
    assert (error["type"], error["request"], error["code"]) == ("error", "load", "left_out")
    assert sorted(error["fields"]) == ["activation", "batch_size", "colour", "edits", "edits", "edits"]
    assert len(error["errors"]) == len(error["fields"])
    assert all(text.startswith(f"{field}: ") for field, text in zip(error["fields"], error["errors"]))
    state = answer[1]
    assert types(answer[1:]) == ["state", "data", "metrics", "frame"]
    config = state["config"]
    assert (config["noise"], config["network_shape"]) == (20, [3])
    assert (config["activation"], config["batch_size"]) == ("tanh", 10)  # the defaults, as a fresh tab
    assert state["edits"] == [{"layer": 0, "from": 0, "to": 2, "value": 1.0}]


def test_a_load_with_few_points_and_no_batch_size_lowers_the_batch_to_fit(connect):
    c = connect()
    state = c.answer("load", config={"num_points": 50, "train_ratio": 10}, edits=[])[0]
    assert state["type"] == "state" and state["config"]["batch_size"] == 5


def test_load_of_another_problem_follows_it_and_a_wrong_dataset_falls_back(connect):
    c = connect()
    answer = c.answer("load", config={"problem": "regression", "dataset": "circle"}, edits=[])
    assert answer[0]["fields"] == ["dataset"]
    assert answer[1]["config"]["dataset"] == "reg-plane" and answer[1]["config"]["loss"] == "half_square"


def test_a_badly_shaped_load_is_refused_whole(connect):
    c = connect()
    before = c.answer("step", epochs=2)[-1]
    error = c.answer("load", config=[1], edits={"a": 1})[0]
    assert (error["code"], error["request"], sorted(error["fields"])) == ("invalid", "load", ["config", "edits"])
    assert c.answer("step")[-1].epoch == before.epoch + 1


def test_state_keeps_hand_edits_until_the_network_is_made_new(connect):
    c = connect()
    w = {"layer": 0, "from": 1, "to": 2, "value": 0.75}
    b = {"layer": 2, "node": 0, "value": -2.0}
    assert c.answer("set_weight", **w)[0]["edits"] == [w]
    assert c.answer("set_bias", **b)[0]["edits"] == [w, b]
    assert c.answer("set_weight", **{**w, "value": 1.5})[0]["edits"] == [{**w, "value": 1.5}, b]  # last wins
    kept = [{**w, "value": 1.5}, b]
    assert c.answer("configure", config={"learning_rate": 0.1})[0]["edits"] == kept  # live
    assert c.answer("regenerate")[0]["edits"] == kept  # keeps the weights
    steps = c.answer("step", epochs=2)
    assert [m for m in steps if isinstance(m, dict) and m["type"] == "state"][-1]["edits"] == kept
    assert c.answer("reset")[0]["edits"] == []
    c.answer("set_weight", **w)
    assert c.answer("configure", config={"activation": "relu"})[0]["edits"] == []


def test_state_says_how_many_client_messages_were_handled_refusals_included(connect):
    c = connect()
    assert c.state["handled"] == 0
    c.send("set_speed", epochs_per_frame=0)  # refused
    c.send("fly")  # refused
    c.send_raw("{")  # refused
    for _ in range(3):
        c.expect("error")
    state = c.answer("configure", config={"noise": 5})[0]
    assert state["type"] == "state" and state["handled"] == 4


def test_every_error_names_its_fields_as_data(connect):
    c = connect()
    error = c.answer("configure", config={"noise": -1, "activation": "x"})[0]
    assert sorted(error["fields"]) == ["activation", "noise"]
    error = c.answer("set_bias", layer=9, node=0, value="big")[0]
    assert error["fields"] == ["layer", "value"]


def test_a_configure_is_checked_once_by_the_engine(connect, monkeypatch):
    """One judge, one pass: the protocol asks the engine, and the run applies what it checked."""
    calls = []
    check = engine.config._CHECKS["noise"]
    monkeypatch.setitem(engine.config._CHECKS, "noise", lambda value, config: calls.append(value) or check(value, config))
    c = connect()
    calls.clear()
    assert c.answer("configure", config={"noise": 15})[0]["config"]["noise"] == 15
    assert calls == [15]


def test_a_load_without_a_usable_seed_gets_a_random_one(connect):
    c = connect()
    seeds = {c.answer("load", config={"noise": 5}, edits=[])[0]["config"]["seed"] for _ in range(3)}
    assert len(seeds) == 3 and all(len(seed) == 7 and seed.startswith("0.") for seed in seeds)
    answer = c.answer("load", config={"seed": "x" * 40}, edits=[])
    assert answer[0]["fields"] == ["seed"] and answer[1]["config"]["seed"] not in ("0.12345", "x" * 40)
    assert c.answer("load", config={"seed": "0.5"}, edits=[])[0]["config"]["seed"] == "0.5"


def test_a_load_starts_like_a_fresh_tab_at_one_epoch_per_frame_mapping_the_output(connect):
    c = connect()
    c.answer("set_speed", epochs_per_frame=20)
    c.answer("inspect", neuron=1)
    state = c.answer("load", config={"seed": "0.5"}, edits=[])[0]
    assert (state["epochs_per_frame"], state["inspect"]) == (1, None)


def test_errors_say_how_many_messages_were_handled_with_them(connect):
    c = connect()
    c.answer("step", epochs=2)
    error = c.answer("set_speed", epochs_per_frame=0)[0]
    assert (error["request"], error["handled"]) == ("set_speed", 2)
    answer = c.answer("load", config={"activation": "nope", "seed": "0.5"}, edits=[])
    error = next(m for m in answer if isinstance(m, dict) and m["type"] == "error")
    assert (error["code"], error["handled"]) == ("left_out", 3)
