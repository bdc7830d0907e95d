"""The server side of websockets (RFC 6455, with permessage-deflate of RFC 7692), written for many
sessions sharing one process: nothing it holds grows with what a client sends or fails to read.

- The handshake is checked here: a request that is not a websocket upgrade is answered 426, a
  malformed one 400, before anything else happens (`check_handshake`).
- Reading happens on the connection's own thread (`Connection.read`): one frame at a time, at most
  `rate` frames a second (a faster client is simply read more slowly), a message at most
  `hard_limit` bytes after inflation and in at most MAX_FRAGMENTS pieces, and only while the
  session has room for it (`deliver` blocks; the client then waits in TCP).
- Sending never blocks (`Connection.send`): the compute thread encodes and hands bytes to the
  kernel, and what the kernel cannot take yet waits here (`backlogged`) until it can; the session
  makes nothing new meanwhile, and a client that takes nothing for `send_timeout` is dropped.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import select
import selectors
import socket
import struct
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Mapping

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_FRAGMENTS = 64  # pieces one message may come in (browsers send small messages whole)
RECEIVE_BYTES = 65536
COMPRESS_FROM = 512  # smaller messages go uncompressed: deflating 200 bytes costs more than sending them
MEM_LEVEL = 4  # zlib memLevel of the compressor (see Connection._new_compressor)
CLOSE_WAIT = 0.5  # seconds to wait for the client's answer to our close frame
IDLE_WAIT = 0.5  # seconds a reader sleeps at most (then looks at its close and ping times again)
DEFLATE_TAIL = b"\x00\x00\xff\xff"
HANG_UP = getattr(select, "POLLRDHUP", 0x2000) | select.POLLHUP | select.POLLERR

TEXT, BINARY, CONTINUATION, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA
NORMAL, GOING_AWAY, PROTOCOL_ERROR, INVALID_DATA, POLICY, TOO_BIG, INTERNAL, TRY_LATER = (
    1000, 1001, 1002, 1007, 1008, 1009, 1011, 1013)


class ConnectionClosed(Exception):
    """The connection is closed (by either side, or because the network failed)."""


class HandshakeError(Exception):
    """A request that cannot become a websocket: its HTTP status, a sentence, extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


@dataclass(frozen=True)
class Deflate:
    """Agreed permessage-deflate parameters."""

    server_window_bits: int = 15
    server_no_context_takeover: bool = False
    response: str = "permessage-deflate"  # the Sec-WebSocket-Extensions answer


def check_handshake(environ: Mapping[str, Any], compress: bool) -> tuple[str, Deflate | None]:
    """The Sec-WebSocket-Accept value and the compression agreed, or HandshakeError."""
    if environ.get("REQUEST_METHOD") != "GET" or "websocket" not in environ.get("HTTP_UPGRADE", "").lower():
        raise HandshakeError(426, "this address takes websocket connections only (Upgrade: websocket)",
                             {"Upgrade": "websocket", "Connection": "Upgrade"})
    if "upgrade" not in [t.strip() for t in environ.get("HTTP_CONNECTION", "").lower().split(",")]:
        raise HandshakeError(400, "Connection: Upgrade is missing")
    if environ.get("HTTP_SEC_WEBSOCKET_VERSION", "").strip() != "13":
        raise HandshakeError(426, "Sec-WebSocket-Version must be 13", {"Sec-WebSocket-Version": "13"})
    key = environ.get("HTTP_SEC_WEBSOCKET_KEY", "").strip()
    try:
        if len(base64.b64decode(key, validate=True)) != 16:
            raise ValueError
    except (ValueError, binascii.Error):
        raise HandshakeError(400, "Sec-WebSocket-Key must be 16 bytes in base64") from None
    accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
    offers = environ.get("HTTP_SEC_WEBSOCKET_EXTENSIONS", "")
    return accept, negotiate_deflate(offers) if compress else None


