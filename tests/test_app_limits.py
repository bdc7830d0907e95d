"""Everything a client can get wrong, and the server's limits: every kind of bad input is answered
with an error listing all its problems and changes nothing; floods, oversized messages, the session
cap, disconnects and shutdown are handled without leaking threads or memory."""

from __future__ import annotations

import gc
import json
import os
import socket
import struct
import threading
import time

import pytest

import engine
from app.session import Session
from app.websocket import Connection
from servers import LiveServer
from ws_client import Client, raw_websocket, read_to_eof, split_frames, wait_until

pytestmark = pytest.mark.alone  # measures pacing against the wall clock: `make test` runs it alone

BAD_MESSAGES = {
    "not JSON": ("{", None, ["message: not valid JSON"]),
    "not an object": ("[1, 2]", None, ["message: must be a JSON object"]),
    "NaN": ('{"type": "set_bias", "layer": 0, "node": 0, "value": NaN}', None, ["message: not valid JSON"]),
    "no type": ({"epochs": 1}, None, ["type: missing"]),
    "unknown type": ({"type": "fly"}, "fly", ['type: unknown message type "fly"']),
    "type a list": ({"type": ["play"]}, None, ['type: unknown message type ["play"]']),
    "config: a list for a problem": ({"type": "configure", "config": {"problem": []}}, "configure",
                                     ["problem: must be one of classification, regression, multiclass; got []"]),
    "type not a string": ({"type": 3}, None, ["type: unknown message type 3"]),
    "unknown field": ({"type": "play", "speed": 3}, "play", ["speed: unknown field for play"]),
    "config missing": ({"type": "configure"}, "configure", ["config: must be an object"]),
    "config not an object": ({"type": "configure", "config": [1]}, "configure", ["config: must be an object"]),
    "config: every bad field": (
        {"type": "configure", "config": {"learning_rate": 0, "activation": "nope", "colour": "red"}},
        "configure", ["colour: unknown field", "activation: must be one of", "learning_rate: must be a number"]),
    "config: another problem's dataset": (
        {"type": "configure", "config": {"dataset": "reg-plane"}}, "configure", ["dataset: must be one of circle"]),
    "config: batch beyond the training set": (
        {"type": "configure", "config": {"batch_size": 300}}, "configure", ["batch_size: must be at most"]),
    "config plus an unknown field": (
        {"type": "configure", "config": {"noise": -1}, "id": 7}, "configure",
        ["id: unknown field for configure", "noise: must be a number in 0..80"]),
    "step 0": ({"type": "step", "epochs": 0}, "step", ["epochs: must be an integer 1..1000"]),
    "step 2.0": ({"type": "step", "epochs": 2.0}, "step", ["epochs: must be an integer 1..1000"]),
    "step true": ({"type": "step", "epochs": True}, "step", ["epochs: must be an integer 1..1000"]),
    "step 1e999": ('{"type": "step", "epochs": 1e999}', "step", ["epochs: must be an integer 1..1000"]),
    "speed beyond the limit": ({"type": "set_speed", "epochs_per_frame": 101}, "set_speed",
                               ["epochs_per_frame: must be an integer 1..100"]),
    "speed missing": ({"type": "set_speed"}, "set_speed", ["epochs_per_frame: must be an integer 1..100"]),
    "weight: everything wrong": (
        {"type": "set_weight", "layer": 9, "from": "a", "value": "big"}, "set_weight",
        ["layer: must be an integer 0..2", "from: must be an integer", "to: missing", "value: must be a finite"]),
    "weight: nodes out of range": (
        {"type": "set_weight", "layer": 0, "from": 2, "to": 4, "value": 1}, "set_weight",
        ["from: must be an integer 0..1", "to: must be an integer 0..3"]),
    "weight beyond a million": (
        {"type": "set_weight", "layer": 0, "from": 0, "to": 0, "value": 2e6}, "set_weight",
        ["value: must be a finite number within ±1000000"]),
    "bias: node out of range": ({"type": "set_bias", "layer": 1, "node": 2, "value": 1}, "set_bias",
                                ["node: must be an integer 0..1"]),
    "bias: nothing given": ({"type": "set_bias"}, "set_bias", ["layer: missing", "node: missing", "value: missing"]),
    "inspect out of range": ({"type": "inspect", "neuron": 6}, "inspect", ["neuron: must be an integer 0..5"]),
    "inspect missing": ({"type": "inspect"}, "inspect", ["neuron: missing"]),
    "binary": (b"\x00\x01", None, ["message: binary messages are not accepted"]),
    "deep nesting": ('{"type": "configure", "config": ' + "[" * 100_00 + "]" * 100_00 + "}", None, ["message:"]),
}


def session_snapshot(c: Client) -> dict:
    """The session's state, asked for with an empty configure (which changes nothing)."""
    state = c.answer("configure", config={})[0]
    return {k: state[k] for k in ("config", "playing", "epoch", "epochs_per_frame", "diverged", "inspect")}


