"""How fast the page draws the largest network it offers (6 hidden layers of 8, all 7 features).
Reported as a measured figure, not asserted beyond "it keeps drawing": the rate a student sees is
min(what the server sends, what the page can paint)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from playground_page import open_page, shot, wait_setting
from servers import LiveServer

BIG = ("network_shape=8,8,8,8,8,8&features=x,y,xSquared,ySquared,xTimesY,sinX,sinY"
       "&dataset=spiral&activation=tanh&learning_rate=0.03&speed=1")
MEASURE_SECONDS = 4


@pytest.fixture(params=[30, 60], ids=["server-30fps", "server-60fps"])
def server_at(request, live_server):
    """The shared server (30 frames/s, the default), or one allowed 60 frames/s, to see whether
    the page keeps up when the server sends faster than the default."""
    if request.param == 30:
        yield live_server, 30
        return
    with LiveServer({"FRAMES_PER_SECOND": request.param}) as server:
        yield server, request.param


def test_frames_per_second_on_the_6x8_network(page, server_at, output_path, record_property):
    server, cap = server_at
    open_page(page, server.url, BIG)
    wait_setting(page, "network_shape", "8,8,8,8,8,8")
    page.click("[data-action=play]")
    page.wait_for_function("() => Number(document.querySelector('[data-map]').dataset.framesRendered) > 30")
    # Count, over a few seconds of play: animation frames the browser ran (the page's own
    # ceiling, as long as it keeps up with the display), network frames received, and network
    # frames painted (fewer than received when two arrive within one display refresh).
    m = page.evaluate(
        """seconds => new Promise(done => {
            const app = document.querySelector('[data-app]'), map = document.querySelector('[data-map]');
            const read = () => ({rendered: Number(map.dataset.framesRendered),
                                 received: Number(app.dataset.framesReceived), epoch: Number(app.dataset.epoch)});
            const first = read(), gaps = [];
            let ticks = 0, last = performance.now();
            const t0 = last;
            function tick(t) {
                ticks += 1; gaps.push(t - last); last = t;
                if (t - t0 < seconds * 1000) { requestAnimationFrame(tick); return; }
                const end = read(), s = (t - t0) / 1000;
                gaps.sort((a, b) => a - b);
                done({seconds: s, raf: ticks / s, rendered: (end.rendered - first.rendered) / s,
                      received: (end.received - first.received) / s, epochs: (end.epoch - first.epoch) / s,
                      gapP95: gaps[Math.floor(gaps.length * 0.95)],
                      paintMs: Number(app.dataset.renderMs)});
            }
            requestAnimationFrame(tick);
        })""", MEASURE_SECONDS)
    page.click("[data-action=play]")
    figures = {
        "network": "7 inputs, 6 x 8 tanh, 1 output (spiral), headless Chromium, Werkzeug dev server",
        "server_frames_per_second_cap": cap,
        "rendered_fps": round(m["rendered"], 1),
        "received_fps": round(m["received"], 1),
        "animation_frames_per_second": round(m["raf"], 1),
        "animation_frame_gap_p95_ms": round(m["gapP95"], 1),
        "paint_js_ms_per_frame": m["paintMs"],
        "epochs_per_second": round(m["epochs"], 1),
        "seconds_measured": round(m["seconds"], 2),
    }
    for key, value in figures.items():
        record_property(key, value)
    Path(output_path).mkdir(parents=True, exist_ok=True)
    (Path(output_path) / "fps.json").write_text(json.dumps(figures, indent=2))
    print(f"\nFPS on the 6x8 network (server cap {cap}):", json.dumps(figures))
    shot(page, output_path, "six-by-eight")
    assert figures["rendered_fps"] > 0 and figures["animation_frames_per_second"] > 0
