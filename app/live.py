"""The websocket endpoint `/ws`: checks the handshake (a websocket upgrade, from the page's own
origin or an allowed one), admits the connection if a seat is free (for the server and for the
client's address), then reads the tab's messages on this thread while the process's compute
thread does the session's work (app/scheduler.py), until the tab closes or the server shuts down.
"""

from __future__ import annotations

import logging
import socket
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, request

from . import protocol, settings, websocket
from .registry import Registry
from .session import Limits, Session

bp = Blueprint("live", __name__)
log = logging.getLogger(__name__)

WEBSOCKET = "playground.websocket"  # environ key read by devserver.EndWebsocketResponses
USER_TIMEOUT_MS = 30_000  # unacknowledged data for this long ends the connection


@bp.route("/ws", websocket=True)
@bp.route("/ws", endpoint="not_websocket")  # a plain request here is answered 426 (check_handshake)
def websocket_route() -> Response:
    """One connection, one session; this thread reads its messages for its whole life."""
    config = current_app.config
    refused = foreign_origin(request.headers.get("Origin"), request.host, config["ALLOWED_ORIGINS"])
    if refused:
        return Response(refused + "\n", status=403, mimetype="text/plain")
    try:
        accept, deflate = websocket.check_handshake(request.environ, compress=config["COMPRESSION_LEVEL"] > 0)
    except websocket.HandshakeError as bad:
        return Response(bad.message + "\n", status=bad.status, headers=bad.headers, mimetype="text/plain")
    raw = request.environ.get("gunicorn.socket") or request.environ.get("werkzeug.socket")
    if raw is None:
        return Response("websockets need gunicorn or the development server\n", status=501, mimetype="text/plain")
    request.environ[WEBSOCKET] = True
    tune(raw)
    raw.sendall(websocket.handshake_response(accept, deflate))
    limits: Limits = config["PLAYGROUND_LIMITS"]
    connection = websocket.Connection(
        raw, deflate, hard_limit=limits.max_message_bytes * settings.HARD_LIMIT_FACTOR,
        rate=float(config["MESSAGES_PER_SECOND"]), ping_interval=config["PING_INTERVAL"] or None,
        send_timeout=limits.send_timeout, level=int(config["COMPRESSION_LEVEL"]) or 1)
    registry: Registry = current_app.extensions["playground"]
    serve(connection, registry, limits, request.remote_addr or "")
    return Ended()


def serve(connection: websocket.Connection, registry: Registry, limits: Limits, address: str) -> None:
    """Admit, run the session until the tab goes, and give the seat back."""
    refusal = registry.admit(address)
    if refusal is not None:
        refuse(connection, limits, refusal, registry)
        connection.read(lambda message: None)
        return
    session = Session(connection, limits, registry.shutting_down, wake=registry.scheduler.wake)
    registry.scheduler.add(session)
    try:
        connection.read(session.deliver)
    finally:
        session.end()
        registry.scheduler.remove(session)
        session.run.release()
        connection.close(websocket.NORMAL)
        registry.leave(address)


def refuse(connection: websocket.Connection, limits: Limits, refusal: str, registry: Registry) -> None:
    """The room is full (close 1013, try again later), or the server is going away (1001)."""
    try:
        connection.send([protocol.hello(limits.public())])
        if refusal == "closing":
            connection.send([protocol.closing("server shutting down")])
            connection.close(websocket.GOING_AWAY, "server shutting down")
            return
        if refusal == "address":
            problem = ("address", f"this address already holds {registry.seats.per_address} sessions, the most "
                                  "one address may (PLAYGROUND_SESSIONS_PER_ADDRESS); close a tab, or try again "
                                  "in a moment")
        else:
            problem = ("server", f"full; it already has its {limits.max_sessions} sessions, try again in a moment")
        connection.send([protocol.error([problem], code="full")])
        connection.close(websocket.TRY_LATER, "server full")
    except websocket.ConnectionClosed:
        pass


def foreign_origin(origin: str | None, host: str, allowed: str) -> str | None:
    """Why a handshake from a page at `origin` is refused, or None. No Origin: not a browser (a
    browser always sends one), allowed. The page's own host, or an allowed origin: allowed."""
    if origin is None:
        return None
    listed = [o.strip().rstrip("/").lower() for o in allowed.split(",") if o.strip()]
    if "*" in listed or origin.rstrip("/").lower() in listed:
        return None
    if urlsplit(origin).netloc.lower() == host.lower():
        return None
    return (f"Origin {origin[:100]!r} may not open sessions here: only pages of this server, or of "
            "PLAYGROUND_ALLOWED_ORIGINS, may")


class Ended(Response):
    """What the route returns once the websocket has ended: nothing more goes on the socket. Under
    gunicorn, StopIteration makes it close the connection without writing a response; under
    Werkzeug, devserver.EndWebsocketResponses does the same."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if "gunicorn.socket" in environ:
            raise StopIteration()
        return super().__call__(environ, start_response)


def tune(sock: socket.socket) -> None:
    """Send each message at once (with Nagle's algorithm the tail of a frame that follows its
    `metrics` message waits for the client's delayed ACK, up to 40 ms), and give up on a client
    that acknowledges nothing for 30 s (a laptop closed mid-frame would otherwise hold its
    session for the quarter of an hour TCP retries last)."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if hasattr(socket, "TCP_USER_TIMEOUT"):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, USER_TIMEOUT_MS)
    except OSError:  # not TCP (a unix socket behind a proxy)
        pass
