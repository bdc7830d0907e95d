"""A websocket test client for the playground protocol: reads typed messages, waits on conditions
with timeouts, and decodes binary frames independently of app/protocol.py."""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import websocket

TIMEOUT = 10.0
THUMBNAIL = 10  # T of docs/protocol.md: thumbnails are T × T


@dataclass
class Frame:
    version: int
    flags: int
    resolution: int
    epoch: int
    thumbnail: int
    inspected: int
    sizes: tuple[int, ...]
    params: np.ndarray  # float32, the frame's parameter layout
    main: np.ndarray  # (D·D,) uint8
    thumbnails: np.ndarray  # (hidden, T·T) uint8
    size: int


def decode_frame(data: bytes) -> Frame:
    """Parse a frame as docs/protocol.md describes it; asserts that nothing is left over."""
    version, flags, resolution, epoch, thumb, inspected, n = struct.unpack_from("<BBHIHHH", data, 0)
    sizes = struct.unpack_from(f"<{n}H", data, 14)
    offset = 14 + 2 * n
    assert data[offset:offset + (-offset % 4)] == b"\0" * (-offset % 4), "padding must be zero bytes"
    offset += -offset % 4
    count = sum(b * (a + 1) for a, b in zip(sizes[:-1], sizes[1:]))
    params = np.frombuffer(data, "<f4", count, offset)
    offset += 4 * count
    main = np.frombuffer(data, np.uint8, resolution * resolution, offset)
    offset += resolution * resolution
    hidden = sum(sizes[1:-1])
    thumbs = np.frombuffer(data, np.uint8, hidden * thumb * thumb, offset).reshape(hidden, thumb * thumb)
    offset += hidden * thumb * thumb
    assert offset == len(data), f"frame has {len(data) - offset} bytes too many"
    return Frame(version, flags, resolution, epoch, thumb, inspected, sizes, params, main, thumbs, len(data))


class Closed(Exception):
    """The server closed the connection: its close code and reason."""

    def __init__(self, code: int | None, reason: str):
        super().__init__(f"closed by the server: {code} {reason}")
        self.code, self.reason = code, reason


class Client:
    """One websocket connection. `greet` reads hello, state, data, metrics and the first frame."""

    def __init__(self, url: str, greet: bool = True, timeout: float = TIMEOUT):
        self.ws = websocket.create_connection(url, timeout=timeout)
        self.log: list[Any] = []
        if greet:
            self.hello = self.expect("hello")
            self.state = self.expect("state")
            self.data = self.expect("data")
            self.metrics = self.expect("metrics")
            self.frame = self.expect_frame()

    def send(self, kind: str, **fields: Any) -> None:
        self.ws.send(json.dumps({"type": kind, **fields}))

    def send_raw(self, text: str | bytes) -> None:
        if isinstance(text, bytes):
            self.ws.send_binary(text)
        else:
            self.ws.send(text)

    def recv(self) -> dict | Frame:
        """The next message: a dict for JSON, a Frame for binary. Tracks the latest state."""
        opcode, payload = self.ws.recv_data()
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
            raise Closed(code, payload[2:].decode("utf-8", "replace"))
        if opcode == websocket.ABNF.OPCODE_BINARY:
            message: dict | Frame = decode_frame(payload)
            self.frame = message
        else:
            message = json.loads(payload)
            assert isinstance(message, dict) and "type" in message, message
            if message["type"] in ("state", "metrics"):
                setattr(self, message["type"], message)
        self.log.append(message)
        return message

    def expect(self, kind: str) -> dict:
        """The next message, which must be of this type."""
        message = self.recv()
        got = "frame" if isinstance(message, Frame) else message["type"]
        assert got == kind, f"expected {kind}, got {message}"
        return message

    def expect_frame(self) -> Frame:
        message = self.recv()
        assert isinstance(message, Frame), f"expected a frame, got {message}"
        return message

    def until(self, predicate: Callable[[Any], bool], timeout: float = TIMEOUT) -> Any:
        """Read until a message satisfies `predicate`; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.recv()
            if predicate(message):
                return message
        raise AssertionError(f"no matching message within {timeout} s; last: {self.log[-3:]}")

    def until_type(self, kind: str, timeout: float = TIMEOUT, **match: Any) -> dict:
        return self.until(lambda m: isinstance(m, dict) and m["type"] == kind
                          and all(m.get(k) == v for k, v in match.items()), timeout)

    def until_frame(self, predicate: Callable[[Frame], bool] = lambda f: True, timeout: float = TIMEOUT) -> Frame:
        return self.until(lambda m: isinstance(m, Frame) and predicate(m), timeout)

    def answer(self, kind: str, **fields: Any) -> list[Any]:
        """Send a message and collect everything up to the end of its answer: a refusal; the state
        for play, pause and set_speed; otherwise the first frame after the answer's state (frames
        of a playing session may come before it)."""
        self.send(kind, **fields)
        start = len(self.log)
        state_only = kind in {"play", "pause", "set_speed"}
        needs_state = state_only or kind in {"configure", "load", "reset", "regenerate", "step", "set_weight", "set_bias"}
        seen_state = False

        def done(message: Any) -> bool:
            nonlocal seen_state
            if isinstance(message, dict):
                seen_state |= message["type"] == "state"
                refused = message["type"] == "error" and message["code"] != "left_out"  # left_out: applied
                return refused or (state_only and seen_state)
            return seen_state or not needs_state

        self.until(done)
        return self.log[start:]

    def closed(self, timeout: float = TIMEOUT) -> Closed:
        """Read until the server closes the connection; returns the close code and reason."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.recv()
            except Closed as closed:
                return closed
        raise AssertionError(f"the server did not close within {timeout} s")

    def close(self) -> None:
        try:
            self.ws.close(timeout=1)
        except (websocket.WebSocketException, OSError):
            pass


