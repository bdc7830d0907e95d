"""Helpers for the deployment tests: students without a browser (plain websocket clients, for tests
that need many sessions at once: a full room, a stop with pages open) and reading /healthz."""

from __future__ import annotations

import json
import struct
import threading
import time
import urllib.request
from typing import Any, Callable

import websocket


class Student:
    """One session: connects, reads the greeting, and can play and wait for messages."""

    def __init__(self, ws_url: str, timeout: float = 10.0):
        self.ws = websocket.create_connection(ws_url, timeout=timeout, enable_multithread=True)
        self.hello = self.next_json()
        self.close_code: int | None = None

    def send(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))

    def next_json(self) -> dict[str, Any] | None:
        """The next text message (binary frames are skipped); None once the server has closed."""
        while True:
            opcode, data = self.ws.recv_data(control_frame=True)
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                self.close_code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else 1005
                self.ws.shutdown()  # as a browser does once the close handshake is done
                return None
            if opcode == websocket.ABNF.OPCODE_TEXT:
                return json.loads(data)

    def next_of(self, kind: str, within: float = 10.0) -> dict[str, Any] | None:
        """The next message of type `kind`; None if the server closed first."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            message = self.next_json()
            if message is None or message.get("type") == kind:
                return message
        raise TimeoutError(f"no {kind!r} message within {within} s")

    def messages_until_closed(self, within: float = 10.0) -> list[dict[str, Any]]:
        """Every text message until the server closes the connection."""
        seen, deadline = [], time.monotonic() + within
        while time.monotonic() < deadline:
            message = self.next_json()
            if message is None:
                return seen
            seen.append(message)
        raise TimeoutError(f"the server did not close within {within} s")

    def keep_reading(self) -> None:
        """Read everything from now on in the background, as a browser does (a client that stops
        reading stalls its session's sends); `goodbye` then tells how the session ended."""
        self._seen: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read_all, daemon=True)
        self._reader.start()

    def _read_all(self) -> None:
        while (message := self.next_json()) is not None:
            self._seen.append(message)

    def goodbye(self, within: float) -> tuple[str | None, int | None]:
        """After keep_reading: the type of the last message and the close code, once closed."""
        self._reader.join(within)
        if self._reader.is_alive():
            raise TimeoutError(f"the server did not close within {within} s")
        return (self._seen[-1]["type"] if self._seen else None), self.close_code

    def close(self) -> None:
        try:
            self.ws.close(timeout=1)
        except (OSError, websocket.WebSocketException):
            pass


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def wait_until(condition: Callable[[], Any], within: float, what: str,
               pause: Callable[[float], Any] = time.sleep) -> Any:
    """Poll `condition` until it returns something true; fail with `what` after `within` seconds.
    Waiting on a Playwright page's events needs `pause=lambda s: page.wait_for_timeout(s * 1000)`:
    its events are only delivered while Playwright is called."""
    deadline = time.monotonic() + within
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {within} s")
        pause(0.1)


def healthy(server_url: str) -> bool:
    """True when /healthz answers 200 (False while the server is down, starting or stopping)."""
    try:
        return get_json(server_url + "/healthz")["status"] == "ok"
    except (OSError, ValueError):
        return False
