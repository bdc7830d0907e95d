"""app/protocol.py on its own: what it refuses (every problem at once) and what it encodes (finite
numbers only, the documented frame size)."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

import engine
from app import protocol
from ws_client import decode_frame

CONTEXT = protocol.Context(engine.validate(), (2, 4, 2, 1), max_epochs_per_frame=100, max_message_bytes=1000)


def refusal(raw: str | bytes) -> protocol.ProtocolError:
    with pytest.raises(protocol.ProtocolError) as refused:
        protocol.parse(raw, CONTEXT)
    return refused.value


def test_a_valid_message_is_returned_with_its_defaults():
    assert protocol.parse('{"type": "step"}', CONTEXT) == protocol.Request("step", {"epochs": 1})
    assert protocol.parse('{"type": "inspect", "neuron": null}', CONTEXT).fields == {"neuron": None}


def test_every_problem_is_listed_at_once():
    error = refusal(json.dumps({"type": "set_weight", "layer": 1, "from": 9, "to": -1, "value": None, "x": 0}))
    assert [e.split(":")[0] for e in error.errors] == ["x", "from", "to", "value"]
    assert error.request == "set_weight" and error.code == "invalid"


def test_size_is_checked_in_bytes_before_parsing():
    assert refusal('{"type": "play", "pad": "' + "é" * 600 + '"}').code == "too_large"
    assert refusal("x" * 1001).errors == ["message: larger than 1000 bytes"]


def test_quotes_of_what_the_client_sent_are_kept_short():
    error = refusal(json.dumps({"type": "configure", "config": {"seed": 7, "dataset": "z" * 500}}))
    assert all(len(e) <= protocol.MAX_ERROR_CHARS for e in error.errors)


def test_frames_never_carry_non_finite_weights():
    params = np.array([np.nan, np.inf, -1e300, 0.5] + [0.0] * 21)
    data = protocol.frame((2, 4, 2, 1), params, 7, np.zeros(10_000, np.uint8), np.zeros((6, 100), np.uint8))
    frame = decode_frame(data)
    assert np.isfinite(frame.params).all() and frame.params[3] == np.float32(0.5)
    assert frame.epoch == 7 and len(data) == protocol.frame_size((2, 4, 2, 1)) == 10_724


def test_weights_each_finite_in_float32_are_sent_as_they_are_even_when_their_sum_is_not():
    params = np.array([3e38, 3e38, -0.25] + [0.0] * 22)  # float32's largest is 3.4e38
    frame = decode_frame(protocol.frame((2, 4, 2, 1), params, 1, np.zeros(10_000, np.uint8),
                                        np.zeros((6, 100), np.uint8)))
    np.testing.assert_array_equal(frame.params, params.astype(np.float32))


def test_metrics_text_is_always_finite_json():
    text = protocol.metrics({"epoch": 3, "train_loss": float("nan"), "test_loss": float("inf"),
                             "train_accuracy": None, "test_accuracy": 0.5, "diverged": True})
    message = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} sent"))
    assert message["train_loss"] == 0.0 and message["test_loss"] > 1e38


def test_the_six_by_eight_frame_is_under_20_kb():
    assert protocol.frame_size((7, 8, 8, 8, 8, 8, 8, 1)) == 16_564


def test_random_messages_are_either_accepted_or_refused_never_crash():
    values = [None, True, 0, -1, 2, 1.5, 1e308, 10**30, "", "tanh", [], [1], [None], {}, {"a": [1]}, ["x", "y"]]
    rng = random.Random(3)
    refused = 0
    for _ in range(3000):
        kind = rng.choice([*protocol.FIELDS, "nope", 3, ["play"]])
        names = protocol.FIELDS.get(kind, ()) if isinstance(kind, str) else ()
        message = {"type": kind, **{name: rng.choice(values) for name in names if rng.random() < 0.8}}
        if kind == "configure":
            message["config"] = {k: rng.choice(values) for k in rng.sample(list(engine.DEFAULTS), 2)}
        try:
            protocol.parse(json.dumps(message), CONTEXT)
        except protocol.ProtocolError as error:
            refused += 1
            assert error.errors and all(":" in e for e in error.errors)
    assert 0 < refused < 3000


WIDE = protocol.Context(engine.validate(), (2, 4, 2, 1), max_epochs_per_frame=100, max_message_bytes=65536)


def wide_refusal(raw: str) -> protocol.ProtocolError:
    """A refusal under the server's default message limit, 64 KB."""
    with pytest.raises(protocol.ProtocolError) as refused:
        protocol.parse(raw, WIDE)
    return refused.value


def wire(text: str) -> int:
    """Bytes a string takes in a message as the server sends it (ASCII JSON)."""
    return len(json.dumps(text)) - 2


def test_an_error_lists_twenty_problems_then_says_how_many_more():
    keys = [f"k{i:04d}" for i in range(4000)]
    raw = json.dumps({"type": "play", **{key: 0 for key in keys}})
    assert len(raw) < 50_000
    text = protocol.error(wide_refusal(raw).problems, "play")
    error = json.loads(text)
    assert error["fields"][:20] == keys[:20] and error["errors"][0].startswith("k0000: unknown field for play")
    # The rest share no field: one line for the message says how many were not listed.
    assert (error["fields"][20:], error["errors"][20:], error["more"]) == (["message"], ["message: …and 3980 more"], 3980)
    assert len(text) < 2_000
    # The engine's own list of unknown settings is capped the same way (it once made 1 MB).
    raw = json.dumps({"type": "configure", "config": {key: 0 for key in keys}})
    text = protocol.error(wide_refusal(raw).problems, "configure")
    assert len(text) < 6_500 and json.loads(text)["more"] == 3980
    assert len(wide_refusal(raw).errors) == 21


def test_the_line_about_the_rest_names_the_field_they_share():
    problems = [("noise", "bad")] + [("edits", f"entry {n} left out") for n in range(30)]
    error = json.loads(protocol.error(problems, "load", code="left_out"))
    assert error["fields"] == ["noise"] + ["edits"] * 20 and error["errors"][-1] == "edits: …and 11 more"
    assert error["more"] == 11
    exact = json.loads(protocol.error(problems[:20]))
    assert (len(exact["errors"]), exact["more"]) == (20, 0)


@pytest.mark.parametrize("text", ["x" * 20_000, "é" * 5_000, "\U0001F600" * 3_000, "\udfff" * 5_000,
                                  '"\\' * 5_000, "\x01" * 3_000])
def test_long_keys_and_values_are_cut_to_what_they_cost_on_the_wire(text):
    """Unknown keys are the client's own text, and refused values are quoted: each line of an
    error is at most 300 bytes as sent and each field 40, whatever characters they hold."""
    raw = json.dumps({"type": "configure", "config": {"seed": 7, "dataset": text, text: 1}, text[:2000]: 0},
                     ensure_ascii=False)
    text_sent = protocol.error(wide_refusal(raw).problems, "configure")
    error = json.loads(text_sent)
    assert len(error["fields"]) == 3 and "dataset" in error["fields"] and error["more"] == 0
    assert all(wire(line) <= protocol.MAX_ERROR_CHARS and "…" in line for line in error["errors"])
    assert all(wire(field) <= protocol.MAX_FIELD_CHARS for field in error["fields"])
    assert len(text_sent) < 1_200
