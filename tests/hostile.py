"""Hostile clients for black-box tests of a real gunicorn server (issue 10): tabs that rebuild the
largest network, flood, stop reading or never finish a message, beside ordinary tabs measured by
benchmarks/load.py's one-thread client. Everything here uses only the wire (HTTP, websocket frames)
and process facts (/proc: CPU time, RSS, the kernel's view of a TCP connection), never the app's
internals, so the same tests judge any server that keeps the protocol.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import selectors
import socket
import struct
import sys
import termios
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import load  # noqa: E402  (benchmarks/load.py: connect, frames_in, Load, Server, cpu_seconds)

WORKERS = 2
# The largest network the protocol allows (docs/protocol.md, "Settings: the config").
LARGEST = {"network_shape": [32] * 8, "features": ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"],
           "num_points": 2000, "batch_size": 1, "optimizer": "adam", "train_ratio": 90}
ESTABLISHED = 1  # /proc/net/tcp's state codes (include/net/tcp_states.h)


# -- the server ---------------------------------------------------------------------------------

@contextlib.contextmanager
def gunicorn(max_sessions: int = 60, **settings: str) -> Iterator[load.Server]:
    """gunicorn with 2 workers as load.py's Server runs it, `PLAYGROUND_<NAME>` settings from
    `settings`; stopped (killed if it lingers) however the test ends."""
    server = load.Server(WORKERS, max_sessions, {f"PLAYGROUND_{k}": str(v) for k, v in settings.items()})
    try:
        deadline = time.monotonic() + 20
        while len(server.pids()) < 1 + WORKERS:  # healthy means one worker is up; wait for them all
            assert time.monotonic() < deadline, "gunicorn did not start its workers"
            time.sleep(0.05)
        yield server
    finally:
        server.stop(timeout=10)


def port_of(server: load.Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def worker_rss_mb(workers: list[int]) -> list[float]:
    """Resident memory of each of these worker processes (server.pids()[1:]), in MB."""
    sizes = []
    for pid in workers:
        try:
            with open(f"/proc/{pid}/status") as status:
                sizes.append(next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024)
        except (OSError, StopIteration):
            pass
    return sizes


def server_cpu(server: load.Server) -> float:
    """CPU seconds (utime + stime) of gunicorn's master and workers so far."""
    return load.cpu_seconds(server.pids())


def own_cpu() -> float:
    """CPU seconds this process (the test's client) has used so far."""
    times = os.times()
    return times.user + times.system


def machine_cpu() -> float:
    """CPU seconds the whole machine has been busy so far (/proc/stat: all but idle and iowait)."""
    with open("/proc/stat") as stat:
        ticks = [int(n) for n in stat.readline().split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


# -- the wire -----------------------------------------------------------------------------------

def frame(payload: bytes, opcode: int = 1, fin: bool = True, rsv1: bool = False) -> bytes:
    """One client frame (masked with a zero key, as load.py's client sends them)."""
    first = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode
    return bytes([first]) + load._length(len(payload), masked=True) + b"\0\0\0\0" + payload


def message(kind: str, **fields) -> bytes:
    return frame(json.dumps({"type": kind, **fields}).encode())


def compressed(payload: bytes, head: bytes) -> bytes:
    """A text frame compressed as permessage-deflate asks (RFC 7692): raw deflate, sync flush, the
    trailing 00 00 ff ff left off, RSV1 set. Each message is compressed on its own, so it never
    refers to earlier ones and is valid with or without context takeover; the window is what the
    server's answer allows (`client_max_window_bits=N`)."""
    bits = 15
    for parameter in head.decode(errors="replace").lower().replace(",", ";").split(";"):
        name, _, value = parameter.strip().partition("=")
        if name == "client_max_window_bits" and value.strip().strip('"').isdigit():
            bits = max(9, int(value.strip().strip('"')))
    deflate = zlib.compressobj(9, zlib.DEFLATED, -bits)
    data = deflate.compress(payload) + deflate.flush(zlib.Z_SYNC_FLUSH)
    assert data.endswith(b"\x00\x00\xff\xff")
    return frame(data[:-4], rsv1=True)


def tcp_server_end(sock: socket.socket) -> tuple[int, int] | None:
    """The kernel's view of the server's end of this client's connection: (state, bytes waiting in
    its receive queue, unread by the server), or None when that end no longer exists."""
    try:
        client_host, client_port = sock.getsockname()[:2]
        server_host, server_port = sock.getpeername()[:2]
    except OSError:  # not connected any more: the server reset it
        return None
    local = f"{_hex_address(server_host)}:{server_port:04X}"
    remote = f"{_hex_address(client_host)}:{client_port:04X}"
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            if fields[1] == local and fields[2] == remote:
                return int(fields[3], 16), int(fields[4].split(":")[1], 16)
    return None


def unsent(sock: socket.socket) -> int:
    """Bytes in this socket's send queue that the peer has not acknowledged (the kernel holds them)."""
    return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]


