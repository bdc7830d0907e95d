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
