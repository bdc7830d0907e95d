"""The protocol over a real websocket: first messages, every message type, the frame layout checked
against an engine run, live learning-rate changes, reset, weight editing, inspection, divergence."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import engine
from app import protocol
from servers import LiveServer, clients_of
from ws_client import Client, Frame, assert_matches_run, types

SIX_BY_EIGHT = {"features": ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"],
                "network_shape": [8] * 6}


@pytest.fixture
def connect(steady_server):
    yield from clients_of(steady_server)


def all_finite(message) -> bool:
    numbers = [v for v in message.values() if isinstance(v, float)]
    return all(math.isfinite(v) for v in numbers)


# -- connecting ---------------------------------------------------------------------------------

def test_first_messages_greet_with_options_limits_and_a_default_session(connect, client):
    c = connect()
    assert c.hello["protocol"] == 1
    assert c.hello["options"] == client.get("/api/options").json
    assert c.hello["limits"] == {"max_epochs_per_frame": 100, "frames_per_second": 30, "max_message_bytes": 65536,
                                 "max_sessions": 100, "resolution": 100, "thumbnail": 10, "extent": 6.0,
                                 "backprop_points": 32, "speeds": [1, 2, 5, 10, 20, 50, 100]}
    assert c.state == {"type": "state", "config": engine.validate(), "playing": False, "epoch": 0,
                       "epochs_per_frame": 1, "diverged": False, "inspect": None, "edits": [], "handled": 0,
                       "stopped": None}
    assert c.metrics["epoch"] == 0 and c.metrics["diverged"] is False and all_finite(c.metrics)


def test_data_message_lists_rounded_points_with_labels(connect):
    c = connect()
    run = engine.Run()
    assert len(c.data["train"]) == len(run.data.train_xy) == 250 and len(c.data["test"]) == 250
    x, y, label = c.data["train"][0]
    assert (x, y) == (round(run.data.train_xy[0, 0], 4), round(run.data.train_xy[0, 1], 4))
    assert {row[2] for row in c.data["train"] + c.data["test"]} == {-1, 1}


def test_first_frame_is_a_fresh_page_loads_network(connect):
    c = connect()
    frame = c.frame
    assert (frame.version, frame.flags, frame.resolution, frame.thumbnail, frame.inspected) == (1, 0, 100, 10, 0xFFFF)
    assert frame.size == protocol.frame_size(frame.sizes) == 10_724
    assert_matches_run(frame, engine.Run())


def test_frame_for_the_largest_page_network_is_under_20_kb(connect):
    c = connect()
    answer = c.answer("configure", config=SIX_BY_EIGHT)
    frame = answer[-1]
    assert frame.sizes == (7, 8, 8, 8, 8, 8, 8, 1)
    assert frame.size == 16_564 <= 20_000
    assert_matches_run(frame, engine.Run(SIX_BY_EIGHT))


# -- configure ----------------------------------------------------------------------------------

def test_configure_answers_state_data_metrics_frame_when_data_changes(connect):
    c = connect()
    answer = c.answer("configure", config={"dataset": "spiral", "noise": 20})
    assert types(answer) == ["state", "data", "metrics", "frame"]
    assert answer[0]["config"]["dataset"] == "spiral" and answer[0]["config"]["noise"] == 20
    run = engine.Run({"dataset": "spiral", "noise": 20})
    assert answer[1]["train"][0][:2] == [round(v, 4) for v in run.data.train_xy[0]]
    assert_matches_run(answer[-1], run)


def test_configure_of_the_network_only_sends_no_data(connect):
    c = connect()
    answer = c.answer("configure", config={"network_shape": [3], "activation": "relu"})
    assert types(answer) == ["state", "metrics", "frame"]
    assert_matches_run(answer[-1], engine.Run({"network_shape": [3], "activation": "relu"}))


def test_configure_merges_into_the_current_config(connect):
    c = connect()
    c.answer("configure", config={"noise": 10})
    answer = c.answer("configure", config={"batch_size": 5})
    assert answer[0]["config"]["noise"] == 10 and answer[0]["config"]["batch_size"] == 5


def test_learning_rate_applies_live_without_reset(connect):
    c = connect()
    c.answer("set_speed", epochs_per_frame=3)
    c.send("play")
    before = c.until_frame(lambda f: f.epoch >= 9)
    weights_before = before.params.copy()
    answer = c.answer("configure", config={"learning_rate": 0.3})
    state = next(m for m in answer if isinstance(m, dict) and m["type"] == "state")
    assert state["playing"] is True and state["config"]["learning_rate"] == 0.3
    assert state["epoch"] >= before.epoch and "data" not in types(answer)
    later = c.until_frame(lambda f: f.epoch >= state["epoch"] + 6)
    assert not np.array_equal(later.params, weights_before)
    assert all(m["epoch"] >= before.epoch for m in c.log if isinstance(m, dict) and m["type"] == "metrics"
               and c.log.index(m) > c.log.index(before))


def test_a_new_network_pauses_as_the_playground_does(connect):
    c = connect()
    c.send("play")
    c.until_frame(lambda f: f.epoch >= 2)
    answer = c.answer("configure", config={"activation": "relu"})
    state = answer[[i for i, t in enumerate(types(answer)) if t == "state"][-1]]
    assert state["playing"] is False and state["epoch"] == 0
    assert answer[-1].epoch == 0


# -- play, pause, step, speed -------------------------------------------------------------------

def test_play_sends_paced_frames_each_after_metrics_of_the_same_epoch(connect):
    c = connect()
    assert c.answer("play")[-1]["playing"] is True
    frames = [c.until_frame() for _ in range(8)]
    epochs = [f.epoch for f in frames]
    assert epochs == sorted(epochs) and epochs[-1] > epochs[0]
    for i, message in enumerate(c.log):
        if isinstance(message, Frame) and i > 0:
            assert c.log[i - 1]["type"] == "metrics" and c.log[i - 1]["epoch"] == message.epoch


def test_pause_stops_training(connect):
    c = connect()
    c.send("play")
    c.until_frame(lambda f: f.epoch >= 3)
    state = c.answer("pause")[-1]
    assert state["playing"] is False
    paused_at = state["epoch"]
    # Nothing trains while paused: one step later the epoch is exactly one more.
    answer = c.answer("step")
    assert answer[-1].epoch == paused_at + 1


def test_step_trains_that_many_epochs_and_answers_state_metrics_frame(connect):
    c = connect()
    answer = c.answer("step", epochs=5)
    assert types(answer) == ["state", "metrics", "frame"]
    assert answer[0]["epoch"] == answer[1]["epoch"] == answer[2].epoch == 5
    run = engine.Run()
    run.step(5)
    assert_matches_run(answer[-1], run)
    assert c.answer("step")[-1].epoch == 6


def test_a_long_step_is_trained_in_slices_with_progress_frames_and_answered_at_the_end():
    with LiveServer({"FRAME_BUDGET_MS": 20}) as server:
        c = next(clients := clients_of(server))()
        c.answer("configure", config=SIX_BY_EIGHT)
        c.send("step", epochs=150)  # about 250 ms of training: slices of 20 ms
        state = c.until_type("state")
        assert state["epoch"] == 150 and state["playing"] is False
        assert c.expect("metrics")["epoch"] == 150 and c.expect_frame().epoch == 150
        progress = [m.epoch for m in c.log if isinstance(m, Frame) and 0 < m.epoch < 150]
        assert progress and progress == sorted(progress)
        next(clients, None)


def test_the_frame_budget_cuts_a_frame_short_but_training_goes_on():
    with LiveServer({"FRAME_BUDGET_MS": 2}) as server:
        c = next(clients := clients_of(server))()
        c.answer("configure", config=SIX_BY_EIGHT)
        c.answer("set_speed", epochs_per_frame=100)  # 100 epochs of 6 × 8 take about 150 ms
        c.send("play")
        frames = [c.until_frame(lambda f: f.epoch > 0) for _ in range(5)]
        steps = [b.epoch - a.epoch for a, b in zip(frames, frames[1:])]
        assert all(0 < step < 100 for step in steps)
        next(clients, None)


def test_set_speed_sets_epochs_per_frame(connect):
    c = connect()
    assert c.answer("set_speed", epochs_per_frame=4)[-1]["epochs_per_frame"] == 4
    c.send("play")
    first = c.until_frame(lambda f: f.epoch > 0)
    second = c.until_frame()
    assert first.epoch % 4 == 0 and second.epoch - first.epoch == 4


# -- reset, regenerate --------------------------------------------------------------------------

def test_hello_offers_a_speed_menu_that_ends_at_the_servers_limit():
    from app.session import speed_steps
    assert speed_steps(100) == [1, 2, 5, 10, 20, 50, 100]
    assert speed_steps(30) == [1, 2, 5, 10, 20, 30]
    assert speed_steps(1) == [1]
    with LiveServer({"MAX_EPOCHS_PER_FRAME": 30}) as server:
        client = Client(server.ws_url)
        assert client.hello["limits"]["speeds"] == [1, 2, 5, 10, 20, 30]
        client.close()


def test_reset_draws_the_next_weights_and_goes_back_to_epoch_zero(connect):
    c = connect()
    c.send("play")
    c.until_frame(lambda f: f.epoch >= 3)
    answer = c.answer("reset")
    assert types(answer)[-3:] == ["state", "metrics", "frame"]
    state = answer[-3]
    assert state["playing"] is False and state["epoch"] == 0 and answer[-2]["epoch"] == 0
    run = engine.Run()
    run.reset()
    assert_matches_run(answer[-1], run)
    assert not np.array_equal(answer[-1].params, engine.Run().model.params.astype(np.float32))


def test_regenerate_makes_new_data_and_keeps_the_weights(connect):
    c = connect()
    first = c.frame
    answer = c.answer("regenerate")
    assert types(answer) == ["state", "data", "metrics", "frame"]
    assert answer[0]["config"]["seed"] != "0.12345"
    assert answer[1]["train"] != c.log[2]["train"]
    np.testing.assert_array_equal(answer[-1].params, first.params)


# -- editing weights, inspecting ----------------------------------------------------------------

def test_set_weight_changes_that_weight_and_the_output_map(connect):
    c = connect()
    answer = c.answer("set_weight", layer=2, **{"from": 1, "to": 0}, value=-4.5)
    assert types(answer) == ["state", "metrics", "frame"]
    assert answer[0]["edits"] == [{"layer": 2, "from": 1, "to": 0, "value": -4.5}]
    frame = answer[-1]
    run = engine.Run()
    run.set_weight(2, 1, 0, -4.5)
    assert_matches_run(frame, run)
    # Output layer: 1 row of [bias, w0, w1]; it starts after 4·3 + 2·5 parameters.
    assert frame.params[12 + 10 + 2] == np.float32(-4.5)
    assert not np.array_equal(frame.main, c.log[4].main)


def test_set_bias_changes_that_bias_and_the_output_map(connect):
    c = connect()
    frame = c.answer("set_bias", layer=2, node=0, value=3.0)[-1]
    assert frame.params[22] == np.float32(3.0)
    assert frame.main.mean() > c.log[4].main.mean() + 50  # the map turns blue


def test_inspect_sends_a_neurons_full_map_and_null_returns_to_the_output(connect):
    c = connect()
    frame = c.answer("inspect", neuron=5)[-1]
    assert frame.flags & 2 and frame.inspected == 5
    np.testing.assert_array_equal(frame.main, engine.Run().grids().neurons[5])
    frame = c.answer("inspect", neuron=None)[-1]
    assert not frame.flags & 2 and frame.inspected == 0xFFFF
    np.testing.assert_array_equal(frame.main, engine.Run().grids().output)


def test_multiclass_frames_carry_the_multiclass_flag(connect):
    c = connect()
    config = {"problem": "multiclass", "num_classes": 4}
    answer = c.answer("configure", config=config)
    assert answer[0]["config"]["dataset"] == "multi-spiral"
    assert {row[2] for row in answer[1]["train"]} == {0, 1, 2, 3}
    frame = answer[-1]
    assert frame.flags & 1 and frame.sizes[-1] == 4
    assert_matches_run(frame, engine.Run(config))


# -- divergence ---------------------------------------------------------------------------------

DIVERGING = {"problem": "regression", "dataset": "reg-plane", "learning_rate": 10, "activation": "relu",
             "network_shape": [8, 8]}


def test_divergence_pauses_reports_and_sends_only_finite_numbers(connect):
    c = connect()
    c.answer("configure", config=DIVERGING)
    c.answer("set_speed", epochs_per_frame=5)
    c.send("play")
    state = c.until_type("state", diverged=True)
    assert state["playing"] is False
    metrics = c.expect("metrics")
    frame = c.expect_frame()
    assert metrics["diverged"] is True and all_finite(metrics)
    assert frame.flags & 4 and np.isfinite(frame.params).all()
    for message in c.log:
        if isinstance(message, dict) and message["type"] == "metrics":
            assert all_finite(message)
    error = c.answer("play")[-1]
    assert error["type"] == "error" and error["request"] == "play" and error["errors"][0].startswith("play:")
    answer = c.answer("reset")
    assert answer[-3]["diverged"] is False and not answer[-1].flags & 4


def test_metrics_say_when_training_has_stalled(connect):
    c = connect()
    c.answer("configure", config={"learning_rate": 10, "seed": "0.03"})
    assert c.metrics["stalled"] is None and c.log[-2]["stalled"] is None
    answer = c.answer("step", epochs=300)
    metrics = [m for m in answer if isinstance(m, dict) and m["type"] == "metrics"][-1]
    assert metrics["epoch"] == 300 and metrics["stalled"] == {"layer": "output", "reason": "saturated"}
    assert [m for m in c.answer("reset") if isinstance(m, dict) and m["type"] == "metrics"][-1]["stalled"] is None


def test_changing_to_a_new_network_clears_divergence(connect):
    c = connect()
    c.answer("configure", config=DIVERGING)
    c.answer("step", epochs=50)
    assert c.state["diverged"] is True
    answer = c.answer("configure", config={"learning_rate": 0.01, "activation": "tanh"})
    assert answer[0]["diverged"] is False and answer[1]["diverged"] is False


def test_json_text_never_contains_non_finite_numbers(connect):
    c = connect()
    c.answer("configure", config=DIVERGING)
    c.answer("step", epochs=50)
    raw = c.ws
    raw.send(json.dumps({"type": "configure", "config": {}}))
    opcode, payload = raw.recv_data()
    assert b"NaN" not in payload and b"Infinity" not in payload


def test_a_bigger_network_starts_with_single_epoch_frames_not_the_old_networks_pace():
    with LiveServer({"FRAME_BUDGET_MS": 15}) as server:
        c = next(clients := clients_of(server))()
        c.answer("set_speed", epochs_per_frame=100)
        c.send("play")
        c.until_frame(lambda f: f.epoch >= 200)  # the small network learns its pace: ~30 epochs a frame
        big = {"network_shape": [32, 32, 32, 32], "num_points": 2000, "batch_size": 1}
        c.answer("configure", config=big)  # about 20 ms an epoch, more than the budget
        c.send("play")
        assert c.until_frame(lambda f: f.epoch > 0).epoch <= 2  # not ~30 at the old network's pace
        next(clients, None)


def test_play_pauses_at_stop_epoch_and_says_why(connect):
    c = connect()
    c.answer("configure", config={"stop_epoch": 12})
    c.answer("set_speed", epochs_per_frame=5)
    c.send("play")
    state = c.until_type("state", playing=False)
    assert (state["epoch"], state["stopped"]) == (12, "stop_epoch")
    assert c.until_frame(lambda f: f.epoch == 12).epoch == 12
    assert c.answer("play")[-1]["stopped"] is None  # playing on, past it
    assert c.until_frame(lambda f: f.epoch > 12).epoch > 12


def test_a_step_stops_where_the_test_loss_falls_to_stop_test_loss(connect):
    config = {"dataset": "gauss", "seed": "0.3"}
    run = engine.Run({**config, "stop_test_loss": 0.05})
    expected = run.step(500).epoch
    c = connect()
    c.answer("load", config={**config, "stop_test_loss": 0.05})
    answer = c.answer("step", epochs=500)
    state = next(m for m in answer if isinstance(m, dict) and m["type"] == "state")
    assert (state["epoch"], state["stopped"], state["playing"]) == (expected, "stop_test_loss", False)
    metrics = next(m for m in answer if isinstance(m, dict) and m["type"] == "metrics")
    assert answer[-1].epoch == metrics["epoch"] == expected and metrics["test_loss"] <= 0.05


def test_each_course_gate_network_from_hello_gives_its_truth_table_over_the_protocol(connect):
    """What the page's buttons send: a configure with the network's settings, then its edits."""
    from engine.datasets import GATES
    c = connect()
    networks = c.hello["options"]["gate_networks"]
    assert sorted(networks) == sorted(c.hello["options"]["gate"])
    for gate, network in networks.items():
        c.answer("configure", config=network["config"])
        for edit in network["edits"]:
            c.answer("set_bias" if "node" in edit else "set_weight", **edit)
        table = c.metrics["truth_table"]
        assert [round(row["output"]) for row in table] == [int(GATES[gate](*row["inputs"])) for row in table], gate
        assert len(table[0]["hidden"]) == len(network["config"]["network_shape"])


def test_metrics_carry_the_truth_table_of_a_logic_gate_and_follow_each_typed_weight(connect):
    c = connect()
    c.answer("load", config={"dataset": "logic", "gate": "or", "network_shape": [], "loss": "cross_entropy"})
    c.answer("set_bias", layer=0, node=0, value=-10)
    c.answer("set_weight", layer=0, to=0, value=20, **{"from": 0})
    assert c.metrics["truth_table"][2]["output"] > 0.99  # (1, 0): g(−10 + 20)
    c.answer("set_weight", layer=0, to=0, value=20, **{"from": 1})
    table = c.metrics["truth_table"]
    assert [row["inputs"] for row in table] == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert [round(row["output"]) for row in table] == [0, 1, 1, 1]  # OR = g(−10 + 20 x1 + 20 x2)
    assert c.metrics["confusion"] == [[1, 0], [0, 3]] and c.metrics["test_accuracy"] == 1.0


def test_probe_answers_the_forward_pass_at_a_point_as_run_probe_gives_it(connect):
    c = connect()
    c.answer("configure", config={"network_shape": [3, 2], "features": ["x", "y", "xSquared"]})
    c.send("probe", x=1.25, y=-3)
    answer = c.until_type("probe")
    mirror = engine.Run(c.state["config"])
    expected = mirror.probe(1.25, -3)
    assert (answer["x"], answer["y"], answer["head"]) == (1.25, -3, "tanh")
    np.testing.assert_allclose(answer["inputs"], expected["inputs"])
    assert [len(layer["z"]) for layer in answer["layers"]] == [3, 2, 1]
    for got, want in zip(answer["layers"], expected["layers"]):
        np.testing.assert_allclose(got["z"], want["z"], rtol=1e-12)
        np.testing.assert_allclose(got["a"], want["a"], rtol=1e-12)
    for bad in ({"x": "left", "y": 0}, {"x": 1e9, "y": 0}, {"y": 0}):
        c.send("probe", **bad)
        error = c.until_type("error")
        assert error["fields"] == ["x"] and error["request"] == "probe"
    c.send("probe", x=0, y=0)  # the session goes on
    assert c.until_type("probe")["layers"][-1]["a"] == pytest.approx(list(mirror.probe(0, 0)["layers"][-1]["a"]))


def test_backprop_answers_the_next_mini_batch_without_changing_the_network(connect):
    c = connect()
    c.answer("configure", config={"network_shape": [4, 2], "batch_size": 10, "num_points": 50})  # 25 to train
    c.answer("step", epochs=2)
    c.send("backprop")
    answer = c.until_type("backprop")
    mirror = engine.Run(c.state["config"])
    mirror.step(2)
    expected = mirror.backprop()
    assert answer["indices"] == expected["indices"].tolist() == [20, 21, 22, 23, 24] + list(range(10))
    assert answer["batch"] == 15 and answer["loss"] == pytest.approx(expected["loss"], rel=1e-12)
    for got, want in zip(answer["layers"], expected["layers"]):
        for key in ("W", "dW", "a", "z", "delta", "W_next"):
            np.testing.assert_allclose(np.array(got[key]), want[key], rtol=1e-12, atol=1e-15, err_msg=key)
    assert answer["learning_rate"] == 0.03 and answer["optimizer"] == "sgd" and answer["head"] == "tanh"
    np.testing.assert_allclose(answer["output"], np.tanh(expected["layers"][-1]["z"]), rtol=1e-12)
    assert answer["labels"] == mirror._train_y[expected["indices"]].tolist()
    np.testing.assert_allclose(answer["layers"][0]["slope"], 1 - np.tanh(expected["layers"][0]["z"]) ** 2, rtol=1e-9)
    assert answer["layers"][-1]["slope"] is None
    before = c.state["epoch"]
    c.send("backprop", indices=[3, 1, 4])
    assert c.until_type("backprop")["indices"] == [3, 1, 4]
    c.answer("step")  # nothing was changed: a step still trains exactly as the mirror's
    mirror.step(1)
    assert c.metrics["train_loss"] == pytest.approx(mirror.metrics.train_loss, rel=1e-12)
    assert c.state["epoch"] == before + 1
    c.answer("configure", config={"optimizer": "adam"})
    c.send("backprop")
    assert all(layer["W_next"] is None for layer in c.until_type("backprop")["layers"])
    for bad in ([], [25], [0] * 33, "all", [True]):
        c.send("backprop", indices=bad)
        error = c.until_type("error")
        assert error["fields"] == ["indices"] and "0..24" in error["errors"][0]
