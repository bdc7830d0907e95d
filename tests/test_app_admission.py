"""Who may open a session: pages of this server (or of PLAYGROUND_ALLOWED_ORIGINS) but no other
site, and at most PLAYGROUND_SESSIONS_PER_ADDRESS sessions from one client address."""

from __future__ import annotations

import base64
import os
import socket

import pytest

from servers import LiveServer
from ws_client import Client, wait_until


def handshake(port: int, origin: str | None, host: str | None = None, extra: str = "") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /ws HTTP/1.1\r\nHost: {host or f'127.0.0.1:{port}'}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extra}"
                  + (f"Origin: {origin}\r\n" if origin else "") + "\r\n").encode())
    return sock


def handshake_status(port: int, origin: str | None, host: str | None = None, extra: str = "") -> int:
    sock = handshake(port, origin, host, extra)
    head = sock.recv(4096).split(b"\r\n")[0]
    sock.close()
    return int(head.split()[1])


@pytest.fixture(scope="module")
def server():
    with LiveServer({"ALLOWED_ORIGINS": "https://course.example.org, http://localhost:9999"}) as live:
        yield live


def test_a_page_of_another_site_cannot_open_a_session(server):
    assert handshake_status(server.port, "http://evil.example") == 403
    assert handshake_status(server.port, f"http://127.0.0.1:{server.port + 1}") == 403  # another port
    assert handshake_status(server.port, "null") == 403  # a sandboxed frame or a file


def test_the_pages_own_origin_an_allowed_one_and_no_origin_may(server):
    assert handshake_status(server.port, f"http://127.0.0.1:{server.port}") == 101
    assert handshake_status(server.port, "https://course.example.org") == 101
    assert handshake_status(server.port, "http://localhost:9999/") == 101
    assert handshake_status(server.port, None) == 101  # not a browser: a script, a test, a notebook


def test_the_refusal_says_which_origin_and_how_to_allow_it(server):
    import urllib.error
    import urllib.request
    request = urllib.request.Request(server.url + "/ws", headers={
        "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(), "Origin": "http://evil.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    text = refused.value.read().decode()
    assert refused.value.code == 403 and "evil.example" in text and "PLAYGROUND_ALLOWED_ORIGINS" in text


def test_one_address_gets_at_most_its_sessions_and_a_seat_frees_when_one_closes():
    with LiveServer({"SESSIONS_PER_ADDRESS": 3, "MAX_SESSIONS": 50}) as server:
        held = [Client(server.ws_url) for _ in range(3)]
        extra = Client(server.ws_url, greet=False)
        extra.expect("hello")
        error = extra.expect("error")
        assert error["code"] == "full" and error["fields"] == ["address"] and "3 sessions" in error["errors"][0]
        assert "PLAYGROUND_SESSIONS_PER_ADDRESS" in error["errors"][0]
        assert extra.closed().code == 1013
        held.pop().close()
        wait_until(lambda: server.registry.live == 2)
        again = Client(server.ws_url)
        assert again.state["epoch"] == 0
        for c in held + [again]:
            c.close()


def test_behind_a_trusted_proxy_the_forwarded_host_and_client_count():
    with LiveServer({"TRUSTED_PROXIES": 1, "SESSIONS_PER_ADDRESS": 1}) as server:
        # The proxy talks to the server as "backend"; the page is on public.example:8080.
        forwarded = "X-Forwarded-Host: public.example:8080\r\nX-Forwarded-For: {}\r\n"
        page = "http://public.example:8080"
        assert handshake_status(server.port, page, "backend", forwarded.format("10.0.0.5")) == 101
        assert handshake_status(server.port, "http://evil.example", "backend", forwarded.format("10.0.0.5")) == 403
        wait_until(lambda: server.registry.live == 0)  # the first handshake's session has ended
        # One seat per student address: a second student behind the same proxy still gets in.
        first = handshake(server.port, page, "backend", forwarded.format("10.0.0.5"))
        assert first.recv(4096).startswith(b"HTTP/1.1 101")
        wait_until(lambda: server.registry.live == 1)
        second = handshake(server.port, page, "backend", forwarded.format("10.0.0.6"))
        assert second.recv(4096).startswith(b"HTTP/1.1 101")
        wait_until(lambda: server.registry.live == 2)
        for sock in (first, second):
            sock.close()
