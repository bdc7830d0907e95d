"""Load benchmark: N concurrent websocket sessions, each playing the C1 workload network
(docs/benchmarks.md), against a server it starts under gunicorn (or a given URL).

Reports per N: frames per second per session (median, worst), bytes per frame (on the wire,
compressed as browsers negotiate it, and decoded), and the time from
a `configure` (a live learning-rate change, about once a second per session) to the first frame
that reflects it (median, p95); plus the CPU the server used. A goal holds when every session
gets at least --min-fps frames per second and the p95 reaction is under --max-p95-ms.

    .venv/bin/python benchmarks/load.py --sessions 20,40,60,80
    .venv/bin/python benchmarks/load.py --url ws://127.0.0.1:8000/ws --sessions 60
    .venv/bin/python benchmarks/load.py --sessions 30 --digits 10

--digits K makes K of the N sessions train the handwritten digits (`mnist`, its default network:
an epoch of 4,000 images is about 100 times the work of a C1 epoch) instead of C1, and reports the
C1 sessions and the digits sessions apart: do the others keep their pace beside them?

The clients are one thread multiplexing raw sockets (no websocket library), so that the machine's
cores go to the server, not to the measuring. Like browsers they offer permessage-deflate
(--no-deflate: plain frames).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import selectors
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time
import urllib.request
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
C1 = {"dataset": "spiral", "num_points": 500, "noise": 0, "train_ratio": 50, "features": ["x", "y"],
      "network_shape": [4, 2], "activation": "tanh", "loss": "cross_entropy", "batch_size": 10,
      "learning_rate": 0.03, "regularization": "L2", "regularization_rate": 0.001, "init": "random"}
DIGITS = {"dataset": "mnist"}  # and the rest of the table's own defaults
RATES = (0.03, 0.031)  # a configure toggles between these: a live change, no reset


# -- a minimal websocket client -----------------------------------------------------------------

@dataclass
class Session:
    """One connection and what it measured."""

    sock: socket.socket
    buffer: bytearray = field(default_factory=bytearray)
    inflate: Any = None  # a zlib decompressor when permessage-deflate was agreed
    frames: int = 0
    frame_bytes: int = 0  # as decoded
    wire_bytes: int = 0  # binary frames as sent (compressed)
    text_bytes: int = 0
    rate_index: int = 0
    sent_at: float | None = None  # a configure is waiting for its frame
    digits: bool = False  # trains mnist instead of C1
    epochs: int = 0  # the last epoch a frame carried
    reflected: bool = False  # its state has arrived; the next frame reflects it
    next_configure: float = 0.0
    latencies: list[float] = field(default_factory=list)
    closed: bool = False
    head: bytes = b""  # the handshake's response head (the extensions agreed)

    def send(self, message: dict) -> None:
        payload = json.dumps(message).encode()
        header = bytes([0x81]) + _length(len(payload), masked=True) + b"\0\0\0\0"  # a zero mask key
        self.sock.sendall(header + payload)


def _length(n: int, masked: bool) -> bytes:
    bit = 0x80 if masked else 0
    if n < 126:
        return bytes([bit | n])
    if n < 1 << 16:
        return bytes([bit | 126]) + struct.pack("!H", n)
    return bytes([bit | 127]) + struct.pack("!Q", n)


def connect(url: str, deflate: bool, headers: dict[str, str] | None = None, source: str | None = None,
            options: tuple[tuple[int, int, int], ...] = ()) -> Session:
    """Open a websocket (blocking handshake), offering compression as browsers do. `headers` adds
    request headers (an `Origin`), `source` binds the client's address (another 127.x.y.z on
    loopback is another client), `options` are socket options set before connecting, where they
    shape the connection (a small receive buffer or segment size: a client on a slow link)."""
    parts = urlsplit(url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(30)
    for level, name, value in options:
        sock.setsockopt(level, name, value)
    if source:
        sock.bind((source, 0))
    sock.connect((parts.hostname, parts.port or 80))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16)).decode()
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    sock.sendall((f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                  + ("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" if deflate else "")
                  + extra + "\r\n").encode())
    response = b""
    while b"\r\n\r\n" not in response:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed during the handshake")
        response += chunk
    head, _, rest = response.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 101"):
        sock.close()
        raise ConnectionError(head.decode(errors="replace"))
    agreed = b"permessage-deflate" in head.lower()
    return Session(sock, bytearray(rest), zlib.decompressobj(-15) if agreed else None, head=head)


def frames_in(session: Session):
    """Complete (opcode, payload, wire length) frames from the session's buffer, inflated when
    compressed (server frames are unmasked and never fragmented)."""
    buf = session.buffer
    while len(buf) >= 2:
        length, offset = buf[1] & 0x7F, 2
        if length == 126:
            if len(buf) < 4:
                return
            length, offset = struct.unpack_from("!H", buf, 2)[0], 4
        elif length == 127:
            if len(buf) < 10:
                return
            length, offset = struct.unpack_from("!Q", buf, 2)[0], 10
        if len(buf) < offset + length:
            return
        opcode, payload = buf[0] & 0x0F, bytes(buf[offset:offset + length])
        if buf[0] & 0x40:
            payload = session.inflate.decompress(payload + b"\x00\x00\xff\xff")
        del buf[:offset + length]
        yield opcode, payload, length


# -- measuring ----------------------------------------------------------------------------------

class Load:
    """N sessions on one selector: counts frames in a window and times configure → frame."""

    def __init__(self, url: str, count: int, deflate: bool, digits: int = 0):
        self.selector = selectors.DefaultSelector()
        self.sessions = []
        for number in range(count):
            session = connect(url, deflate)
            self.selector.register(session.sock, selectors.EVENT_READ, session)
            self.sessions.append(session)
            session.digits = number < digits
            session.send({"type": "configure", "config": DIGITS if session.digits else C1})
        self.measuring = False

    def play(self) -> None:
        start = time.monotonic()
        for session in self.sessions:
            session.send({"type": "play"})
            session.next_configure = start + random.uniform(0.2, 1.2)

    def pump(self, seconds: float) -> None:
        """Read and react for `seconds`."""
        deadline = time.monotonic() + seconds
        while (now := time.monotonic()) < deadline:
            for key, _ in self.selector.select(timeout=min(0.01, deadline - now)):
                self.read(key.data)
            self.configure_due(time.monotonic())

    def read(self, session: Session) -> None:
        data = session.sock.recv(1 << 18)
        if not data:
            session.closed = True
            self.selector.unregister(session.sock)
            return
        session.buffer += data
        for opcode, payload, wire in frames_in(session):
            self.on_frame(session, opcode, payload, wire)

    def on_frame(self, session: Session, opcode: int, payload: bytes, wire: int) -> None:
        if opcode == 2:
            session.epochs = struct.unpack_from("<I", payload, 4)[0]
            if self.measuring:
                session.frames += 1
                session.frame_bytes += len(payload)
                session.wire_bytes += wire
            if session.reflected:
                session.latencies.append(time.monotonic() - session.sent_at)
                session.sent_at, session.reflected = None, False
        elif opcode == 1:
            if self.measuring:
                session.text_bytes += len(payload)
            if session.sent_at is not None and payload.startswith(b'{"type":"state"'):
                rate = json.loads(payload)["config"]["learning_rate"]
                session.reflected = rate == RATES[session.rate_index]
            elif payload.startswith(b'{"type":"error"'):
                print("server error:", payload.decode()[:300], file=sys.stderr)
        elif opcode == 8:
            session.closed = True

    def configure_due(self, now: float) -> None:
        for session in self.sessions:
            if session.sent_at is None and now >= session.next_configure and not session.closed:
                session.rate_index ^= 1
                session.send({"type": "configure", "config": {"learning_rate": RATES[session.rate_index]}})
                session.sent_at, session.next_configure = now, now + random.uniform(0.8, 1.2)

    def close(self) -> None:
        close_all(self.sessions, self.selector)


def close_all(sessions: list[Session], selector: selectors.BaseSelector) -> None:
    """Say goodbye (close 1000) on every session's socket, close them and their selector."""
    for session in sessions:
        try:
            session.sock.sendall(b"\x88\x82\0\0\0\0\x03\xe8")  # close 1000
            session.sock.close()
        except OSError:
            pass
    selector.close()


