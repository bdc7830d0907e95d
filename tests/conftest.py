"""Shared fixtures: a real server on a free port, websocket clients for it, and Playwright pointed
at Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from app import create_app, registry_of
from app.devserver import make_dev_server

ROOT = Path(__file__).resolve().parent.parent


class LiveServer:
    """The app served by Werkzeug on 127.0.0.1 and a free port, in a background thread."""

    def __init__(self, config: dict | None = None):
        self.app = create_app({"TESTING": True, **(config or {})})
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


@pytest.fixture(scope="session")
def live_server():
    """One server for the whole session (tests that need their own use LiveServer directly)."""
    server = LiveServer().start()
    yield server
    server.stop()


@pytest.fixture
def app():
    return create_app({"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def connect(live_server):
    """Open websocket clients to the shared server (greeting already read); closed afterwards."""
    yield from clients_of(live_server)


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


def chromium_path() -> str | None:
    """Debian's Chromium (or $CHROMIUM); None lets Playwright use its own download."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and shutil.which(candidate):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = {**browser_type_launch_args,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]}
    path = chromium_path()
    if path:
        args["executable_path"] = path
    return args
