"""Browser-test fixtures: a page opened on the shared live server, and a server of our own on a
fixed port that a test can stop and start again (to check that pages reconnect).

Every test gets a new page, in one browser context that a whole pytest run shares and in which a
page stays open on the server's site: Chromium then starts each new page of that site in the
kept page's renderer process, which has the page's modules compiled already. A page load then
takes about 0.65 s instead of 1.1 s on two cores (CPU, not waiting: the browser tests are
CPU-bound). A new page still has its own sessionStorage (the tab's kept training), listeners,
routes and viewport; localStorage (the lessons' progress) is cleared before each test. A test
that asks for `context` (to grant permissions, or to open a second tab of its own) gets a fresh
context, as pytest-playwright gives it."""

from __future__ import annotations

import socket
import threading

import pytest

from app import create_app, registry_of
from app.devserver import make_dev_server
from playground_page import open_page


@pytest.fixture(scope="session")
def shared_context(browser, browser_context_args, live_server):
    """The context of the session's pages, and the page kept open in it on the server's site."""
    context = browser.new_context(**browser_context_args)
    keeper = context.new_page()
    keeper.goto(f"{live_server.url}/healthz")
    yield context, keeper
    context.close()


@pytest.fixture
def page(request, shared_context):
    """A new page: in the shared context, or in the test's own when it asks for `context`."""
    if "context" in request.fixturenames:
        yield request.getfixturevalue("context").new_page()
        return
    context, keeper = shared_context
    keeper.evaluate("() => localStorage.clear()")
    context.clear_cookies()
    page = context.new_page()
    yield page
    page.close()


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
