"""Stopping the server in the middle of a lesson: it ends within a few seconds, every open page is
told the server is going away, and when the server is back the pages reconnect by themselves with
each student's settings. Collected only when PLAYGROUND_STOP_COMMAND and PLAYGROUND_START_COMMAND
say how to stop and start the server (for example `podman stop -t 10 NAME`, `podman start NAME`)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time

from classroom import Student, healthy, wait_until

STOP_WITHIN_S = 5.0
SETTINGS = {"dataset": "xor", "activation": "relu"}


def run(command_variable: str) -> float:
    """Run the command named by the environment variable; returns how long it took."""
    started = time.monotonic()
    subprocess.run(shlex.split(os.environ[command_variable]), check=True, timeout=60,
                   stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def record_messages(page) -> list[tuple[int, dict]]:
    """Every JSON message the page receives, as (socket number, message); the sockets are numbered
    in the order the page opened them, failed attempts to reconnect included."""
    received: list[tuple[int, dict]] = []

    def watch(socket) -> None:
        number = len(sockets)
        sockets.append(socket)
        socket.on("framereceived",
                  lambda payload: isinstance(payload, str) and received.append((number, json.loads(payload))))

    sockets: list = []
    page.on("websocket", watch)
    return received


def settings_confirmed(received: list[tuple[int, dict]], sockets: range) -> bool:
    """The server's `state` on one of those sockets carries the student's settings."""
    return any(number in sockets and message["type"] == "state"
               and all(message["config"][key] == value for key, value in SETTINGS.items())
               for number, message in received)


def test_stop_ends_promptly_tells_every_page_and_pages_come_back_with_their_settings(page, server_url, ws_url):
    received = record_messages(page)
    pause = lambda seconds: page.wait_for_timeout(seconds * 1000)  # noqa: E731 (delivers page events)
    page.goto(server_url + "/#" + "&".join(f"{key}={value}" for key, value in SETTINGS.items()))
    page.wait_for_selector('[data-app][data-connection="open"]')
    wait_until(lambda: settings_confirmed(received, range(1)), 10, "the server confirming the link's settings", pause)
    page.click('[data-action="play"]')
    page.wait_for_function("() => Number(document.querySelector('[data-app]').dataset.epoch) > 20")
    others = [Student(ws_url) for _ in range(4)]
    for student in others:
        student.send({"type": "play"})
        student.keep_reading()

    took = run("PLAYGROUND_STOP_COMMAND")

    assert took < STOP_WITHIN_S, f"stopping took {took:.1f} s"
    for student in others:
        assert student.goodbye(within=2) == ("closing", 1001)  # 1001: going away
    page.wait_for_timeout(100)  # deliver the page's last messages
    assert any(message["type"] == "closing" for number, message in received if number == 0)
    page.wait_for_selector('[data-app]:not([data-connection="open"])')

    run("PLAYGROUND_START_COMMAND")

    wait_until(lambda: healthy(server_url), 60, "the server answering again")
    page.wait_for_selector('[data-app][data-connection="open"]', timeout=30_000)
    wait_until(lambda: settings_confirmed(received, range(1, 1000)), 10, "the page restoring its settings on the new session", pause)
    assert all(f"{key}={value}" in page.evaluate("location.hash") for key, value in SETTINGS.items())