def negotiate_deflate(offers: str) -> Deflate | None:
    """The first permessage-deflate offer we can honour (RFC 7692 section 7), or None."""
    for offer in offers.split(","):
        name, *params = [p.strip() for p in offer.split(";")]
        if name.lower() != "permessage-deflate":
            continue
        agreed, bits, no_takeover, ok = ["permessage-deflate"], 15, False, True
        for param in params:
            key, _, value = (s.strip().strip('"') for s in param.partition("="))
            key = key.lower()
            if key == "server_no_context_takeover" and not value:
                no_takeover = True
                agreed.append(key)
            elif key == "client_no_context_takeover" and not value:
                pass  # the client's own business: our inflater keeps a window either way
            elif key == "server_max_window_bits" and value.isdigit() and 8 <= int(value) <= 15:
                bits = max(9, int(value))  # zlib cannot make raw deflate with an 8-bit window
                if bits != int(value):
                    ok = False
                agreed.append(f"server_max_window_bits={bits}")
            elif key == "client_max_window_bits" and (not value or (value.isdigit() and 8 <= int(value) <= 15)):
                pass  # we inflate with the largest window, which reads any smaller one
            else:
                ok = False
        if ok:
            return Deflate(bits, no_takeover, "; ".join(agreed))
    return None


def handshake_response(accept: str, deflate: Deflate | None) -> bytes:
    lines = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Accept: {accept}"]
    if deflate:
        lines.append(f"Sec-WebSocket-Extensions: {deflate.response}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class Connection:
    """One accepted websocket over a socket. `read` runs on the connection's thread; `send`,
    `flush` and `close` may be called from any thread."""

    def __init__(self, sock: socket.socket, deflate: Deflate | None, *, hard_limit: int, rate: float,
                 ping_interval: float | None, send_timeout: float, level: int = 1,
                 clock: Callable[[], float] = time.monotonic):
        self.sock, self.deflate, self.hard_limit, self.rate = sock, deflate, hard_limit, rate
        self.ping_interval, self.send_timeout, self.clock = ping_interval, send_timeout, clock
        self.level = level
        self._lock = threading.Lock()  # the outgoing bytes and the compressor
        self._out = bytearray()
        self._stuck_since: float | None = None
        self._compressor = self._new_compressor() if deflate else None
        self._inflater = zlib.decompressobj(-15) if deflate else None
        self.open = True  # False once a close frame went out or the socket failed
        self.close_code: int | None = None  # what the client's close frame said
        self._close_sent_at: float | None = None
        sock.setblocking(False)

    # -- sending (any thread) ------------------------------------------------------------------

    def send(self, messages: list[str | bytes]) -> None:
        """Queue these messages and hand what the kernel takes to it now. Raises ConnectionClosed."""
        with self._lock:
            if not self.open:
                raise ConnectionClosed()
            for message in messages:
                if isinstance(message, str):
                    self._out += self._frame(TEXT, message.encode())
                else:
                    self._out += self._frame(BINARY, message)
            self._flush()

    def flush(self) -> bool:
        """Try again to send what waits; True when nothing waits any more."""
        with self._lock:
            if self._out:
                self._flush()
            return not self._out

    @property
    def backlogged(self) -> bool:
        """Bytes wait that the kernel would not take (the client reads more slowly than we send)."""
        return bool(self._out)

    def stuck_for(self) -> float:
        """Seconds since the client last took any of what waits for it (0 when nothing waits)."""
        since = self._stuck_since
        return 0.0 if since is None else self.clock() - since

    def close(self, code: int = NORMAL, reason: str = "") -> None:
        """Send a close frame (once); `read` then waits briefly for the client's and ends."""
        with self._lock:
            if not self.open:
                return
            payload = struct.pack("!H", code) + reason.encode()[:120]
            self._out += self._header(0x80 | CLOSE, len(payload)) + payload
            self.open = False
            self._close_sent_at = self.clock()
            try:
                self._flush()
            except ConnectionClosed:
                pass

    def abort(self) -> None:
        """End the connection at once, without a close handshake (a client that does not read)."""
        with self._lock:
            self.open = False
            self._out.clear()
        self._shutdown()

    def _flush(self) -> None:
        out, progressed = self._out, False
        while out:
            try:
                sent = self.sock.send(out)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self.open = False
                out.clear()
                raise ConnectionClosed() from None
            del out[:sent]
            progressed = True
        if not out:
            self._stuck_since = None
        elif progressed or self._stuck_since is None:
            self._stuck_since = self.clock()  # a slow client that takes something is not stuck

    def _frame(self, opcode: int, payload: bytes) -> bytes:
        first = 0x80 | opcode
        if self._compressor is not None and len(payload) >= COMPRESS_FROM:
            payload = self._compressor.compress(payload) + self._compressor.flush(zlib.Z_SYNC_FLUSH)
            payload = payload[:-4]  # RFC 7692 7.2.1: without the sync flush's empty block
            first |= 0x40
            if self.deflate and self.deflate.server_no_context_takeover:
                self._compressor = self._new_compressor()
        return self._header(first, len(payload)) + payload

    @staticmethod
    def _header(first: int, length: int) -> bytes:
        if length < 126:
            return bytes((first, length))
        if length < 1 << 16:
            return struct.pack("!BBH", first, 126, length)
        return struct.pack("!BBQ", first, 127, length)

    def _new_compressor(self) -> Any:
        bits = self.deflate.server_window_bits if self.deflate else 15
        # memLevel 4 rather than 8: a quarter of the hash and pending tables, so less of each
        # session's state has to come back into the cache at every frame (deflating is 12 % faster with 50
        # sessions a process, frames 0.1 % larger).
        return zlib.compressobj(self.level, zlib.DEFLATED, -bits, MEM_LEVEL)

    # -- reading (the connection's thread) -------------------------------------------------------

    def read(self, deliver: Callable[[str | bytes], None]) -> None:
        """Read messages and hand each to `deliver` (which may block until the session has room),
        answer pings, and end when the connection closes. Returns normally in every case."""
        reader = _Reader(self)
        try:
            reader.run(deliver)
        except ConnectionClosed:
            pass
        finally:
            self._shutdown()

    def _shutdown(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def peer_gone(self, wait: float = 0.0) -> bool:
        """The client has closed its end (it will read nothing more), even if bytes it sent before
        are still unread; waits up to `wait` seconds for that. Lets a session stop handling a
        backlog from a tab that has gone."""
        poller = select.poll()
        poller.register(self.sock, HANG_UP)
        try:
            return bool(poller.poll(max(0, int(wait * 1000))))
        except (OSError, ValueError):
            return True

    def _control(self, opcode: int, payload: bytes) -> None:
        with self._lock:
            if not self.open:
                return
            self._out += self._header(0x80 | opcode, len(payload)) + payload
            self._flush()


class _Reader:
    """The reading half of a Connection: frames, limits, inflation, pings and the close handshake."""

    def __init__(self, connection: Connection):
        self.c = connection
        self.buffer = bytearray()
        self.selector = selectors.DefaultSelector()
        self.tokens = 2 * connection.rate  # a burst of twice the rate
        self.refilled = connection.clock()
        self.message: bytearray | None = None
        self.opcode = 0
        self.compressed = False
        self.fragments = 0
        interval = connection.ping_interval
        self.next_ping = connection.clock() + interval if interval else None
        self.awaiting_pong = False

    def run(self, deliver: Callable[[str | bytes], None]) -> None:
        self.selector.register(self.c.sock, selectors.EVENT_READ)
        try:
            while True:
                frame = self.next_frame()
                if frame is None:
                    return
                self.throttle()
                message = self.handle(*frame)
                if message is not None:
                    deliver(message)
        finally:
            self.selector.close()

    # -- frames ----------------------------------------------------------------------------------

    def next_frame(self) -> tuple[int, int, bytes] | None:
        """The next complete frame (first byte, opcode, unmasked payload); None once closed."""
        while True:
            parsed = self.parse()
            if parsed is not None:
                return parsed
            if not self.receive():
                return None

    def parse(self) -> tuple[int, int, bytes] | None:
        buf = self.buffer
        if len(buf) < 2:
            return None
        first, second = buf[0], buf[1]
        opcode, length, offset = first & 0x0F, second & 0x7F, 2
        if not second & 0x80:
            self.fail(PROTOCOL_ERROR, "client frames must be masked")
        if length == 126:
            if len(buf) < 4:
                return None
            length, offset = struct.unpack_from("!H", buf, 2)[0], 4
        elif length == 127:
            if len(buf) < 10:
                return None
            length, offset = struct.unpack_from("!Q", buf, 2)[0], 10
        if length > self.c.hard_limit:
            self.fail(TOO_BIG, f"a frame of {length} bytes; the limit is {self.c.hard_limit}")
        if len(buf) < offset + 4 + length:
            return None
        mask = bytes(buf[offset:offset + 4])
        payload = bytes(buf[offset + 4:offset + 4 + length])
        del buf[:offset + 4 + length]
        return first, opcode, unmask(payload, mask)

    def receive(self) -> bool:
        """Wait for bytes (sending pings when due, ending an unanswered close); False once closed."""
        c = self.c
        while True:
            now = c.clock()
            if c._close_sent_at is not None and now - c._close_sent_at > CLOSE_WAIT:
                return False
            waits = [IDLE_WAIT]
            if c._close_sent_at is not None:
                waits.append(c._close_sent_at + CLOSE_WAIT - now)
            if self.next_ping is not None:
                if now >= self.next_ping:
                    self.ping()
                    continue
                waits.append(self.next_ping - now)
            if self.selector.select(max(0.0, min(waits))):
                try:
                    data = c.sock.recv(RECEIVE_BYTES)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    return False
                if not data:
                    return False
                self.buffer += data
                return True
            if not c.open and c._close_sent_at is None:
                return False  # aborted

    def ping(self) -> None:
        if self.awaiting_pong:
            self.c.close(POLICY, "no answer to ping")
            return
        self.awaiting_pong = True
        self.next_ping = self.c.clock() + (self.c.ping_interval or 0)
        self.c._control(PING, b"")

    def throttle(self) -> None:
        """At most `rate` frames a second, in bursts of twice that: beyond it, wait (the client's
        bytes wait in TCP meanwhile) rather than read on."""
        c = self.c
        now = c.clock()
        self.tokens = min(2 * c.rate, self.tokens + (now - self.refilled) * c.rate)
        self.refilled = now
        self.tokens -= 1
        if self.tokens < 0 and c.peer_gone(wait=-self.tokens / c.rate):
            raise ConnectionClosed()  # the rest of a flood from a tab that has gone: unread

    def handle(self, first: int, opcode: int, payload: bytes) -> str | bytes | None:
        """Apply one frame; a finished data message is returned."""
        fin, rsv1 = bool(first & 0x80), bool(first & 0x40)
        if first & 0x30 or (rsv1 and (self.c.deflate is None or opcode in (CONTINUATION, CLOSE, PING, PONG))):
            self.fail(PROTOCOL_ERROR, "unexpected reserved bits")
        if opcode >= 0x8:
            if not fin or len(payload) > 125:
                self.fail(PROTOCOL_ERROR, "control frames must be whole and short")
            return self.control(opcode, payload)
        if opcode == CONTINUATION:
            if self.message is None:
                self.fail(PROTOCOL_ERROR, "a continuation without a message")
        elif opcode in (TEXT, BINARY):
            if self.message is not None:
                self.fail(PROTOCOL_ERROR, "a new message inside another")
            self.message, self.opcode, self.compressed, self.fragments = bytearray(), opcode, rsv1, 0
        else:
            self.fail(PROTOCOL_ERROR, f"unknown opcode {opcode}")
        assert self.message is not None
        self.fragments += 1
        if self.fragments > MAX_FRAGMENTS:
            self.fail(TOO_BIG, f"a message in more than {MAX_FRAGMENTS} pieces")
        if self.compressed:
            payload = self.inflate(payload + DEFLATE_TAIL if fin else payload)
        self.message += payload
        if len(self.message) > self.c.hard_limit:
            self.fail(TOO_BIG, f"a message over {self.c.hard_limit} bytes")
        if not fin:
            return None
        data, self.message = bytes(self.message), None
        if self.opcode == BINARY:
            return data
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            self.fail(INVALID_DATA, "text messages must be UTF-8")
        return None  # not reached

    def inflate(self, payload: bytes) -> bytes:
        """Inflate at most what the message may still grow by: a bomb stops at the limit."""
        assert self.c._inflater is not None and self.message is not None
        room = self.c.hard_limit - len(self.message) + 1
        try:
            data = self.c._inflater.decompress(payload, room)
        except zlib.error:
            self.fail(INVALID_DATA, "bad compressed data")
        if self.c._inflater.unconsumed_tail or len(data) >= room:
            self.fail(TOO_BIG, f"a message over {self.c.hard_limit} bytes")
        return data

    def control(self, opcode: int, payload: bytes) -> None:
        if opcode == PING:
            self.c._control(PONG, payload)
        elif opcode == PONG:
            self.awaiting_pong = False
        elif opcode == CLOSE:
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
            self.c.close_code = code
            if self.c.open:
                self.c.close(code if code in (NORMAL, GOING_AWAY) else NORMAL)
            raise ConnectionClosed()
        return None

    def fail(self, code: int, reason: str) -> None:
        """The client broke the protocol or a limit: close with `code`, and stop reading. What it
        still sends is read and dropped until it closes too (CLOSE_WAIT at most): closing a socket
        with unread bytes would reset the connection, and the client might never see why."""
        self.c.close(code, reason)
        while self.receive():
            self.buffer.clear()
        raise ConnectionClosed()


def unmask(payload: bytes, mask: bytes) -> bytes:
    """XOR the payload with the repeated 4-byte mask, as one big-integer operation."""
    n = len(payload)
    if not n:
        return payload
    key = (mask * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(key, "little")).to_bytes(n, "little")
