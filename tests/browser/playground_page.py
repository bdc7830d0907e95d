"""Helpers for driving the playground page in browser tests: waiting for it to be ready, reading
the settings the server confirmed (the URL hash is written only from the server's `state`), and
fingerprints of what the big map shows."""

from __future__ import annotations

import struct
from pathlib import Path
from urllib.parse import unquote

from playwright.sync_api import Page

APP = "[data-app]"
MAP = "[data-map]"
# A tab opened without a seed gets a random one (as the original); tests that do not say otherwise
# open the default setup with the default seed, so they see the same data and weights every run.
FIXED = "seed=0.12345"


def open_page(page: Page, base_url: str, hash_: str | None = None) -> Page:
    """Load the page with a hash (default: FIXED; "" for a fresh tab without one) and wait until
    the session is live and painted."""
    hash_ = FIXED if hash_ is None else hash_
    track_requests(page)
    page.goto(f"{base_url}/" + (f"#{hash_}" if hash_ else ""))
    wait_ready(page)
    return page


def track_requests(page: Page) -> None:
    """Remember requests that have not finished, to explain a page that never starts."""
    if getattr(page, "_unfinished", None) is not None:
        return
    unfinished: dict = {}
    page._unfinished = unfinished
    page.on("request", lambda r: unfinished.__setitem__(id(r), r.url))
    page.on("requestfinished", lambda r: unfinished.pop(id(r), None))
    page.on("requestfailed", lambda r: unfinished.__setitem__(id(r), f"FAILED {r.url} {r.failure}"))
    page.on("websocket", lambda ws: unfinished.__setitem__(id(ws), f"websocket {ws.url}"))


def wait_ready(page: Page) -> None:
    try:
        page.wait_for_selector(f"{APP}[data-connection=open]")
    except Exception as error:  # say what the page was doing instead
        status = page.get_attribute(APP, "data-connection")
        toast = page.text_content("[data-toast]")
        loaded = page.evaluate("""() => [document.readyState, performance.getEntriesByType('resource')
            .map(e => `${e.name.split('/').pop()} ${Math.round(e.startTime)}+${Math.round(e.duration)}ms`)]""")
        pending = sorted(getattr(page, "_unfinished", {}).values())
        raise AssertionError(f"the page never connected: data-connection={status!r}, toast={toast!r}, "
                             f"loaded={loaded}, unfinished={pending}") from error
    page.wait_for_function("() => Number(document.querySelector('[data-map]').dataset.framesRendered) > 0")
    page.wait_for_function("() => location.hash.includes('network_shape=')")
    page.wait_for_function("() => document.querySelectorAll('[data-network] [data-node]').length > 0")


def settings(page: Page) -> dict[str, str]:
    """The URL hash as a dict (what the server last confirmed, plus display settings)."""
    text = page.evaluate("location.hash").lstrip("#")
    return {k: unquote(v) for k, _, v in (part.partition("=") for part in text.split("&") if part)}


def wait_setting(page: Page, key: str, value: str) -> None:
    """Wait until the hash (the server's confirmed state) holds key=value."""
    page.wait_for_function(
        """([key, value]) => new URLSearchParams(location.hash.slice(1)).get(key) === value""",
        arg=[key, value])


def choose(page: Page, key: str, value: str) -> None:
    """Pick a value in the menu of config key `key` and wait until the server has applied it."""
    page.select_option(f"select[data-config={key}]", value)
    wait_setting(page, key, value)


def train(page: Page, epochs: int) -> None:
    """Play until the epoch reaches `epochs`, then pause (and wait until the page says so)."""
    page.click("[data-action=play]")
    page.wait_for_function("n => Number(document.querySelector('[data-app]').dataset.epoch) >= n", arg=epochs)
    page.click("[data-action=play]")
    page.wait_for_selector("[data-app][data-playing=false]")


def epoch(page: Page) -> int:
    return int(page.get_attribute(APP, "data-epoch") or 0)


def frames_rendered(page: Page) -> int:
    return int(page.get_attribute(MAP, "data-frames-rendered") or 0)


def wait_new_frame(page: Page, after: int) -> None:
    page.wait_for_function(
        "n => Number(document.querySelector('[data-map]').dataset.framesRendered) > n", arg=after)


def map_fingerprint(page: Page) -> str:
    """A short digest of the big map's pixels (changes when what it shows changes)."""
    return page.evaluate(
        """() => {
            const c = document.querySelector('[data-map-canvas]');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let h = 2166136261;
            for (let i = 0; i < d.length; i++) { h ^= d[i]; h = Math.imul(h, 16777619); }
            return (h >>> 0).toString(16);
        }""")


def map_colours(page: Page) -> int:
    """How many distinct colours the big map shows."""
    return page.evaluate(
        """() => {
            const c = document.querySelector('[data-map-canvas]');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            const seen = new Set();
            for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
            return seen.size;
        }""")


def loss(page: Page, which: str) -> float:
    return float(page.text_content(f"[data-metric={which}_loss]"))


def shot(page: Page, output_path: str, name: str, full_page: bool = True) -> Path:
    """Save a screenshot as a test artefact under test-results/."""
    path = Path(output_path) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    return path


class Frames:
    """Every binary frame the page receives from the server, decoded as far as the parameters
    (docs/protocol.md, "Frames"). Make it before the page opens its websocket."""

    def __init__(self, page: Page):
        self.received: list[dict] = []
        self.page = page
        page.on("websocket", lambda socket: socket.on("framereceived", self.receive))

    def receive(self, payload) -> None:
        if isinstance(payload, (bytes, bytearray)):
            self.received.append(decode_frame(bytes(payload)))

    def at(self, wanted: int, before: int | None = None) -> dict:
        """The last frame of epoch `wanted` among the first `before` received."""
        for frame in reversed(self.received[:before]):
            if frame["epoch"] == wanted:
                return frame
        raise AssertionError(f"no frame at epoch {wanted}: {[f['epoch'] for f in self.received[-8:]]}")

    def wait_for(self, test, what: str, since: int = 0) -> dict:
        """The first frame from index `since` on that passes `test` (waits up to 10 s)."""
        for _ in range(200):
            for frame in self.received[since:]:
                if test(frame):
                    return frame
            self.page.wait_for_timeout(50)  # delivers the page's events
        raise AssertionError(f"no frame {what}; the last: {[f['epoch'] for f in self.received[-5:]]}")


def decode_frame(payload: bytes) -> dict:
    """A frame's `epoch`, layer `sizes`, float32 `params` (a tuple, in the frame's order), and
    `weight(layer, source, target)` / `bias(layer, node)` read from them."""
    epoch, = struct.unpack_from("<I", payload, 4)
    count, = struct.unpack_from("<H", payload, 12)
    sizes = struct.unpack_from(f"<{count}H", payload, 14)
    start = -(-(14 + 2 * count) // 4) * 4
    offsets, total = [], 0
    for layer in range(count - 1):
        offsets.append(total)
        total += sizes[layer + 1] * (sizes[layer] + 1)
    params = struct.unpack_from(f"<{total}f", payload, start)

    def weight(layer: int, source: int, target: int) -> float:
        return params[offsets[layer] + target * (sizes[layer] + 1) + source + 1]

    def bias(layer: int, node: int) -> float:
        return params[offsets[layer] + node * (sizes[layer] + 1)]

    return {"epoch": epoch, "sizes": list(sizes), "params": params, "weight": weight, "bias": bias}
