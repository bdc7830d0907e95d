"""Servers for tests: the app on Werkzeug in a background thread on a free port, and websocket
clients bound to one. (Test modules import these from here, not from conftest: several conftest
modules exist and share that name.)"""

from __future__ import annotations

import threading

from app import create_app, registry_of
from app.devserver import make_dev_server


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
