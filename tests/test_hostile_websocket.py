"""Issue 10, item 6 (the websocket layer's part): malformed handshakes get 400 or 426, never 500,
and a message that never finishes, sent as 1-byte fragments, does not keep a core busy (the server
closes the connection with 1009 or 1008 within 64 fragments of one message, or reads it at the rate
limit). Black-box against gunicorn: requests on the wire, the server's CPU from /proc."""

from __future__ import annotations

import time

import pytest

from hostile import (Classroom, Fragmenter, goodbye, greeting, gunicorn, kinds, load, port_of, request, server_cpu,
                     upgrade_lines)

MAX_CORE_SHARE = 0.20


@pytest.fixture(scope="module")
def server():
    with gunicorn() as running:
        yield running


def test_a_get_without_upgrade_websocket_is_answered_426(server):
    port = port_of(server)
    for lines in (["GET /ws HTTP/1.1", f"Host: 127.0.0.1:{port}"],  # a plain page request
                  upgrade_lines(port, Upgrade="h2c")):
        reply = request(port, lines)
        reply.sock.close()
        assert reply.status == 426, f"{lines}: {reply.head.splitlines()[:1]}"


@pytest.mark.parametrize("key", [None, "", "abc", "dGhlIHNhbXBsZSBub25jZQ", "AAAAAAAAAAAAAAAAAAAA",
                                 "!!!!!!!!!!!!!!!!!!!!!!==", "dGhlIHNhbXBsZSBub25jZSBtb3Jl"])
def test_a_missing_or_malformed_key_is_answered_400(server, key):
    """The key must be base64 of 16 bytes (RFC 6455, 4.2.1): 24 characters ending in ==."""
    reply = request(port_of(server), upgrade_lines(port_of(server), Sec_WebSocket_Key=key))
    reply.sock.close()
    assert reply.status == 400, f"key {key!r}: {reply.head.splitlines()[:1]}"


@pytest.mark.parametrize("version", [None, "8", "12", "14", "x"])
def test_a_version_other_than_13_is_answered_400_or_426_naming_13(server, version):
    reply = request(port_of(server), upgrade_lines(port_of(server), Sec_WebSocket_Version=version))
    reply.sock.close()
    assert reply.status == 400 or (reply.status == 426 and reply.header("Sec-WebSocket-Version") == "13"), \
        f"version {version!r}: {reply.head.splitlines()[:1]}, Sec-WebSocket-Version {reply.header('Sec-WebSocket-Version')}"


def test_an_upgrade_without_connection_upgrade_is_refused_but_not_with_500(server):
    reply = request(port_of(server), upgrade_lines(port_of(server), Connection="keep-alive"))
    reply.sock.close()
    assert reply.status in (400, 426), reply.head.splitlines()[:1]


def test_after_malformed_handshakes_the_server_still_opens_sessions(server):
    port = port_of(server)
    for override in ({"Sec_WebSocket_Key": None}, {"Sec_WebSocket_Version": "8"}, {"Sec_WebSocket_Key": "abc"}):
        request(port, upgrade_lines(port, **override)).sock.close()
    session = load.connect(server.ws_url, deflate=False)
    try:
        assert kinds(greeting(session)) == ["hello", "state", "data", "metrics", "frame"]
    finally:
        goodbye(session)


def test_a_message_that_never_finishes_in_1_byte_fragments_does_not_keep_a_core_busy(server):
    """Before the fix a core stayed busy: every fragment was parsed on its own, and the message
    could grow to 16 × MAX_MESSAGE_BYTES before anything stopped it."""
    room = Classroom(server, ordinary=0)
    try:
        tab = room.add(Fragmenter(server.ws_url))
        room.pump(0.5)
        cpu, started = server_cpu(server), time.monotonic()
        room.pump(3.0)
        share = (server_cpu(server) - cpu) / (time.monotonic() - started)
    finally:
        room.close()
    figures = (f"server CPU {share:.0%} of a core over 3 s; {tab.fragments_sent} fragments sent; closed "
               + (f"after {tab.closed_at - tab.opened:.2f} s with {tab.code}" if tab.closed_at else "no"))
    if tab.closed_at is not None:
        assert tab.code in (1008, 1009), f"the server must close with 1009 or 1008: {figures}"
    assert share < MAX_CORE_SHARE, f"the fragments kept a core busy: {figures}"