def assert_matches_run(frame: Frame, run: Any) -> None:
    """Every part of a frame equals what an engine run (engine.Run) holds."""
    grids = run.grids()
    assert frame.sizes == tuple(run.layer_sizes)
    assert frame.epoch == run.epoch
    np.testing.assert_array_equal(frame.params, run.model.params.astype(np.float32))
    np.testing.assert_array_equal(frame.main, grids.output)
    np.testing.assert_array_equal(frame.thumbnails, grids.thumbnails(THUMBNAIL))


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> float:
    """Seconds until `condition()` held; fails after `timeout`."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)
    return time.monotonic() - start


def types(messages: list[Any]) -> list[str]:
    return ["frame" if isinstance(m, Frame) else m["type"] for m in messages]


# -- raw websockets: every byte the server sends, as a browser would see it -----------------------

def raw_websocket(port: int, extensions: str | None = None) -> socket.socket:
    """A websocket handshake sent by hand (offering `extensions`, if any); the response is left
    for the caller to read."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    key = base64.b64encode(os.urandom(16)).decode()
    offer = f"Sec-WebSocket-Extensions: {extensions}\r\n" if extensions else ""
    sock.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                  f"{offer}\r\n").encode())
    return sock


def read_to_eof(sock: socket.socket) -> bytes:
    """Everything the server sends; answers its close frame as a browser does."""
    chunks: list[bytes] = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
        stream = b"".join(chunks).partition(b"\r\n\r\n")[2]
        if split_frames(stream)[0][-1:] and split_frames(stream)[0][-1][0] == 8:
            sock.sendall(b"\x88\x82" + b"\0\0\0\0" + b"\x03\xe8")  # masked close, 1000
    return b"".join(chunks)


def split_frames(stream: bytes, with_flags: bool = False) -> tuple[list[tuple], bytes]:
    """(opcode, payload) of each complete websocket frame (with the first byte's flags when
    asked), and whatever follows the close frame or is incomplete."""
    frames, offset = [], 0
    while offset + 2 <= len(stream):
        start = offset
        first, opcode, length = stream[offset], stream[offset] & 0x0F, stream[offset + 1] & 0x7F
        offset += 2
        if length == 126:
            length, offset = struct.unpack_from("!H", stream, offset)[0], offset + 2
        elif length == 127:
            length, offset = struct.unpack_from("!Q", stream, offset)[0], offset + 8
        if offset + length > len(stream):
            return frames, stream[start:]
        frames.append((opcode, stream[offset:offset + length], first) if with_flags else
                      (opcode, stream[offset:offset + length]))
        offset += length
        if opcode == 8:
            break
    return frames, stream[offset:]


# -- a strict client: no NaN, no Infinity, and its answers read whole --------------------------------------------------------------

def _refuse_constant(name: str) -> None:
    raise ValueError(f"the server sent {name}, which is not JSON")


class StrictSocket:
    """The client's websocket, parsing every text message with a JSON parser that refuses NaN and
    Infinity before the client reads it."""

    def __init__(self, ws: websocket.WebSocket):
        self._ws = ws
        self.texts = 0

    def recv_data(self, *args, **kwargs):
        opcode, payload = self._ws.recv_data(*args, **kwargs)
        if opcode == websocket.ABNF.OPCODE_TEXT:
            json.loads(payload, parse_constant=_refuse_constant)
            self.texts += 1
        return opcode, payload

    def __getattr__(self, name):
        return getattr(self._ws, name)


class StrictClient(Client):
    """A Client whose every text message is parsed strictly, and which counts the messages it has
    sent (a state's or error's `handled` says which one it answers)."""

    def __init__(self, url: str):
        super().__init__(url, greet=False)
        self.ws = StrictSocket(self.ws)
        self.sent = 0
        self.hello = self.expect("hello")
        self.state = self.expect("state")
        self.data = self.expect("data")
        self.metrics = self.expect("metrics")
        self.frame = self.expect_frame()

    def send(self, kind, **fields) -> None:
        self.sent += 1
        super().send(kind, **fields)

    def send_raw(self, text) -> None:
        self.sent += 1
        super().send_raw(text)


def is_(kind: str):
    return lambda m: isinstance(m, dict) and m["type"] == kind


def reply(c: StrictClient, kind: str, **fields) -> list:
    """Send one message and read its whole answer: [the error] when it is refused; else from its
    state (the one whose `handled` counts it, after a load's left_out error) to the frame after it."""
    c.send(kind, **fields)
    number = c.sent
    first = c.until(lambda m: isinstance(m, dict) and m["type"] in ("state", "error") and m["handled"] == number)
    if first["type"] == "error":
        if first["code"] != "left_out":
            return [first]
        answer = [first, c.until(lambda m: is_("state")(m) and m["handled"] == number)]
    else:
        answer = [first]
    start = len(c.log)
    c.until_frame()
    return answer + c.log[start:]


def refused(c: StrictClient, kind: str, **fields) -> dict:
    answer = reply(c, kind, **fields)
    assert types(answer) == ["error"], answer
    assert answer[0]["handled"] == c.sent
    return answer[0]