@pytest.mark.parametrize("name", BAD_MESSAGES)
def test_bad_input_is_refused_with_every_problem_and_changes_nothing(connect, name):
    message, request, expected = BAD_MESSAGES[name]
    c = connect()
    c.answer("step", epochs=2)
    before = session_snapshot(c)
    c.send_raw(message if isinstance(message, (str, bytes)) else json.dumps(message))
    error = c.expect("error")
    assert error["code"] == "invalid" and error["request"] == request
    assert len(error["errors"]) == len(expected), error["errors"]
    for prefix, text in zip(sorted(expected), sorted(error["errors"])):
        assert text.startswith(prefix), (prefix, text)
    assert session_snapshot(c) == before
    assert c.answer("step")[-1].epoch == 3


def test_a_refusal_from_the_engine_behind_the_protocol_names_its_request(connect, monkeypatch):
    """The engine's own checks are a safety net behind the protocol's: what they refuse is
    answered like any refusal, naming the message it refused."""
    def refuse(self, layer, source, target, value):
        raise engine.ConfigError([("value", "refused by the engine")])

    monkeypatch.setattr(engine.Run, "set_weight", refuse)
    c = connect()
    c.send("set_weight", layer=0, **{"from": 0, "to": 0}, value=1.0)
    error = c.expect("error")
    assert (error["request"], error["code"], error["errors"]) == ("set_weight", "invalid", ["value: refused by the engine"])
    assert c.answer("step")[-1].epoch == 1


def test_an_oversized_message_is_refused_and_the_connection_stays(connect):
    c = connect()
    c.send_raw(json.dumps({"type": "configure", "config": {"seed": "x" * 70_000}}))
    error = c.expect("error")
    assert error["code"] == "too_large" and error["errors"][0].startswith("message: larger than 65536 bytes")
    assert c.answer("step")[-1].epoch == 1


def test_an_enormous_message_closes_the_connection_with_1009(connect):
    c = connect()
    c.send_raw("x" * (4 * 65536 + 1))
    assert c.closed().code == 1009


def test_a_burst_of_thousands_of_malformed_messages_leaves_a_working_session():
    with LiveServer({"MESSAGES_PER_SECOND": 100_000}) as server:
        c = Client(server.ws_url)
        burst = 5000
        for i in range(burst):
            c.send_raw("{not json" if i % 2 else json.dumps({"type": "step", "epochs": -i}))
        c.send("step", epochs=3)
        # On a busy machine a step may come in slices, each with a progress frame (docs/protocol.md).
        frame = c.until_frame(lambda f: f.epoch >= 3, timeout=30)
        refused = [m for m in c.log if isinstance(m, dict) and m["type"] == "error"]
        # Nothing is dropped: a full inbox stops the server reading, and the client waits in TCP.
        assert len(refused) == burst and all(m["code"] == "invalid" for m in refused)
        assert [m["handled"] for m in refused] == list(range(1, burst + 1))
        assert frame.epoch == 3
        assert c.metrics["epoch"] == 3 and c.state["epoch"] == 3
        c.send("play")
        assert c.until_frame(lambda f: f.epoch >= 10).epoch >= 10
        c.close()


def test_a_client_sending_faster_than_the_rate_is_read_more_slowly_and_loses_nothing():
    rate = 20
    with LiveServer({"MESSAGES_PER_SECOND": rate}) as server:
        c = Client(server.ws_url)
        count = 2 * rate + 2 * rate  # a burst of twice the rate goes at once, the rest at the rate
        started = time.monotonic()
        for i in range(count):
            c.send("set_speed", epochs_per_frame=1 + i % 5)
        last = c.until_type("state", timeout=30, handled=count)
        elapsed = time.monotonic() - started
        assert last["epochs_per_frame"] == 1 + (count - 1) % 5
        assert elapsed >= (count - 2 * rate) / rate * 0.9  # 2 s at 20 a second
        c.close()


def test_flooding_clients_do_not_starve_another_session(connect):
    quiet, noisy = connect(), [connect(), connect()]
    quiet.send("play")
    quiet.until_frame(lambda f: f.epoch >= 3)
    stop = threading.Event()

    def flood(client: Client) -> None:
        while not stop.is_set():
            client.send_raw('{"type": "set_speed", "epochs_per_frame": 1}')

    flooders = [threading.Thread(target=flood, args=(c,), daemon=True) for c in noisy]
    for flooder in flooders:
        flooder.start()
    try:
        start = quiet.frame.epoch
        began = time.monotonic()
        quiet.until_frame(lambda f: f.epoch >= start + 15)
        assert time.monotonic() - began < 5.0  # 15 frames at 30 per second would take 0.5 s
    finally:
        stop.set()
        for flooder in flooders:
            flooder.join(timeout=5)


# -- the session cap ----------------------------------------------------------------------------

def test_the_session_cap_refuses_plainly_with_1013_then_admits_again():
    with LiveServer({"MAX_SESSIONS": 2}) as server:
        first, second = Client(server.ws_url), Client(server.ws_url)
        third = Client(server.ws_url, greet=False)
        assert third.expect("hello")["limits"]["max_sessions"] == 2
        error = third.expect("error")
        assert error["code"] == "full" and error["errors"][0].startswith("server: full")
        assert third.closed().code == 1013
        first.close()
        wait_until(lambda: server.registry.live == 1)
        fourth = Client(server.ws_url)
        assert fourth.state["epoch"] == 0
        for c in (second, fourth):
            c.close()


