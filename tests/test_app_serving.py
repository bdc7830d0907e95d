"""Serving: `playground serve` (Werkzeug) and production gunicorn with app/gunicorn_conf.py run
sessions, the cap holds across all gunicorn workers, and on SIGTERM both tell every page they are
going away and exit promptly."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from servers import ROOT, Gunicorn
from ws_client import Client, wait_until



@pytest.fixture(scope="module")
def gunicorn():
    server = Gunicorn(MAX_SESSIONS="3", WORKERS="2")
    yield server
    server.stop()


def test_a_session_trains_under_gunicorn(gunicorn):
    c = Client(gunicorn.ws_url)
    try:
        c.send("step", epochs=4)
        # A busy machine may train a step in slices, with progress frames before the last.
        assert c.until_frame(lambda f: f.epoch >= 4).epoch == 4
    finally:
        c.close()
    wait_until(lambda: gunicorn.health()["seats_taken"] == 0)


def test_the_session_cap_holds_across_all_workers(gunicorn):
    admitted = [Client(gunicorn.ws_url) for _ in range(3)]
    try:
        for _ in range(4):  # each lands on either worker: every one must be refused
            refused = Client(gunicorn.ws_url, greet=False)
            refused.expect("hello")
            assert refused.expect("error")["code"] == "full" and refused.closed().code == 1013
        assert all(gunicorn.health()["seats_taken"] == 3 for _ in range(4))
    finally:
        for c in admitted:
            c.close()
    wait_until(lambda: gunicorn.health()["seats_taken"] == 0)


def test_sigterm_says_goodbye_to_every_page_and_exits_promptly():
    server = Gunicorn(WORKERS="2")
    clients = [Client(server.ws_url) for _ in range(4)]
    clients[0].send("play")
    clients[0].until_frame(lambda f: f.epoch >= 2)
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    for c in clients:
        assert c.until_type("closing", timeout=2)["reason"] == "server shutting down"
        assert c.closed(timeout=2).code == 1001
    assert time.monotonic() - started < 1.0
    log = server.stop()
    assert time.monotonic() - started < 4.0 and server.process.returncode == 0
    assert "SIGKILL" not in log


def test_a_worker_says_goodbye_at_once_whichever_of_its_threads_the_signal_reaches():
    """The kernel gives a process's signal to any of its threads; Python handles it on the main
    thread, which sat in the worker's event loop for up to a second unless woken."""
    server = Gunicorn(WORKERS="1")
    try:
        for _ in range(3):
            clients = [Client(server.ws_url) for _ in range(2)]
            clients[0].send("play")
            clients[0].until_frame(lambda f: f.epoch >= 2)
            worker = server.workers()[0]
            other = next(int(t) for t in sorted(os.listdir(f"/proc/{worker}/task")) if int(t) != worker)
            started = time.monotonic()
            os.kill(other, signal.SIGTERM)  # given to that thread first (Linux: it does not block it)
            for c in clients:
                assert c.until_type("closing", timeout=2)["reason"] == "server shutting down"
            assert time.monotonic() - started < 0.3
            wait_until(lambda: [w for w in server.workers() if w != worker] and worker not in server.workers(),
                       timeout=10)  # gunicorn has started another worker
            server.wait_healthy()
    finally:
        server.stop()


def test_tabs_closing_every_way_leave_no_tracebacks_in_the_log():
    """An expected disconnect is not an error: no traceback, no "Bad file descriptor" (before,
    a playing tab's close frame sometimes came while its session was sending)."""
    server = Gunicorn(WORKERS="2", SESSIONS_PER_ADDRESS="100")
    try:
        for round_ in range(6):
            clients = [Client(server.ws_url) for _ in range(20)]
            for c in clients:
                c.send("play")
            time.sleep(0.3)
            for i, c in enumerate(clients):
                if i % 4 == 3:
                    c.ws.sock.shutdown(socket.SHUT_RDWR)  # vanished mid-frame, as a crashed tab
                    c.ws.sock.close()
                else:
                    c.close()  # a close frame, as a tab that is closed
            wait_until(lambda: server.health()["seats_taken"] == 0, timeout=10)
    finally:
        log = server.stop()
    assert "Traceback" not in log and "Bad file descriptor" not in log and "[ERROR]" not in log, log[-3000:]


def test_sessions_are_shared_out_evenly_among_the_workers():
    """Each worker computes on one core, so a worker with more sessions gives each fewer frames;
    which worker accepts a connection is a race, which a worker ahead by two leaves to the others
    (app/gworker.py). Without it, 100 sessions came to 58 and 46."""
    server = Gunicorn(WORKERS="3", SESSIONS_PER_ADDRESS="100")
    clients = []
    try:
        for _ in range(36):
            clients.append(Client(server.ws_url))  # admitted: it has its hello
            clients[-1].send("play")  # busy workers, as in a class
        wait_until(lambda: sum(server.connections_per_worker()) == 36)
        counts = server.connections_per_worker()
        assert len(counts) == 3 and max(counts) - min(counts) <= 2, counts
    finally:
        for c in clients:
            c.close()
        server.stop()


def test_a_worker_ahead_still_accepts_when_the_others_do_not():
    server = Gunicorn(WORKERS="2", SESSIONS_PER_ADDRESS="100")
    clients = [Client(server.ws_url) for _ in range(6)]
    wait_until(lambda: sum(server.connections_per_worker()) == 6)
    before = server.connections_per_worker()
    stuck = server.workers()[1]
    os.kill(stuck, signal.SIGSTOP)  # a worker that takes no connection (hung, or too busy)
    try:
        for _ in range(6):  # the other gets ahead by 2, 3, ...: it waits a moment, then takes them
            started = time.monotonic()
            clients.append(Client(server.ws_url, timeout=5))
            assert time.monotonic() - started < 1.0
        assert server.connections_per_worker() == [before[0] + 6, before[1]]
    finally:
        os.kill(stuck, signal.SIGCONT)
        for c in clients:
            c.close()
        server.stop()


def start_command(*args: str) -> tuple[subprocess.Popen, str]:
    """Run `playground serve ...` and return it with the address it says it listens on."""
    process = subprocess.Popen([sys.executable, "-c", "from app.cli import main; main()", "serve", *args],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in process.stdout:
        if found := re.search(r"(?:on|Listening at:) (http://[\d.]+:\d+)", line):
            return process, found.group(1)
    raise AssertionError(f"no address announced; exit code {process.wait()}")


@pytest.mark.parametrize("args", [("--port", "0"), ("--production", "--host", "127.0.0.1", "--port", "0",
                                                     "--workers", "1")], ids=["development", "production"])
def test_playground_serve_answers_and_says_goodbye_on_sigterm(args):
    process, url = start_command(*args)
    try:
        c = Client(url.replace("http", "ws") + "/ws")
        assert c.answer("step")[-1].epoch == 1
        process.send_signal(signal.SIGTERM)
        assert c.until_type("closing", timeout=3) and c.closed(timeout=3).code == 1001
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
