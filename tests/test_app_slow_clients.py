"""Slow clients against gunicorn with the project's config (app/gworker.py; issue 10, item 3):
connections that send their request heads a line every few seconds, that never close, or that
trickle a body, leave pages and new sessions served within a second, and are closed by the header
timeout; heads past gunicorn's limits are refused at once; kept-alive connections and a browser's
page load work through the worker."""

from __future__ import annotations

import os
import selectors
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
import websocket

from servers import ROOT, Gunicorn
from ws_client import Client

pytestmark = pytest.mark.alone  # measures pacing against the wall clock: `make test` runs it alone

HEADER_TIMEOUT = 3.0  # PLAYGROUND_HEADER_TIMEOUT for these tests (default 10): keeps them short
PROBE_TIMEOUT = 2.0  # a probe that has not been answered by then has failed anyway (limit: 1 s)


@pytest.fixture(scope="module")
def server():
    # The image's session cap: 80 threads per worker, fewer than the slow connections below.
    gunicorn = Gunicorn(WORKERS="2", MAX_SESSIONS="60", HEADER_TIMEOUT=str(HEADER_TIMEOUT),
                        HEADS_PER_ADDRESS="1000")
    yield gunicorn
    log = gunicorn.stop()
    assert "Traceback" not in log, log


# -- clients ---------------------------------------------------------------------------------

def connect(server: Gunicorn, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=PROBE_TIMEOUT,
                                    source_address=(source, 0))
    return sock


class Responses:
    """HTTP/1.1 responses read off one connection, one at a time (pipelined ones may arrive in one piece)."""

    def __init__(self, sock: socket.socket):
        self.sock, self.data = sock, b""

    def next(self) -> tuple[int, dict[str, str], bytes]:
        """The next response: status, headers (lower-case names), body."""
        while b"\r\n\r\n" not in self.data:
            self.receive()
        head, _, self.data = self.data.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
        length = int(headers.get("content-length", 0))
        while len(self.data) < length:
            self.receive()
        body, self.data = self.data[:length], self.data[length:]
        return int(status_line.split()[1]), headers, body

    def receive(self) -> None:
        chunk = self.sock.recv(65536)
        assert chunk, f"closed before a whole response: {self.data!r}"
        self.data += chunk


def read_to_end(sock: socket.socket, timeout: float) -> tuple[bytes, bool]:
    """Everything the server sends until it closes, and whether it closed within `timeout`."""
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (TimeoutError, socket.timeout):
        return data, False
    except ConnectionResetError:
        pass
    return data, True


def time_page(server: Gunicorn) -> float:
    """Seconds until GET / is answered 200 (inf: not within PROBE_TIMEOUT)."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(server.url + "/", timeout=PROBE_TIMEOUT) as response:
            assert response.status == 200 and b"<html" in response.read().lower()
    except OSError:
        return float("inf")
    return time.monotonic() - started


def time_hello(server: Gunicorn) -> float:
    """Seconds from opening a websocket to its session's `hello` (inf: not within PROBE_TIMEOUT)."""
    started = time.monotonic()
    try:
        client = Client(server.ws_url, greet=False, timeout=PROBE_TIMEOUT)
    except (OSError, websocket.WebSocketException):
        return float("inf")
    try:
        client.expect("hello")
        return time.monotonic() - started
    except (OSError, websocket.WebSocketException):
        return float("inf")
    finally:
        client.close()


def probe(server: Gunicorn, rounds: int = 4) -> tuple[list[float], list[float]]:
    pages, hellos = [], []
    for _ in range(rounds):
        pages.append(time_page(server))
        hellos.append(time_hello(server))
    return pages, hellos


