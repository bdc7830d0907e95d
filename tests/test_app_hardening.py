"""Hostile clients over the websocket, one message each: answers that would amplify what was sent
(thousands of unknown keys, long keys) and a seed that is no Unicode text; each is refused in a
few KB, and the connection and the session go on as they were."""

from __future__ import annotations

import json

from ws_client import Client, types

KEYS = [f"k{i:04d}" for i in range(4000)]


def snapshot(c: Client) -> dict:
    """The session's state, asked for with an empty configure (which changes nothing)."""
    state = c.answer("configure", config={})[0]
    return {k: state[k] for k in ("config", "playing", "epoch", "epochs_per_frame", "diverged", "inspect", "edits")}


def refused(c: Client, message: dict) -> tuple[dict, int]:
    """Send a message that must be refused (as UTF-8): the error, and its size as sent (ASCII JSON)."""
    c.send_raw(json.dumps(message, ensure_ascii=False))
    error = c.expect("error")
    return error, len(json.dumps(error, separators=(",", ":")))


def test_thousands_of_unknown_keys_are_answered_in_a_few_kb_naming_the_first(connect):
    c = connect()
    c.answer("step", epochs=2)
    c.answer("set_bias", layer=2, node=0, value=0.5)
    before = snapshot(c)
    for message in ({"type": "play", **{key: 0 for key in KEYS}},  # 48 KB
                    {"type": "configure", "config": {key: 0 for key in KEYS}}):  # once a 1 MB answer
        assert 45_000 < len(json.dumps(message)) < 65_536
        error, size = refused(c, message)
        assert size < 6_500, size
        assert error["fields"][:20] == KEYS[:20] and error["errors"][0].startswith("k0000: unknown field")
        assert (error["fields"][20], error["errors"][20], error["more"]) == ("message", "message: …and 3980 more", 3980)
        assert (error["request"], error["code"]) == (message["type"], "invalid")
    assert snapshot(c) == before
    assert c.answer("step")[-1].epoch == 3


def test_long_keys_and_values_are_not_echoed(connect):
    c = connect()
    before = snapshot(c)
    long = "\U0001F600" * 7_000  # 28 KB as UTF-8; as JSON escapes, 84 KB
    error, size = refused(c, {"type": "configure", "config": {long: 1, "dataset": long}})
    assert size < 1_000, size
    assert sorted(error["fields"])[0] == "dataset" and all(len(field) <= 40 for field in error["fields"])
    assert snapshot(c) == before


def test_a_load_with_many_edits_that_do_not_fit_is_answered_in_a_few_kb(connect):
    c = connect()
    edits = [{"layer": 0, "from": 9, "to": n, "value": 1.0} for n in range(1000)]  # none fits [4, 2]
    answer = c.answer("load", config={"seed": "0.5", "colour": "x" * 10_000}, edits=edits)
    error = answer[0]
    assert error["code"] == "left_out" and len(json.dumps(error)) < 8_000
    assert error["fields"] == ["colour"] + ["edits"] * 20 and error["more"] == 981
    assert error["errors"][-1] == "edits: …and 981 more"
    assert types(answer[1:]) == ["state", "data", "metrics", "frame"] and answer[1]["config"]["seed"] == "0.5"


def test_a_seed_that_is_no_unicode_text_is_refused_and_the_session_goes_on(connect):
    """`"seed": "\\udfff"` (a lone surrogate) with the standard batching once ended the session
    with a traceback: the shuffle's seed is made from the seed's UTF-8 bytes."""
    c = connect()
    c.answer("configure", config={"seed": "0.5", "noise": 10})
    c.answer("step", epochs=3)
    before = snapshot(c)
    raw = '{"type": "configure", "config": {"seed": "\\udfff", "batching": "standard"}}'
    c.send_raw(raw)
    error = c.expect("error")
    assert (error["fields"], error["request"], error["code"]) == (["seed"], "configure", "invalid")
    assert "lone surrogate" in error["errors"][0]
    assert snapshot(c) == before
    # A link with such a seed is opened with a random one instead, and says so.
    answer = c.answer("load", config={"seed": "\udfff", "batching": "standard", "noise": 20})
    assert (answer[0]["code"], answer[0]["fields"]) == ("left_out", ["seed"])
    config = answer[1]["config"]
    assert (config["batching"], config["noise"]) == ("standard", 20) and config["seed"].startswith("0.")
    assert c.answer("step", epochs=2)[-1].epoch == 2
    # Any real text is a seed, with either batching.
    state = c.answer("configure", config={"seed": "\U0001F600 é", "batching": "standard"})[0]
    assert state["config"]["seed"] == "\U0001F600 é"
    assert c.answer("step")[-1].epoch == 1