def measure(url: str, count: int, warmup: float, duration: float, server_pids, deflate: bool,
            digits: int = 0) -> dict:
    load = Load(url, count, deflate, digits)
    try:
        load.play()
        load.pump(warmup)
        for session in load.sessions:
            session.latencies.clear()
        epochs_before = [session.epochs for session in load.sessions]
        cpu_before, started = cpu_seconds(server_pids()), time.monotonic()
        client_before = sum(os.times()[:2])
        load.measuring = True
        load.pump(duration)
        elapsed = time.monotonic() - started
        cpu = (cpu_seconds(server_pids()) - cpu_before) / elapsed
        client_cpu = (sum(os.times()[:2]) - client_before) / elapsed
        threads = [thread_count(pid) for pid in server_pids()[1:]]
        for session, before in zip(load.sessions, epochs_before):
            session.epochs_done = session.epochs - before
    finally:
        load.close()
    plain = [s for s in load.sessions if not s.digits]
    result = {**summarize(plain or load.sessions, elapsed, cpu), "client_cpu_cores": client_cpu, "worker_threads": threads}
    result["sessions"] = len(load.sessions)
    if digits:
        trained = [s for s in load.sessions if s.digits]
        result["digits"] = {**summarize(trained, elapsed, cpu),
                            "epochs_per_s": sorted(s.epochs_done / elapsed for s in trained)}
    return result


