"""Servers for tests: the app on Werkzeug in a background thread on a free port, production
gunicorn in a subprocess on a free port, and websocket clients bound to one. (Test modules import
these from here, not from conftest: several conftest modules exist and share that name.)"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from app import create_app, registry_of
from app.devserver import make_dev_server

ROOT = Path(__file__).resolve().parent.parent


class LiveServer:
    """The app served by Werkzeug on 127.0.0.1 and a free port, in a background thread."""

    def __init__(self, config: dict | None = None):
        # Every test client comes from 127.0.0.1: the per-address cap is tested where it is set.
        self.app = create_app({"TESTING": True, "SESSIONS_PER_ADDRESS": 1000, **(config or {})})
        self.server = make_dev_server(self.app, "127.0.0.1", 0)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def registry(self):
        return registry_of(self.app)

    def start(self) -> "LiveServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        """Say goodbye to open sessions, then stop serving."""
        self.registry.shut_down(wait=2.0)
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Gunicorn:
    """`gunicorn -c python:app.gunicorn_conf "app:create_app()"` on a socket bound to a free
    loopback port, with `PLAYGROUND_<NAME>` settings; `stop()` returns its log."""

    def __init__(self, **settings: str):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1024)
        self.port = self.listener.getsockname()[1]
        self.url, self.ws_url = f"http://127.0.0.1:{self.port}", f"ws://127.0.0.1:{self.port}/ws"
        env = {**os.environ, **{f"PLAYGROUND_{k}": v for k, v in settings.items()}}
        fd = self.listener.fileno()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:app.gunicorn_conf", "-b", f"fd://{fd}",
             "app:create_app()"], cwd=ROOT, env=env, pass_fds=[fd],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.wait_healthy()

    def health(self) -> dict:
        with urllib.request.urlopen(self.url + "/healthz", timeout=5) as response:
            return json.loads(response.read())

    def wait_healthy(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.health()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = self.stop()
                    raise AssertionError("gunicorn did not start:\n" + log) from None
                time.sleep(0.05)

    def workers(self) -> list[int]:
        """The worker processes' pids."""
        children = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as stat:
                        parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
                if parent == self.process.pid:
                    children.append(int(entry))
        return sorted(children)

    def connections_per_worker(self) -> list[int]:
        """Established connections to the server that each worker holds (its sessions, when no
        page request is under way), in the order of workers()."""
        established = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as lines:
                for line in list(lines)[1:]:
                    fields = line.split()
                    if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == self.port:
                        established.add(f"socket:[{fields[9]}]")
        counts = []
        for pid in self.workers():
            links = []
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    links.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
                except OSError:
                    pass
            counts.append(sum(link in established for link in links))
        return counts

    def stop(self) -> str:
        """SIGTERM, wait for the exit, and return the log."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=15)
        self.listener.close()
        return self.process.stdout.read()


def strict_clients_of(server: LiveServer):
    """As clients_of, with ws_client.StrictClient: every text message parsed strictly (no NaN, no
    Infinity), and at least the greeting's four read by the end."""
    from ws_client import StrictClient
    opened: list[StrictClient] = []

    def open_client() -> StrictClient:
        opened.append(StrictClient(server.ws_url))
        return opened[-1]

    yield open_client
    for client in opened:
        assert client.ws.texts >= 4  # hello, state, data, metrics at least: all parsed strictly
        client.close()


def clients_of(server: LiveServer):
    """A `connect(greet=True)` function for this server; its clients are closed afterwards."""
    from ws_client import Client
    opened: list[Client] = []

    def open_client(greet: bool = True) -> Client:
        client = Client(server.ws_url, greet=greet)
        opened.append(client)
        return client

    yield open_client
    for client in opened:
        client.close()
