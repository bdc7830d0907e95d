"""Smoke tests of a deployed playground: what a teacher checks before the class comes in. The page
loads with everything it needs from the server itself, connects, and trains live, for two
students at once."""

from __future__ import annotations

import os
import re
import urllib.request
from urllib.parse import urlsplit

from classroom import get_json

FRAMES_PAINTED = "() => Number(document.querySelector('[data-frames-rendered]')?.dataset.framesRendered) > 0"


def epoch_above(n: int) -> str:
    return f"() => Number(document.querySelector('[data-app]').dataset.epoch) > {n}"


def test_health_check_says_ok_with_the_configured_room(server_url):
    health = get_json(server_url + "/healthz")
    assert health["status"] == "ok"
    expected = os.environ.get("PLAYGROUND_EXPECT_MAX_SESSIONS")  # the container check sets it with -e
    assert health["max_sessions"] == int(expected or health["max_sessions"]) >= 1


def test_the_page_and_every_file_it_names_are_served(server_url):
    with urllib.request.urlopen(server_url + "/", timeout=10) as response:
        assert response.status == 200
        html = response.read().decode()
    assets = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html))
    assert any(asset.endswith(".js") for asset in assets) and any(asset.endswith(".css") for asset in assets)
    for asset in sorted(assets):
        with urllib.request.urlopen(server_url + asset, timeout=10) as response:
            assert response.status == 200 and response.read(), asset


def open_and_play(page, server_url: str) -> list[str]:
    """Open the page, wait until it is connected and painted, press play; returns every URL it
    requested (so far and from now on). A response of 400 or more is recorded as "FAILED <url>"."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("response", lambda response: response.status < 400 or requested.append(f"FAILED {response.url}"))
    page.on("websocket", lambda socket: requested.append(socket.url))
    page.goto(server_url + "/")
    page.wait_for_selector('[data-app][data-connection="open"]')
    page.wait_for_function(FRAMES_PAINTED)
    page.click('[data-action="play"]')
    page.wait_for_selector('[data-app][data-playing="true"]')
    return requested


def test_a_student_page_connects_and_trains_with_nothing_from_elsewhere(page, server_url):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    requested = open_and_play(page, server_url)
    page.wait_for_function(epoch_above(30))
    host = urlsplit(server_url).netloc
    assert requested and all(urlsplit(url).netloc == host for url in requested), requested  # FAILED ... too
    assert errors == []


def test_two_students_train_side_by_side(context, server_url):
    first, second = context.new_page(), context.new_page()
    open_and_play(first, server_url)
    open_and_play(second, server_url)
    for page in (first, second):
        page.wait_for_function(epoch_above(30))
    # Both keep training: neither session starved the other.
    epochs = [int(page.get_attribute("[data-app]", "data-epoch")) for page in (first, second)]
    for page, epoch in zip((first, second), epochs):
        page.wait_for_function(epoch_above(epoch + 20))