def summarize(sessions: list[Session], elapsed: float, cpu: float) -> dict:
    fps = sorted(s.frames / elapsed for s in sessions)
    latencies = sorted(l * 1000 for s in sessions for l in s.latencies)
    frames = sum(s.frames for s in sessions) or 1
    return {"sessions": len(sessions), "closed": sum(s.closed for s in sessions),
            "fps_median": statistics.median(fps), "fps_worst": fps[0],
            "frame_bytes": sum(s.frame_bytes for s in sessions) / frames,
            "wire_bytes": sum(s.wire_bytes for s in sessions) / frames,
            "text_bytes_per_frame": sum(s.text_bytes for s in sessions) / frames,
            "reaction_ms_median": statistics.median(latencies) if latencies else None,
            "reaction_ms_p95": percentile(latencies, 95), "reactions": len(latencies),
            "server_cpu_cores": cpu}


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def thread_count(pid: int) -> int:
    """Threads of a worker: about two per session it holds (its own and its socket reader)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("Threads:"))
    except (OSError, StopIteration):
        return 0


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes, in seconds."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


# -- the server under test ----------------------------------------------------------------------

class Server:
    """gunicorn with the project's config on a free port."""

    def __init__(self, workers: int, max_sessions: int, extra_env: dict[str, str]):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1024)
        port = self.listener.getsockname()[1]
        self.url, self.ws_url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws"
        env = {**os.environ, "PLAYGROUND_WORKERS": str(workers), "PLAYGROUND_MAX_SESSIONS": str(max_sessions),
               **extra_env}
        fd = self.listener.fileno()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:app.gunicorn_conf", "-b", f"fd://{fd}",
             "app:create_app()"], cwd=ROOT, env=env, pass_fds=[fd],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.wait_healthy()

    def wait_healthy(self) -> None:
        for _ in range(400):
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2).read()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("gunicorn did not start")

    def pids(self) -> list[int]:
        children = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True)
        return [self.process.pid] + [int(p) for p in children.stdout.split()]

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM; a server that has not exited within `timeout` is killed, workers first."""
        workers = self.pids()[1:]
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            for pid in workers + [self.process.pid]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.process.wait(timeout=10)
        finally:
            self.listener.close()


# -- the command --------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    counts = [int(n) for n in args.sessions.split(",")]
    # Every benchmark client is 127.0.0.1: one address may hold every seat.
    extra = {"PLAYGROUND_SESSIONS_PER_ADDRESS": str(max(counts) + 10), **dict(e.split("=", 1) for e in args.env)}
    server = None if args.url else Server(args.workers, max(counts) + 10, extra)
    url = args.url or server.ws_url
    pids = (lambda: []) if args.url else server.pids
    results = []
    try:
        for count in counts:
            result = measure(url, count, args.warmup, args.duration, pids, not args.no_deflate, args.digits)
            result["holds"] = holds(result, args)
            results.append(result)
            print(line(result), flush=True)
            if args.digits:
                d = result["digits"]
                print(f"       of them {args.digits} on digits: frames/s median {d['fps_median']:.1f} worst {d['fps_worst']:.1f}, "
                      f"epochs/s median {statistics.median(d['epochs_per_s']):.2f} worst {d['epochs_per_s'][0]:.2f}, "
                      f"bytes/frame {d['wire_bytes']:.0f} sent; reaction ms median {fmt(d['reaction_ms_median'])} "
                      f"p95 {fmt(d['reaction_ms_p95'])}", flush=True)
            time.sleep(1.0)  # let the previous sessions end
    finally:
        if server:
            server.stop()
    held = [r["sessions"] for r in results if r["holds"]]
    print(f"largest N that holds (≥ {args.min_fps} frames/s each, p95 < {args.max_p95_ms} ms): "
          f"{max(held) if held else 'none'}")
    if args.json:
        print(json.dumps(results, indent=1))
    return 0


def holds(result: dict, args: argparse.Namespace) -> bool:
    p95 = result["reaction_ms_p95"]
    return result["fps_worst"] >= args.min_fps and p95 is not None and p95 < args.max_p95_ms and not result["closed"]


def line(r: dict) -> str:
    return (f"N={r['sessions']:4d}  frames/s per session: median {r['fps_median']:5.1f} worst {r['fps_worst']:5.1f}"
            f"  bytes/frame {r['wire_bytes']:.0f} sent, {r['frame_bytes']:.0f} decoded"
            f" (+{r['text_bytes_per_frame']:.0f} JSON)"
            f"  reaction ms: median {fmt(r['reaction_ms_median'])} p95 {fmt(r['reaction_ms_p95'])}"
            f" (n={r['reactions']})  CPU: server {r['server_cpu_cores']:.2f}, client {r['client_cpu_cores']:.2f} cores"
            f"{'  threads per worker ' + str(r['worker_threads']) if r['worker_threads'] else ''}"
            f"{'  closed ' + str(r['closed']) if r['closed'] else ''}  {'holds' if r['holds'] else 'FAILS'}")


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", default="20,40,60", help="comma-separated session counts to try")
    p.add_argument("--url", help="an already running server's websocket URL (default: start gunicorn)")
    p.add_argument("--workers", type=int, default=os.cpu_count(), help="gunicorn workers (default: cores)")
    p.add_argument("--env", action="append", default=[], metavar="PLAYGROUND_X=V", help="extra server settings")
    p.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring")
    p.add_argument("--duration", type=float, default=10.0, help="seconds measured per N")
    p.add_argument("--min-fps", type=float, default=20.0)
    p.add_argument("--max-p95-ms", type=float, default=100.0)
    p.add_argument("--no-deflate", action="store_true", help="do not offer permessage-deflate")
    p.add_argument("--json", action="store_true", help="also print the results as JSON")
    p.add_argument("--digits", type=int, default=0, metavar="K",
                   help="K of the sessions train mnist instead of C1 (the C1 figures are the others')")
    return p.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
