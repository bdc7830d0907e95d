"""Serving with Werkzeug for development and tests, with its websocket bug handled: after a
websocket handler returns, Werkzeug 3.1 writes an HTTP response onto the upgraded socket (browsers
then report "Invalid frame header" and lose the last frames). `EndWebsocketResponses` stops it.
"""

from __future__ import annotations

import signal
import socket
import threading
from typing import Any, Callable, Iterable

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from .live import WEBSOCKET


class EndWebsocketResponses:
    """WSGI middleware: once a websocket has ended (app/live.py has waited for the client's close
    frame), shut the socket down and tell Werkzeug the connection is gone (ConnectionAbortedError,
    which it treats as a dropped client), so it neither writes a response nor waits for another
    request on the socket."""

    def __init__(self, app: Callable[..., Iterable[bytes]]):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        response = self.app(environ, start_response)
        ws, raw = environ.get(WEBSOCKET), environ.get("werkzeug.socket")
        if ws is None or raw is None:
            return response
        if hasattr(response, "close"):
            response.close()
        try:
            raw.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        raise ConnectionAbortedError("websocket ended")


def make_dev_server(app: Flask, host: str, port: int) -> BaseWSGIServer:
    """A threaded Werkzeug server (port 0 picks a free one)."""
    return make_server(host, port, app, threaded=True)


def serve(app: Flask, host: str, port: int, grace: float = 2.0) -> None:
    """Serve until Ctrl-C or SIGTERM, then tell open pages the server is going away."""
    server = make_dev_server(app, host, port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f" * Playground (development server) on http://{host}:{server.server_port}/  Ctrl-C stops it")
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    app.extensions["playground"].shut_down(wait=grace)
    server.shutdown()
    server.server_close()
