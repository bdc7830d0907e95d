"""How fast the page draws the largest network it offers (6 hidden layers of 8, all 7 features).
Reported as a measured figure, not asserted beyond "it keeps drawing": the rate a student sees is
min(what the server sends, what the page can paint)."""

from __future__ import annotations

import json
from pathlib import Path

from playground_page import open_page, shot, wait_setting

BIG = ("network_shape=8,8,8,8,8,8&features=x,y,xSquared,ySquared,xTimesY,sinX,sinY"
       "&dataset=spiral&activation=tanh&learning_rate=0.03&speed=1")
MEASURED_FRAMES = 150


def test_frames_per_second_on_the_6x8_network(page, live_server, output_path, record_property):
    open_page(page, live_server.url, BIG)
    wait_setting(page, "network_shape", "8,8,8,8,8,8")
    page.click("[data-action=play]")
    page.wait_for_function("() => Number(document.querySelector('[data-map]').dataset.framesRendered) > 30")
    start = page.evaluate(
        """() => ({t: performance.now(),
                   rendered: Number(document.querySelector('[data-map]').dataset.framesRendered),
                   received: Number(document.querySelector('[data-app]').dataset.framesReceived),
                   epoch: Number(document.querySelector('[data-app]').dataset.epoch)})""")
    page.wait_for_function(
        "n => Number(document.querySelector('[data-map]').dataset.framesRendered) >= n",
        arg=start["rendered"] + MEASURED_FRAMES, timeout=60_000)
    end = page.evaluate(
        """() => ({t: performance.now(),
                   rendered: Number(document.querySelector('[data-map]').dataset.framesRendered),
                   received: Number(document.querySelector('[data-app]').dataset.framesReceived),
                   epoch: Number(document.querySelector('[data-app]').dataset.epoch),
                   paintMs: Number(document.querySelector('[data-app]').dataset.renderMs)})""")
    page.click("[data-action=play]")
    seconds = (end["t"] - start["t"]) / 1000
    figures = {
        "network": "7 inputs, 6 x 8 tanh, 1 output (spiral), headless Chromium, Werkzeug dev server",
        "rendered_fps": round((end["rendered"] - start["rendered"]) / seconds, 1),
        "received_fps": round((end["received"] - start["received"]) / seconds, 1),
        "epochs_per_second": round((end["epoch"] - start["epoch"]) / seconds, 1),
        "paint_ms_per_frame": end["paintMs"],
        "paint_capacity_fps": round(1000 / max(end["paintMs"], 0.01)),
        "seconds_measured": round(seconds, 2),
    }
    for key, value in figures.items():
        record_property(key, value)
    Path(output_path).mkdir(parents=True, exist_ok=True)
    (Path(output_path) / "fps.json").write_text(json.dumps(figures, indent=2))
    print("\nFPS on the 6x8 network:", json.dumps(figures))
    shot(page, output_path, "six-by-eight")
    assert figures["rendered_fps"] > 0
