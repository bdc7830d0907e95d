"""Shared fixtures: a real server on a free port, websocket clients for it, and Playwright pointed
at Debian's Chromium."""

from __future__ import annotations

import os
import shutil

import pytest

from app import create_app
from servers import LiveServer, clients_of


@pytest.fixture(scope="session")
def live_server():
    """One server for the whole session (tests that need their own use LiveServer directly)."""
    server = LiveServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def steady_server():
    """A server of the module's own whose frame budget never cuts a frame short, so epoch counts
    are exact even on a busy machine (the budget itself is tested with its own server)."""
    with LiveServer({"FRAME_BUDGET_MS": 2000}) as server:
        yield server


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
