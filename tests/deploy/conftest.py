"""Deployment tests: the playground as students meet it, run against a server started elsewhere
(the container in .ci/container-check, nginx in front of two instances in .ci/scale-out-check).

    PLAYGROUND_URL=http://127.0.0.1:8000 .venv/bin/python -m pytest tests/deploy

Nothing here is collected without PLAYGROUND_URL, so `make test` needs no container. The stop and
restart test is collected only when PLAYGROUND_STOP_COMMAND and PLAYGROUND_START_COMMAND say how to
stop and start that server. Chromium is set up by tests/conftest.py.
"""

from __future__ import annotations

import os

import pytest

URL = os.environ.get("PLAYGROUND_URL", "").rstrip("/")

collect_ignore_glob: list[str] = []
if not URL:
    collect_ignore_glob.append("test_*.py")
elif not (os.environ.get("PLAYGROUND_STOP_COMMAND") and os.environ.get("PLAYGROUND_START_COMMAND")):
    collect_ignore_glob.append("test_restart.py")


@pytest.fixture(scope="session")
def server_url() -> str:
    return URL


@pytest.fixture(scope="session")
def ws_url() -> str:
    return URL.replace("http", "ws", 1) + "/ws"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The stop/start test goes last: starting and stopping a container adds and removes network
    interfaces on this host, and Chromium aborts page loads in flight when it sees that
    (net::ERR_NETWORK_CHANGED), which would break the next test's page load, not this one's."""
    items.sort(key=lambda item: item.path.name == "test_restart.py")
