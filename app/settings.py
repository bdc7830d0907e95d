"""Server settings: their defaults and checks, layered as defaults, then `PLAYGROUND_*` environment
variables, then test overrides (see `create_app`). Only the server's own knobs live here; the
training settings are the engine's config, chosen per session by the page.
"""

from __future__ import annotations

from typing import Any, Mapping

# Flask config key -> (default, lowest, highest or None, what it means). Environment: PLAYGROUND_<KEY>.
# A text setting has None for both bounds.
SETTINGS: dict[str, tuple[Any, float | None, float | None, str]] = {
    "MAX_SESSIONS": (100, 1, None, "concurrent sessions (open tabs) the server accepts, all workers together"),
    "FRAMES_PER_SECOND": (30, 1, 120, "frames a playing session sends per second, at most"),
    "MAX_EPOCHS_PER_FRAME": (100, 1, None, "the largest speed a page may ask for (set_speed)"),
    "FRAME_BUDGET_MS": (15, 1, None, "training time one session may spend per frame; beyond it the "
                                     "frame carries fewer epochs, so one big network cannot starve others"),
    "MAX_MESSAGE_BYTES": (65536, 256, None, "incoming messages larger than this are refused"),
    "MESSAGES_PER_FRAME": (100, 1, None, "client messages handled between two frames; the rest wait"),
    "MAX_PENDING_MESSAGES": (1000, 1, None, "client messages that may wait; beyond it the oldest are dropped"),
    "PING_INTERVAL": (25, 0, None, "seconds between websocket pings that detect vanished clients; 0 = off"),
    "COMPRESSION_LEVEL": (1, 0, 9, "zlib level of websocket compression (permessage-deflate); 0 = off"),
    "FRAME_ANCESTORS": ("'self'", None, None, "who may show the page in a frame (CSP frame-ancestors): "
                                              "space-separated sources, e.g. https://course.example.org, or *"),
}

# A message this many times over MAX_MESSAGE_BYTES is not even buffered: the connection closes (1009).
HARD_LIMIT_FACTOR = 16


def defaults() -> dict[str, Any]:
    """The default value of every setting."""
    return {key: default for key, (default, _, _, _) in SETTINGS.items()}


def check(config: Mapping[str, Any]) -> None:
    """Raise ValueError naming every setting that is not a number within its range."""
    problems = []
    for key, (_, low, high, meaning) in SETTINGS.items():
        if low is None:  # a text setting: the module that reads it checks it (FRAME_ANCESTORS: app/headers.py)
            continue
        value = config.get(key)
        number = not isinstance(value, bool) and isinstance(value, (int, float))
        if not number or not value >= low or (high is not None and value > high):
            span = f"≥ {low}" if high is None else f"in {low}..{high}"
            problems.append(f"PLAYGROUND_{key}: must be a number {span} ({meaning}); got {value!r}")
    if problems:
        raise ValueError("; ".join(problems))


def sock_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """flask-sock's SOCK_SERVER_OPTIONS: pings, and a hard ceiling on what is buffered at all."""
    return {"ping_interval": config["PING_INTERVAL"] or None,
            "max_message_size": int(config["MAX_MESSAGE_BYTES"]) * HARD_LIMIT_FACTOR}


def describe() -> str:
    """One line per setting, for `playground serve --help` and the README."""
    return "\n".join(f"  PLAYGROUND_{key} (default {default}): {meaning}"
                     for key, (default, _, _, meaning) in SETTINGS.items())
