"""The project's own websocket layer (app/websocket.py), driven over a socket pair: the handshake's
checks, compression agreed and undone, and every limit on what a client can make the server hold
or do (message size after inflation, pieces per message, frame rate, unread output)."""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import threading
import time
import zlib

import pytest

from app import websocket
from app.websocket import Connection, HandshakeError, check_handshake, negotiate_deflate

KEY = base64.b64encode(b"0123456789abcdef").decode()


def environ(**headers: str) -> dict[str, str]:
    base = {"REQUEST_METHOD": "GET", "HTTP_UPGRADE": "websocket", "HTTP_CONNECTION": "keep-alive, Upgrade",
            "HTTP_SEC_WEBSOCKET_VERSION": "13", "HTTP_SEC_WEBSOCKET_KEY": KEY}
    base.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
    return {k: v for k, v in base.items() if v is not None}


# -- the handshake ------------------------------------------------------------------------------

def test_a_proper_handshake_gets_the_rfc_accept_value():
    accept, deflate = check_handshake(environ(), compress=True)
    # RFC 6455 section 1.3's example: this key, this answer.
    sample = check_handshake(environ(sec_websocket_key="dGhlIHNhbXBsZSBub25jZQ=="), compress=False)[0]
    assert sample == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    assert accept and deflate is None  # nothing offered, nothing agreed


@pytest.mark.parametrize("headers, status", [
    ({"upgrade": ""}, 426),
    ({"upgrade": "h2c"}, 426),
    ({"connection": "keep-alive"}, 400),
    ({"sec_websocket_version": "8"}, 426),
    ({"sec_websocket_key": ""}, 400),
    ({"sec_websocket_key": "not base64!"}, 400),
    ({"sec_websocket_key": base64.b64encode(b"short").decode()}, 400),
])
def test_a_malformed_handshake_is_refused_with_400_or_426(headers, status):
    with pytest.raises(HandshakeError) as refused:
        check_handshake(environ(**headers), compress=True)
    assert refused.value.status == status and refused.value.message
    if status == 426 and "sec_websocket_version" in headers:
        assert refused.value.headers == {"Sec-WebSocket-Version": "13"}


def test_compression_is_agreed_as_offered_and_never_beyond():
    assert negotiate_deflate("permessage-deflate; client_max_window_bits").response == "permessage-deflate"
    agreed = negotiate_deflate("permessage-deflate; server_no_context_takeover; server_max_window_bits=10")
    assert agreed.server_no_context_takeover and agreed.server_window_bits == 10
    assert "server_max_window_bits=10" in agreed.response and "server_no_context_takeover" in agreed.response
    # An offer we cannot honour is skipped for the next one; none at all: no compression.
    assert negotiate_deflate("permessage-deflate; mystery=1, permessage-deflate").response == "permessage-deflate"
    assert negotiate_deflate("x-webkit-deflate-frame") is None
    assert negotiate_deflate("permessage-deflate; server_max_window_bits=8") is None  # zlib cannot


# -- a connection over a socket pair ------------------------------------------------------------

class Peer:
    """The client's end: masked frames out, the server's frames in (inflated when agreed)."""

    def __init__(self, sock: socket.socket, deflate: bool):
        self.sock, self.buffer = sock, b""
        self.inflater = zlib.decompressobj(-15) if deflate else None
        self.deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
        sock.settimeout(5)

    def send(self, opcode: int, payload: bytes, fin: bool = True, compress: bool = False) -> None:
        first = (0x80 if fin else 0) | opcode
        if compress:
            payload = self.deflater.compress(payload) + self.deflater.flush(zlib.Z_SYNC_FLUSH)
            payload, first = payload[:-4], first | 0x40
        mask = os.urandom(4)
        n = len(payload)
        head = bytes([first]) + (bytes([0x80 | n]) if n < 126 else
                                 struct.pack("!BH", 0x80 | 126, n) if n < 65536 else struct.pack("!BQ", 0x80 | 127, n))
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def text(self, text: str) -> None:
        self.send(0x1, text.encode())

    def frame(self) -> tuple[int, bytes]:
        """The next server frame: (opcode, payload)."""
        while True:
            if len(self.buffer) >= 2:
                n, offset = self.buffer[1] & 0x7F, 2
                if n == 126:
                    n, offset = struct.unpack_from("!H", self.buffer, 2)[0], 4
                elif n == 127:
                    n, offset = struct.unpack_from("!Q", self.buffer, 2)[0], 10
                if len(self.buffer) >= offset + n:
                    first, payload = self.buffer[0], self.buffer[offset:offset + n]
                    self.buffer = self.buffer[offset + n:]
                    if first & 0x40:
                        payload = self.inflater.decompress(payload + b"\x00\x00\xff\xff")
                    return first & 0x0F, payload
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buffer += chunk

    def close_code(self) -> int:
        """Read until the server's close frame; its code."""
        while True:
            opcode, payload = self.frame()
            if opcode == 0x8:
                return struct.unpack("!H", payload[:2])[0]


