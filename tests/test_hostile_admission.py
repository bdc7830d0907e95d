"""Issue 10, item 4: no web page and no single client may take the class's seats. A websocket
handshake whose Origin is neither the page's own (the scheme, host and port of the request's Host)
nor listed in PLAYGROUND_ALLOWED_ORIGINS is refused with 403 before any upgrade; one without an
Origin (not a browser) is let in. One client address holds at most PLAYGROUND_SESSIONS_PER_ADDRESS
sessions (default 10) across all workers, a setting a class behind one NAT address can raise,
while PLAYGROUND_MAX_SESSIONS still caps the total. Before the fix one client took 100 of 100
seats and `Origin: http://evil.example` was accepted."""

from __future__ import annotations

import contextlib

import pytest

from hostile import goodbye, greeting, gunicorn, kinds, load, port_of, request, upgrade_lines

ALLOWED = "https://course.example,http://lms.example:8080"


@pytest.fixture(scope="module")
def server():
    with gunicorn(max_sessions=40, ALLOWED_ORIGINS=ALLOWED) as running:
        yield running


def handshake(server, **headers: str | None):
    reply = request(port_of(server), upgrade_lines(port_of(server), **headers))
    reply.sock.close()
    return reply


@pytest.mark.parametrize("origin", [
    "http://evil.example",
    "null",  # a sandboxed frame or a file:// page
    "http://127.0.0.1:1",  # the server's host on another port
    "http://127.0.0.1.evil.example",  # the page's host as a prefix
    "https://course.example.evil.example",
    "http://course.example",  # an allowed host under another scheme
])
def test_a_handshake_from_a_foreign_origin_is_refused_with_403_before_any_upgrade(server, origin):
    reply = handshake(server, Origin=origin)
    assert reply.status == 403, f"Origin {origin}: {reply.head.splitlines()[0] if reply.head else 'no answer'}"
    assert reply.header("Upgrade") is None


def test_a_foreign_origin_takes_no_seat(server):
    """Refused handshakes hold nothing: as many of them as there are seats, then a page still gets in."""
    for _ in range(45):
        assert handshake(server, Origin="http://evil.example").status == 403
    session = load.connect(server.ws_url, deflate=False)
    try:
        assert kinds(greeting(session)) == ["hello", "state", "data", "metrics", "frame"]
    finally:
        goodbye(session)


@pytest.mark.parametrize("origin", [None, "own", "https://course.example", "http://lms.example:8080"])
def test_the_pages_own_origin_an_allowed_one_or_none_gets_a_session(server, origin):
    own = server.url  # http://127.0.0.1:PORT, the scheme, host and port of the Host header
    headers = {} if origin is None else {"Origin": own if origin == "own" else origin}
    session = load.connect(server.ws_url, deflate=False, headers=headers)
    try:
        assert kinds(greeting(session)) == ["hello", "state", "data", "metrics", "frame"]
    finally:
        goodbye(session)


def test_the_pages_own_origin_follows_the_host_it_was_asked_for(server):
    """Served as localhost, the page's origin is http://localhost:PORT (and 127.0.0.1 is another)."""
    port = port_of(server)
    reply = handshake(server, Host=f"localhost:{port}", Origin=f"http://localhost:{port}")
    assert reply.status == 101, reply.head
    assert handshake(server, Host=f"localhost:{port}", Origin=f"http://127.0.0.1:{port}").status == 403


@contextlib.contextmanager
def sessions(server, count: int, source: str = "127.0.0.1"):
    """`count` admitted sessions from one client address, closed afterwards."""
    opened = []
    try:
        for _ in range(count):
            session = load.connect(server.ws_url, deflate=False, source=source)
            opened.append(session)
            got = kinds(greeting(session))
            assert got == ["hello", "state", "data", "metrics", "frame"], f"session {len(opened)} from {source}: {got}"
        yield opened
    finally:
        for session in opened:
            goodbye(session)


def refused(server, source: str = "127.0.0.1") -> dict:
    """Open one more session from `source`, expecting hello, an `error` with code `full`, then a close
    with 1013; returns that error."""
    session = load.connect(server.ws_url, deflate=False, source=source)
    try:
        got = greeting(session)
    finally:
        goodbye(session)
    assert kinds(got)[:2] == ["hello", "error"] and got[-1] == 1013, f"from {source}: {kinds(got)}"
    assert got[1]["code"] == "full"
    return got[1]


def test_one_address_holds_at_most_ten_sessions_across_all_workers_and_others_still_get_in():
    with gunicorn(max_sessions=40) as server, sessions(server, 10):
        for _ in range(4):  # each lands on either worker: every one must be refused
            error = refused(server)
            text = " ".join(error["errors"])
            assert "10" in text and "address" in text.lower(), f"the error must name the per-address limit: {text}"
        with sessions(server, 2, source="127.0.0.2"):  # another address is another client
            pass


def test_a_class_behind_one_address_raises_the_limit_and_max_sessions_still_caps_the_total():
    with gunicorn(max_sessions=14, SESSIONS_PER_ADDRESS=12) as server, sessions(server, 12):
        refused(server)  # the 13th from the same address
        with sessions(server, 2, source="127.0.0.2"):  # 14 in all: the server is full
            refused(server, source="127.0.0.3")