def _hex_address(host: str) -> str:
    return socket.inet_aton(host)[::-1].hex().upper()


@dataclass
class Reply:
    """What a plain HTTP request to the server got back."""

    status: int
    head: str
    sock: socket.socket

    def __repr__(self) -> str:
        return f"Reply({self.head.splitlines()[0] if self.head else 'no answer'!r})"

    def header(self, name: str) -> str | None:
        for line in self.head.split("\r\n")[1:]:
            key, _, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return None


def request(port: int, lines: list[str], timeout: float = 10.0) -> Reply:
    """Send a GET with exactly these header lines (after the request line) and read the response
    head. The socket stays open (a 101 leaves a websocket); the caller closes it."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    head = b""
    deadline = time.monotonic() + timeout
    while b"\r\n\r\n" not in head and time.monotonic() < deadline:
        chunk = sock.recv(65536)
        if not chunk:
            break
        head += chunk
    text = head.partition(b"\r\n\r\n")[0].decode(errors="replace")
    parts = text.split(" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    return Reply(status, text, sock)


def upgrade_lines(port: int, **override: str | None) -> list[str]:
    """A browser-like websocket handshake's lines; `override` replaces a header (None leaves it out;
    names with _ for -)."""
    headers = {"Host": f"127.0.0.1:{port}", "Upgrade": "websocket", "Connection": "Upgrade",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13"}
    for name, value in override.items():
        headers[name.replace("_", "-")] = value
    return ["GET /ws HTTP/1.1"] + [f"{k}: {v}" for k, v in headers.items() if v is not None]


# -- one connection, read in turn ---------------------------------------------------------------

class Closed(Exception):
    def __init__(self, code: int | None):
        super().__init__(f"closed by the server with {code}")
        self.code = code


def messages(session: load.Session, timeout: float = 10.0) -> Iterator[dict | bytes]:
    """The server's messages on one connection, in order: text as dicts, frames as bytes; raises
    Closed at a close frame or the end of the stream, TimeoutError when nothing comes in time."""
    session.sock.settimeout(timeout)
    while True:
        for opcode, payload, _ in load.frames_in(session):
            if opcode == 8:
                raise Closed(struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None)
            if opcode == 1:
                yield json.loads(payload)
            elif opcode == 2:
                yield payload
        try:
            data = session.sock.recv(1 << 18)
        except socket.timeout:
            raise TimeoutError("the server sent nothing in time") from None
        except ConnectionError:
            raise Closed(None) from None
        if not data:
            raise Closed(None)
        session.buffer += data


def greeting(session: load.Session, timeout: float = 10.0) -> list:
    """Read what a new connection is sent up to its first frame (an admitted session), or up to
    the close (a refused one); the close code ends the list as an int."""
    got: list = []
    try:
        for item in messages(session, timeout):
            got.append(item)
            if isinstance(item, bytes):
                return got
    except Closed as closed:
        got.append(closed.code)
    return got


def kinds(got: list) -> list:
    return [g["type"] if isinstance(g, dict) else "frame" if isinstance(g, bytes) else g for g in got]


def goodbye(session: load.Session) -> None:
    with contextlib.suppress(OSError):
        session.sock.sendall(b"\x88\x82\0\0\0\0\x03\xe8")  # close 1000
    session.sock.close()


# -- hostile tabs in load.py's selector loop ----------------------------------------------------

class Hostile:
    """A tab that sends what `due` queues without ever blocking the loop, and reads and discards
    what the server sends (`reading=False`: never reads at all). Opened with permessage-deflate, as
    browsers open them; what it receives is thrown away uninflated."""

    reading = True
    backlog = 1 << 20  # bytes queued at most; beyond it `due` sends nothing new (the server is not reading)

    def __init__(self, url: str, deflate: bool = True, **connect):
        self.session = load.connect(url, deflate=deflate, **connect)
        self.sock = self.session.sock
        self.sock.setblocking(False)
        self.out = bytearray()
        self.sent = 0  # bytes the kernel took
        self.received = 0
        self.opened = time.monotonic()  # the handshake is done
        self.closed_at: float | None = None

    def queue(self, data: bytes) -> None:
        if len(self.out) < self.backlog:
            self.out += data

    def flush(self) -> None:
        while self.out and self.closed_at is None:
            try:
                n = self.sock.send(self.out)
            except BlockingIOError:
                return
            except OSError:  # reset or broken pipe: the server has let go
                self.closed_at = time.monotonic()
                return
            del self.out[:n]
            self.sent += n

    def read(self) -> None:
        while self.closed_at is None:
            try:
                data = self.sock.recv(1 << 20)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self.closed_at = time.monotonic()
                return
            self.received += len(data)

    def due(self, now: float) -> None:
        """Queue what this tab sends by `now`."""

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset: no FIN wait
        self.sock.close()


class Rebuilder(Hostile):
    """Sends a `configure` every `period` seconds that rebuilds the largest network (new data and
    network: the seed alternates)."""

    def __init__(self, url: str, period: float = 0.02, **connect):
        super().__init__(url, **connect)
        self.period, self.next, self.count = period, time.monotonic(), 0

    def due(self, now: float) -> None:
        if now >= self.next:
            self.count += 1
            self.queue(message("configure", config={**LARGEST, "seed": f"0.{self.count % 2}"}))
            self.next = max(self.next + self.period, now - self.period)  # catch up a late tick, not a late second


class Player(Hostile):
    """Plays the largest network."""

    def __init__(self, url: str, **connect):
        super().__init__(url, **connect)
        self.queue(message("configure", config=LARGEST) + message("play"))


class Flooder(Hostile):
    """Sends one message over and over, as fast as the server takes it."""

    def __init__(self, url: str, data: bytes, **connect):
        super().__init__(url, **connect)
        self.block = data * max(1, (1 << 16) // len(data))  # about 64 KB of copies, queued at a time

    def due(self, now: float) -> None:
        if len(self.out) < len(self.block):
            self.queue(self.block)


class Fragmenter(Hostile):
    """Opens a text message and never finishes it: 1-byte continuation frames, as fast as the
    server takes them. Reads what the server sends, for its close code."""

    def __init__(self, url: str):
        super().__init__(url, deflate=False)
        self.fragments = frame(b" ", opcode=0, fin=False) * 10_000
        self.queue(frame(b"{", fin=False))
        self.code: int | None = None  # the server's close code

    @property
    def fragments_sent(self) -> int:
        return max(0, self.sent - 7) // 7  # (7 bytes a frame: 2 of header, 4 of mask, 1 of payload)

    def due(self, now: float) -> None:
        if len(self.out) < len(self.fragments):
            self.queue(self.fragments)

    def flush(self) -> None:
        super().flush()
        if self.closed_at is not None:  # a send met the server's reset: its close frame is still readable
            self.read()

    def read(self) -> None:
        while True:  # to the end, even once a send has failed: the close frame may still be waiting
            try:
                data = self.sock.recv(1 << 16)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self.closed_at = self.closed_at or time.monotonic()
                return
            self.session.buffer += data
            for opcode, payload, _ in load.frames_in(self.session):
                if opcode == 8:
                    self.code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                    self.closed_at = self.closed_at or time.monotonic()


class Hoarder(Hostile):
    """Asks to play, then never reads a byte from its handshake on (over a slow link's small
    window), and sends small compressed messages that each inflate to `inflated` bytes of valid
    JSON (a `set_speed` padded with whitespace), as fast as the server reads them. At most
    `unread` bytes wait in the server's receive queue and this client's send queue together, so
    that what the server holds stays bounded once the test stops the flood (`stopped`)."""

    reading = False
    unread = 1 << 16

    def __init__(self, url: str, inflated: int = 60_000, **connect):
        # A small window and segment size, as on a slow link: the server's socket buffers stay
        # small too (loopback's 64 KB segments would let it queue megabytes), so its sends back up soon.
        super().__init__(url, options=((socket.SOL_SOCKET, socket.SO_RCVBUF, 4096),
                                       (socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)), **connect)
        text = b'{"type": "set_speed", "epochs_per_frame": 1}'
        self.inflated = inflated
        self.data = compressed(text + b" " * (inflated - len(text)), self.session.head)
        self.queue(message("play"))
        self.prefix = len(self.out)
        self.stopped = False
        self.checked = 0.0

    @property
    def messages(self) -> int:
        """Compressed messages the kernel took."""
        return max(0, self.sent - self.prefix) // len(self.data)

    def due(self, now: float) -> None:
        if now - self.checked < 0.02:  # (/proc/net/tcp is read at most 50 times a second)
            return
        self.checked = now
        end = tcp_server_end(self.sock)
        if end is None or end[0] != ESTABLISHED:  # closed or reset by the server. (Read from the kernel:
            self.closed_at = now  # a FIN waiting behind data this client never took leaves FIN_WAIT1.)
            return
        waiting = end[1] + unsent(self.sock)  # in the server's receive queue and in this client's send queue
        if not self.stopped and not self.out and waiting < self.unread:
            self.queue(self.data * max(1, (self.unread - waiting) // len(self.data)))


@dataclass
class Figures:
    """What the ordinary tabs measured while the hostile ones ran."""

    fps: list[float]  # frames per second of each ordinary tab, in the measured window
    answer_s: float  # the slowest configure → reflecting state (and its frame), unanswered ones included
    answers: int
    closed: int  # ordinary tabs the server closed
    server_cores: float  # server CPU over the window, in cores
    client_cores: float  # this test's own CPU (the one thread driving every tab)
    other_cores: float  # CPU of everything else on the machine (other people's work)
    extra: dict = field(default_factory=dict)

    def __str__(self) -> str:
        fps = sorted(self.fps)
        return (f"ordinary tabs: frames/s worst {fps[0]:.1f}, median {fps[len(fps) // 2]:.1f}; slowest answer "
                f"{self.answer_s * 1000:.0f} ms over {self.answers}; closed {self.closed}; CPU cores: server "
                f"{self.server_cores:.2f}, client {self.client_cores:.2f}, everything else {self.other_cores:.2f}"
                + "".join(f"; {k} {v}" for k, v in self.extra.items()))


class Classroom(load.Load):
    """Ordinary tabs playing C1 (load.Load: a live learning-rate configure about once a second),
    with hostile tabs on the same selector, so that one thread drives them all."""

    def __init__(self, server: load.Server, ordinary: int = 10):
        super().__init__(server.ws_url, ordinary, deflate=True)
        self.server = server
        self.hostile: list[Hostile] = []
        self.ticks: list = []  # called with the time after every round of the loop

    def add(self, tab: Hostile) -> Hostile:
        self.hostile.append(tab)
        self.watch(tab)
        return tab

    def watch(self, tab: Hostile) -> None:
        """Wait for what this tab can do: read (unless it never reads), and send while it has
        something queued, so that a flood goes as fast as the server takes it."""
        wanted = 0 if tab.closed_at is not None else \
            (selectors.EVENT_READ if tab.reading else 0) | (selectors.EVENT_WRITE if tab.out else 0)
        current = self.selector.get_map().get(tab.sock.fileno()) if tab.sock.fileno() >= 0 else None
        if current is None and wanted:
            self.selector.register(tab.sock, wanted, tab)
        elif current is not None and not wanted:
            self.selector.unregister(tab.sock)
        elif current is not None and current.events != wanted:
            self.selector.modify(tab.sock, wanted, tab)

    def read(self, session) -> None:
        if isinstance(session, Hostile):  # readable or writable
            if session.reading:
                session.read()
            session.flush()
            self.watch(session)
        else:
            super().read(session)

    def configure_due(self, now: float) -> None:
        super().configure_due(now)
        for tab in self.hostile:
            if tab.closed_at is None:
                tab.due(now)
                tab.flush()
            self.watch(tab)
        for tick in self.ticks:
            tick(now)

    def measure(self, warmup: float = 3.0, duration: float = 5.0) -> Figures:
        """Play the ordinary tabs; after `warmup` seconds, measure for `duration`."""
        self.play()
        self.pump(warmup)
        for session in self.sessions:
            session.latencies.clear()  # (an answer owed since the warm-up counts from when it was asked)
        cpu, machine, client, started = server_cpu(self.server), machine_cpu(), own_cpu(), time.monotonic()
        self.measuring = True
        self.pump(duration)
        now = time.monotonic()
        elapsed = now - started
        self.measuring = False
        cpu, machine, client = server_cpu(self.server) - cpu, machine_cpu() - machine, own_cpu() - client
        waits = [l for s in self.sessions for l in s.latencies]
        waits += [now - s.sent_at for s in self.sessions if s.sent_at is not None and not s.closed]
        return Figures([s.frames / elapsed for s in self.sessions], max(waits, default=float("inf")),
                       sum(len(s.latencies) for s in self.sessions), sum(s.closed for s in self.sessions),
                       cpu / elapsed, client / elapsed, max(0.0, machine - cpu - client) / elapsed)

    def close(self) -> None:
        for tab in self.hostile:
            tab.close()
        super().close()


def assert_class_unspoiled(figures: Figures, min_fps: float = 15.0, max_answer_s: float = 1.0) -> None:
    """Issue 10: every ordinary tab keeps at least 15 frames/s, and every answer comes within 1 s."""
    assert figures.closed == 0, f"the server closed ordinary tabs: {figures}"
    assert min(figures.fps) >= min_fps, f"an ordinary tab fell below {min_fps} frames/s: {figures}"
    assert figures.answers > 0 and figures.answer_s <= max_answer_s, \
        f"an answer took longer than {max_answer_s} s: {figures}"