class Pair:
    """A Connection reading on its own thread into `received`, and the Peer at the other end."""

    def __init__(self, deflate: bool = False, hard_limit: int = 4096, rate: float = 1000.0,
                 deliver=None, send_timeout: float = 10.0, buffer: int | None = None):
        server, client = socket.socketpair()
        if buffer:
            for s in (server, client):
                s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, buffer)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, buffer)
        self.connection = Connection(server, websocket.Deflate() if deflate else None, hard_limit=hard_limit,
                                     rate=rate, ping_interval=None, send_timeout=send_timeout)
        self.peer = Peer(client, deflate)
        self.received: list = []
        self.thread = threading.Thread(target=self.connection.read, args=(deliver or self.received.append,),
                                       daemon=True)
        self.thread.start()

    def ended(self, timeout: float = 5.0) -> bool:
        self.thread.join(timeout)
        return not self.thread.is_alive()


def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)


def test_messages_in_pieces_and_compressed_arrive_whole_and_answers_are_compressed():
    pair = Pair(deflate=True)
    pair.peer.send(0x1, b"hel", fin=False)
    pair.peer.send(0x0, "lo wörld".encode())
    pair.peer.send(0x1, b'{"type": "play"}' * 40, compress=True)
    pair.peer.send(0x2, b"\x00\x01")
    wait_for(lambda: len(pair.received) == 3)
    assert pair.received == ["hello wörld", '{"type": "play"}' * 40, b"\x00\x01"]
    big, small = "x" * 5000, "y" * 10
    pair.connection.send([big, small, b"\x07" * 3000])
    assert pair.peer.frame() == (0x1, big.encode())  # compressed on the wire, the same once inflated
    assert pair.peer.frame() == (0x1, small.encode())
    assert pair.peer.frame() == (0x2, b"\x07" * 3000)


def test_a_ping_is_answered_and_a_close_is_returned_then_reading_ends():
    pair = Pair()
    pair.peer.send(0x9, b"are you there")
    assert pair.peer.frame() == (0xA, b"are you there")
    pair.peer.send(0x8, struct.pack("!H", 1000))
    assert pair.peer.close_code() == 1000
    assert pair.ended() and pair.connection.close_code == 1000 and not pair.connection.open


@pytest.mark.parametrize("attack, code", [
    (lambda p: p.send(0x1, b"x" * 5000), 1009),  # one frame over the limit: not even buffered
    (lambda p: [p.send(0x1 if i == 0 else 0x0, b"x" * 1000, fin=False) for i in range(5)], 1009),
    (lambda p: [p.send(0x1 if i == 0 else 0x0, b"x", fin=False) for i in range(65)], 1009),  # too many pieces
    (lambda p: p.send(0x1, b"\xff\xfe"), 1007),  # not UTF-8
    (lambda p: p.sock.sendall(b"\x81\x05hello"), 1002),  # unmasked
    (lambda p: p.send(0x0, b"orphan"), 1002),  # a continuation of nothing
    (lambda p: p.send(0x9, b"x" * 126), 1002),  # a control frame too long
    (lambda p: p.send(0x3, b"?"), 1002),  # no such opcode
    (lambda p: p.send(0x1, b"compressed?", compress=True), 1002),  # compression was not agreed
])
def test_a_client_breaking_the_protocol_or_a_limit_is_closed_with_the_right_code(attack, code):
    pair = Pair(hard_limit=4096)
    attack(pair.peer)
    assert pair.peer.close_code() == code
    assert pair.ended() and pair.received == []


def test_a_deflate_bomb_is_stopped_at_the_limit_without_inflating_it():
    pair = Pair(deflate=True, hard_limit=65536)
    bomb = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = bomb.compress(b" " * 50_000_000) + bomb.flush(zlib.Z_SYNC_FLUSH)  # 50 MB in about 50 KB
    assert len(payload) < 65536
    body = payload[:-4]  # one compressed text frame, masked with a zero key
    pair.peer.sock.sendall(struct.pack("!BBH", 0x80 | 0x40 | 0x1, 0x80 | 126, len(body)) + b"\0" * 4 + body)
    assert pair.peer.close_code() == 1009
    assert pair.ended() and pair.received == []


def test_frames_beyond_the_rate_are_read_later_not_dropped():
    rate = 50.0
    pair = Pair(rate=rate)
    started = time.monotonic()
    for i in range(150):  # a burst of 100 goes at once, the other 50 at 50 a second
        pair.peer.text(str(i))
    wait_for(lambda: len(pair.received) == 150, timeout=10)
    elapsed = time.monotonic() - started
    assert pair.received == [str(i) for i in range(150)]
    assert elapsed > 0.8 * (150 - 2 * rate) / rate