# -- leaving: disconnects and shutdown ----------------------------------------------------------

def drop(c: Client) -> None:
    """Vanish without a close frame, as a crashed tab does."""
    c.ws.sock.shutdown(socket.SHUT_RDWR)
    c.ws.sock.close()


def test_a_closed_tab_ends_its_session_within_a_second():
    with LiveServer() as server:
        for leave in (Client.close, drop):
            c = Client(server.ws_url)
            c.send("play")
            c.until_frame(lambda f: f.epoch >= 2)
            leave(c)
            assert wait_until(lambda: server.registry.live == 0) < 1.0


def churn(url: str, count: int) -> None:
    """Open `count` sessions, set half of them playing, then leave: some cleanly, some not."""
    clients = [Client(url) for _ in range(count)]
    for i, c in enumerate(clients):
        if i % 2:
            c.send("play")
    for i, c in enumerate(clients):
        c.close() if i % 3 else drop(c)


def alive(kind: type) -> int:
    gc.collect()
    return sum(1 for obj in gc.get_objects() if isinstance(obj, kind))


def rss_mib() -> float:
    with open(f"/proc/{os.getpid()}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def test_connections_dropped_in_numbers_leave_no_threads_or_memory_behind():
    with LiveServer() as server:
        baseline = threading.active_count() + 1  # and the compute thread, once a session has come
        churn(server.ws_url, 15)  # warm up caches and the allocator's arenas
        wait_until(lambda: server.registry.live == 0 and threading.active_count() <= baseline)
        memory = rss_mib()
        for _ in range(3):
            churn(server.ws_url, 10)
        wait_until(lambda: server.registry.live == 0 and threading.active_count() <= baseline)
        # Other tests' sessions on the shared server may still be finishing their inboxes.
        wait_until(lambda: alive(Session) == alive(engine.Run) == alive(Connection) == 0, timeout=20)
        # Each session holds about 1 MiB (data, network, grid buffers): 30 kept would show.
        grown = rss_mib() - memory
        assert grown < 24, f"memory grew by {grown:.1f} MiB over 30 sessions"


def test_shutdown_says_goodbye_to_every_page_and_closes_with_1001():
    server = LiveServer().start()
    try:
        playing, paused = Client(server.ws_url), Client(server.ws_url)
        playing.send("play")
        playing.until_frame(lambda f: f.epoch >= 2)
        started = time.monotonic()
        assert server.registry.shut_down(wait=2.0)
        assert time.monotonic() - started < 1.0
        for c in (playing, paused):
            closing = c.until_type("closing")
            assert closing["reason"] == "server shutting down" and c.closed().code == 1001
        late = Client(server.ws_url, greet=False)
        late.expect("hello")
        assert late.expect("closing") and late.closed().code == 1001
    finally:
        server.stop()


# -- the Werkzeug dev server writes nothing after a websocket ends --------------------------------

def test_the_dev_server_sends_nothing_after_the_close_frame():
    with LiveServer({"MAX_SESSIONS": 1}) as server:
        holder = Client(server.ws_url)
        sock = raw_websocket(server.port)
        response = read_to_eof(sock)
        sock.close()
        head, _, stream = response.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101")
        frames, trailing = split_frames(stream)
        assert [op for op, _ in frames] == [1, 1, 8]
        assert struct.unpack("!H", frames[-1][1][:2])[0] == 1013
        assert trailing == b""
        holder.close()


# -- a client that takes nothing --------------------------------------------------------------

def test_a_client_that_reads_nothing_is_dropped_and_nothing_piles_up_for_it():
    with LiveServer({"SEND_TIMEOUT": 1}) as server:
        other = Client(server.ws_url)
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window: the server's buffer fills
        sock.connect(("127.0.0.1", server.port))
        sock.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        assert sock.recv(4096).startswith(b"HTTP/1.1 101")  # a client waits for this before sending
        for text in ('{"type": "configure", "config": {"network_shape": [32, 32, 32, 32]}}', '{"type": "play"}'):
            data = text.encode()  # big frames fill the buffers sooner; then it never reads
            sock.sendall(bytes([0x81, 0x80 | len(data)]) + b"\0\0\0\0" + data)
        wait_until(lambda: server.registry.live == 2)
        started = time.monotonic()
        wait_until(lambda: server.registry.live == 1, timeout=20)
        assert time.monotonic() - started < 15
        print(f"dropped after {time.monotonic() - started:.1f} s")
        other.send("play")  # the other session never noticed
        assert other.until_frame(lambda f: f.epoch >= 5).epoch >= 5
        sock.settimeout(5)
        received = 0
        try:
            while chunk := sock.recv(1 << 20):
                received += len(chunk)
        except ConnectionResetError:
            pass
        # What reached the client is what the kernel buffers held, not everything made meanwhile.
        assert received < 5_000_000
        sock.close()
        other.close()