class SlowClients:
    """Connections that each send a request line and then one header line every `interval` seconds
    (from a thread of their own), never finishing the head. The first `kept_alive` of them do that
    as their second request, after a whole first one answered on the same connection."""

    def __init__(self, server: Gunicorn, count: int, kept_alive: int = 0, interval: float = 2.0,
                 source: str = "127.0.0.1"):
        self.socks: list[socket.socket] = []
        self.stopped = threading.Event()
        self.started = time.monotonic()  # the first slow head times out first
        try:
            for i in range(count):
                sock = connect(server, source)
                self.socks.append(sock)
                if i < kept_alive:
                    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    status, headers, _ = Responses(sock).next()
                    assert status == 200 and headers.get("connection") != "close"
                sock.sendall(b"GET / HTTP/1.1\r\n")
        except BaseException:
            self.close()
            raise
        self.opened = time.monotonic()
        self.thread = threading.Thread(target=self.trickle, args=(interval,), daemon=True)
        self.thread.start()

    def trickle(self, interval: float) -> None:
        line = 0
        while not self.stopped.wait(interval):
            line += 1
            for sock in self.socks:
                try:
                    sock.send(f"X-Slow-{line}: a\r\n".encode())
                except OSError:
                    pass  # closed by the server

    def closed_by_server(self, wait: float = 0.0) -> list[bytes | None]:
        """For each connection, what the server sent before closing it, or None while it is open;
        waits up to `wait` seconds for all of them to be closed."""
        answers: dict[socket.socket, bytes] = {sock: b"" for sock in self.socks}
        done: dict[socket.socket, bytes] = {}
        deadline = time.monotonic() + wait
        with selectors.DefaultSelector() as selector:
            for sock in self.socks:
                selector.register(sock, selectors.EVENT_READ)
            while len(done) < len(self.socks):
                events = selector.select(max(0.0, deadline - time.monotonic()))
                if not events:
                    break
                for key, _ in events:
                    sock = key.fileobj
                    try:
                        chunk = sock.recv(65536)
                    except ConnectionResetError:
                        chunk = b""
                    if chunk:
                        answers[sock] += chunk
                    else:
                        done[sock] = answers[sock]
                        selector.unregister(sock)
        return [done.get(sock) for sock in self.socks]

    def close(self) -> None:
        self.stopped.set()
        for sock in self.socks:
            sock.close()


# -- the tests ---------------------------------------------------------------------------------

def test_400_slow_heads_leave_pages_and_sessions_served_until_the_header_timeout_closes_them(server):
    # 300 new connections and 100 kept-alive ones whose second request comes a line at a time.
    slow = SlowClients(server, 400, kept_alive=100)
    try:
        time.sleep(0.3)  # every slow head has reached the server
        pages, hellos = probe(server)
        probed = time.monotonic()
        assert max(pages) < 1.0, f"GET / took {pages} s with 400 slow connections open"
        assert max(hellos) < 1.0, f"hello took {hellos} s with 400 slow connections open"
        assert probed < slow.started + HEADER_TIMEOUT - 0.3  # so the probes ran while all were open
        assert slow.closed_by_server().count(None) == 400, "slow heads closed before the timeout"

        answers = slow.closed_by_server(wait=slow.opened + HEADER_TIMEOUT + 1.5 - time.monotonic())
        assert None not in answers, f"{answers.count(None)} of 400 still open after the header timeout"
        assert all(answer.startswith(b"HTTP/1.1 408 ") for answer in answers), set(answers)
    finally:
        slow.close()


def test_a_kept_alive_connection_serves_request_after_request(server):
    with connect(server) as sock:
        responses = Responses(sock)
        for path in ("/healthz", "/"):
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            status, headers, body = responses.next()
            assert status == 200 and body and headers.get("connection") != "close", (path, headers)
        # Two requests in one packet: the second one's head comes out of the parser's read-ahead.
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * 2)
        assert [responses.next()[0] for _ in range(2)] == [200, 200]
        # A head that arrives in pieces, the blank line split across two of them.
        for piece in (b"GET /healthz HTTP/1.1\r\n", b"Host: 127.0.0.1\r\n\r", b"\n"):
            time.sleep(0.2)
            sock.sendall(piece)
        assert responses.next()[0] == 200