def test_a_full_inbox_stops_reading_until_there_is_room():
    room = threading.Event()
    got: list[str] = []

    def deliver(message: str) -> None:
        got.append(message)
        if len(got) == 3:
            room.wait(5)  # the session's inbox is full

    pair = Pair(deliver=deliver)
    for i in range(10):
        pair.peer.text(str(i))
    wait_for(lambda: len(got) == 3)
    time.sleep(0.2)
    assert len(got) == 3  # nothing more read meanwhile: the rest waits in the socket
    room.set()
    wait_for(lambda: len(got) == 10)
    assert got == [str(i) for i in range(10)]


def test_sending_never_blocks_and_what_the_client_does_not_take_waits_and_is_timed():
    pair = Pair(buffer=4096)
    chunk = os.urandom(30_000)
    started = time.monotonic()
    for _ in range(20):  # 600 KB to a client that reads nothing
        pair.connection.send([chunk])
    assert time.monotonic() - started < 1.0
    assert pair.connection.backlogged and not pair.connection.flush()
    time.sleep(0.2)
    assert pair.connection.stuck_for() >= 0.2
    done = threading.Event()

    def keep_flushing() -> None:  # as the session's turns do while it is backlogged
        while not done.is_set() and not pair.connection.flush():
            time.sleep(0.005)
        done.set()

    flusher = threading.Thread(target=keep_flushing, daemon=True)
    flusher.start()
    for _ in range(20):  # the client reads after all: everything arrives, in order
        assert pair.peer.frame() == (0x2, chunk)
    flusher.join(5)
    assert done.is_set() and pair.connection.flush() and pair.connection.stuck_for() == 0


def test_a_close_from_the_server_waits_briefly_for_the_answer_then_ends():
    pair = Pair()
    pair.connection.close(1001, "going away")
    assert pair.peer.close_code() == 1001
    started = time.monotonic()
    assert pair.ended(timeout=3)  # the peer never answers: reading ends after CLOSE_WAIT
    assert time.monotonic() - started < websocket.CLOSE_WAIT + 1.0
    with pytest.raises(websocket.ConnectionClosed):
        pair.connection.send(["too late"])


def test_a_paused_session_finishes_sending_what_a_slow_client_had_not_taken():
    """A big answer (2,000 points of data) to a client with a small window, and then nothing
    more to do: the rest must still go out as the client reads, not wait for its next message."""
    from app.scheduler import Scheduler
    from app.session import Limits, Session

    server, client = socket.socketpair()
    for s in (server, client):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    connection = Connection(server, None, hard_limit=1 << 18, rate=1000, ping_interval=None, send_timeout=30)
    scheduler = Scheduler()
    session = Session(connection, Limits(), threading.Event(), wake=scheduler.wake)
    scheduler.add(session)
    try:
        peer = Peer(client, deflate=False)
        kinds = []
        while "frame" not in kinds:  # the greeting
            opcode, payload = peer.frame()
            kinds.append("frame" if opcode == 0x2 else payload[:20])
        session.deliver('{"type": "configure", "config": {"num_points": 2000, "dataset": "spiral"}}')
        time.sleep(0.3)  # the client reads nothing for a while: the answer backs up on the server
        assert connection.backlogged
        got = []
        while not got or got[-1] != "frame":
            opcode, payload = peer.frame()
            got.append("frame" if opcode == 0x2 else json.loads(payload)["type"])
        assert got == ["state", "data", "metrics", "frame"]
        wait_for(lambda: not connection.backlogged)
    finally:
        scheduler.remove(session)
        server.close()
        client.close()


def test_a_slow_client_that_takes_something_is_not_counted_as_stuck():
    pair = Pair(buffer=4096)
    for _ in range(10):
        pair.connection.send([os.urandom(30_000)])
    time.sleep(0.3)
    assert pair.connection.stuck_for() >= 0.3
    pair.peer.sock.recv(8192)  # the client takes a little
    pair.connection.flush()  # and the server hands the kernel a little more: progress
    assert pair.connection.backlogged and pair.connection.stuck_for() < 0.1


def test_the_rest_of_a_flood_from_a_client_that_has_gone_is_not_read():
    pair = Pair(rate=20.0)
    for i in range(200):  # 40 go at once, the rest would take 8 s at the rate
        pair.peer.text(str(i))
    pair.peer.sock.close()
    assert pair.ended(timeout=3)  # it stops at the hang-up instead of reading on at 20 a second
    assert 40 <= len(pair.received) < 200
