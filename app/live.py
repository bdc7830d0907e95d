"""The websocket endpoint `/ws`: admits a connection (or says the room is full), then hands it to
its own `Session` until the tab closes or the server shuts down."""

from __future__ import annotations

import logging
import socket
from typing import Any

from flask import Blueprint, current_app, request
from flask_sock import Sock
from simple_websocket import ConnectionClosed

from . import compression, protocol
from .registry import Registry
from .session import Limits, Session

bp = Blueprint("live", __name__)
bp.before_request(compression.decline_if_off)
sock = Sock()
log = logging.getLogger(__name__)

WEBSOCKET = "playground.websocket"  # environ key read by devserver.EndWebsocketResponses
CLOSE_WAIT = 0.5  # seconds to wait for the client's answer to our close frame
USER_TIMEOUT_MS = 30_000  # unacknowledged data for this long ends the connection


@sock.route("/ws", bp=bp)
def websocket(ws: Any) -> None:
    """One connection, one session: the session's whole life runs on this thread."""
    request.environ[WEBSOCKET] = ws
    tune(ws.sock)
    registry: Registry = current_app.extensions["playground"]
    limits: Limits = current_app.config["PLAYGROUND_LIMITS"]
    if not registry.admit():
        refuse(ws, limits, registry.shutting_down.is_set())
        finish(ws)
        return
    try:
        Session(ws, limits, registry.shutting_down, registry.turns).serve()
    except (ConnectionClosed, ConnectionError):  # the tab went away (a broken pipe, a reset)
        pass
    except Exception:  # a bug ends this session only; the page reconnects
        log.exception("session failed")
        close(ws, 1011, "internal error")
    finally:
        finish(ws)
        registry.leave()


def refuse(ws: Any, limits: Limits, shutting_down: bool) -> None:
    """The room is full (close 1013, try again later), or the server is going away (1001)."""
    try:
        ws.send(protocol.hello(limits.public()))
        if shutting_down:
            ws.send(protocol.closing("server shutting down"))
        else:
            ws.send(protocol.error([("server", f"full; it already has its {limits.max_sessions} sessions, "
                                               "try again in a moment")], code="full"))
    except (ConnectionClosed, ConnectionError):
        return
    close(ws, 1001 if shutting_down else 1013, "server shutting down" if shutting_down else "server full")


def close(ws: Any, code: int, reason: str) -> None:
    try:
        ws.close(reason=code, message=reason)
    except ConnectionClosed:
        pass


def finish(ws: Any) -> None:
    """End simple-websocket's reader thread now: it waits for the client's answer to our close
    frame, and would otherwise sit on a socket the server has closed until its next ping."""
    ws.thread.join(timeout=CLOSE_WAIT)
    if ws.thread.is_alive():
        try:
            ws.sock.shutdown(socket.SHUT_RDWR)  # wakes the reader with end-of-file
        except OSError:
            pass
        ws.thread.join(timeout=CLOSE_WAIT)


def tune(sock: socket.socket) -> None:
    """Send each message at once (with Nagle's algorithm the tail of a frame that follows its
    `metrics` message waits for the client's delayed ACK, up to 40 ms), and give up on a client
    that acknowledges nothing for 30 s (a laptop closed mid-frame would otherwise hold its
    session, blocked in a send, for the quarter of an hour TCP retries last)."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if hasattr(socket, "TCP_USER_TIMEOUT"):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, USER_TIMEOUT_MS)
    except OSError:  # not TCP (a unix socket behind a proxy)
        pass