@pytest.mark.parametrize("head, status", [
    (b"GET /" + b"a" * 9000, 414),  # a request line longer than gunicorn's limit, not yet ended
    (b"GET / HTTP/1.1\r\n" + (b"X-Field: " + b"a" * 8000 + b"\r\n") * 110,
     431),  # 880 KB of fields and no end in sight: past gunicorn's 100 fields of 8190 bytes
    (b"GET / HTTP/1.1\nHost: 127.0.0.1\n", 400),  # bare line feeds: it could never end as read
    (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Name: x\r\n\r\n", 400),  # whole: gunicorn's parser judges it
], ids=["request-line", "headers", "bare-lf", "invalid-header"])
def test_a_head_that_cannot_be_served_is_refused_at_once(server, head, status):
    with connect(server) as sock:
        started = time.monotonic()
        try:
            sock.sendall(head)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused while still sending: the answer was sent all the same
        answer, closed = read_to_end(sock, timeout=PROBE_TIMEOUT)
        assert closed and answer.startswith(f"HTTP/1.1 {status} ".encode()), answer[:200]
        assert time.monotonic() - started < 1.0


def test_connections_the_client_never_closes_do_not_stall_the_server(server):
    # HTTP/1.0: each response ends its connection, and the server waits for the client to close
    # its side too; these never do (nor read).
    socks = [connect(server) for _ in range(40)]
    try:
        for sock in socks:
            sock.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
        time.sleep(0.3)
        pages, hellos = probe(server, rounds=2)
        assert max(pages) < 1.0 and max(hellos) < 1.0, (pages, hellos)
    finally:
        for sock in socks:
            sock.close()


def test_a_body_still_arriving_ends_its_connection_instead_of_holding_a_thread(server):
    with connect(server) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\nsome of it")
        status, _, _ = Responses(sock).next()
        started = time.monotonic()
        answer, closed = read_to_end(sock, timeout=PROBE_TIMEOUT)
        assert status == 405 and closed and answer == b"" and time.monotonic() - started < 1.0


def test_one_address_holding_many_slow_heads_loses_its_oldest_not_the_next_client():
    gunicorn = Gunicorn(WORKERS="2", MAX_SESSIONS="60", HEADS_PER_ADDRESS="5")
    slow = None
    try:
        slow = SlowClients(gunicorn, 30)
        answers = slow.closed_by_server(wait=1.0)  # each worker keeps the newest 5 of its own
        closed = [answer for answer in answers if answer is not None]
        assert 20 <= len(closed) <= 25 and answers[-1] is None, [a is not None for a in answers]
        assert all(answer.startswith(b"HTTP/1.1 408 ") for answer in closed)
        # The same address still gets its page and its session (the cap evicts, never refuses).
        pages, hellos = probe(gunicorn, rounds=2)
        assert max(pages) < 1.0 and max(hellos) < 1.0, (pages, hellos)
    finally:
        if slow:
            slow.close()
        gunicorn.stop()


def test_the_page_loads_connects_and_trains_in_a_browser_through_the_worker(server, page):
    page.goto(server.url + "/#seed=0.12345")
    page.wait_for_selector("[data-app][data-connection=open]", timeout=10_000)
    page.wait_for_function("() => Number(document.querySelector('[data-map]').dataset.framesRendered) > 0",
                           timeout=10_000)
    page.reload()  # again over the connections the browser kept alive
    page.wait_for_selector("[data-app][data-connection=open]", timeout=10_000)
    failed = page.evaluate("performance.getEntriesByType('resource').filter(e => e.responseStatus >= 400).length")
    assert failed == 0


@pytest.mark.parametrize("name, value", [("HEADER_TIMEOUT", "soon"), ("HEADS_PER_ADDRESS", "0")])
def test_a_bad_slow_client_setting_stops_gunicorn_with_its_name_and_range(name, value):
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "python:app.gunicorn_conf", "-b", "127.0.0.1:0", "app:create_app()"],
        cwd=ROOT, env={**os.environ, f"PLAYGROUND_{name}": value}, capture_output=True, text=True, timeout=20)
    assert result.returncode != 0
    assert f"PLAYGROUND_{name}: must be a" in result.stderr and f"got {value!r}" in result.stderr
