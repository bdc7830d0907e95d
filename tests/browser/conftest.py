"""Browser-test fixtures: a page opened on the shared live server, and a server of our own on a
fixed port that a test can stop and start again (to check that pages reconnect)."""

from __future__ import annotations

import socket
import threading

import pytest

from app import create_app, registry_of
from app.devserver import make_dev_server
from playground_page import open_page


@pytest.fixture
def playground(page, live_server):
    """open(hash) loads the page on the shared server and waits until it is live (no hash: the
    default setup with the default seed; "": a fresh tab, which gets a random seed)."""
    def open_(hash_: str | None = None):
        return open_page(page, live_server.url, hash_)
    return open_


@pytest.fixture
def modules(page, live_server):
    """The page on the shared server, for tests that import its pure modules in the browser."""
    open_page(page, live_server.url)
    return page


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RestartableServer:
    """The app on one fixed port; `stop()` then `start()` is a server restart as a page sees it."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.server = None

    def start(self) -> "RestartableServer":
        self.app = create_app({"TESTING": True})
        self.server = make_dev_server(self.app, "127.0.0.1", self.port)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is None:
            return
        registry_of(self.app).shut_down(wait=2.0)  # open pages hear "closing", then 1001
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        self.server = None


@pytest.fixture
def restartable_server():
    server = RestartableServer(free_port()).start()
    yield server
    server.stop()
