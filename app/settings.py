"""Server settings: their defaults and checks, layered as defaults, then `PLAYGROUND_*` environment
variables, then test overrides (see `create_app`). Only the server's own knobs live here; the
training settings are the engine's config, chosen per session by the page.
"""

from __future__ import annotations

from typing import Any, Mapping

# Flask config key -> (default, lowest, highest or None, what it means). Environment: PLAYGROUND_<KEY>.
# A text setting has None for both bounds.
SETTINGS: dict[str, tuple[Any, float, float | None, str]] = {
    "MAX_SESSIONS": (100, 1, None, "concurrent sessions (open tabs) the server accepts, all workers together"),
    "SESSIONS_PER_ADDRESS": (10, 1, None, "sessions one client address may hold (raise it when a class "
                                         "reaches the server through one NAT address or proxy)"),
    "FRAMES_PER_SECOND": (30, 1, 120, "frames a playing session sends per second, at most"),
    "MAX_EPOCHS_PER_FRAME": (100, 1, None, "the largest speed a page may ask for (set_speed)"),
    "FRAME_BUDGET_MS": (15, 1, None, "CPU time one session's turn may take for training; a longer "
                                     "epoch is trained over several turns, so no network stalls the others"),
    "MAX_MESSAGE_BYTES": (65536, 256, None, "incoming messages larger than this are refused (4 times "
                                            "larger closes the connection)"),
    "MESSAGES_PER_FRAME": (100, 1, None, "client messages one turn handles at most; the rest wait"),
    "MAX_PENDING_MESSAGES": (1000, 1, None, "client messages that may wait; beyond it the server reads "
                                            "no more from that client until they are handled"),
    "MESSAGES_PER_SECOND": (50, 1, None, "websocket frames one connection may send a second, in bursts "
                                         "of twice that; a faster client is read more slowly"),
    "SEND_TIMEOUT": (10, 1, None, "seconds a client may take nothing of what the server sends before "
                                  "it is dropped"),
    "PING_INTERVAL": (25, 0, None, "seconds between websocket pings that detect vanished clients; 0 = off"),
    "COMPRESSION_LEVEL": (1, 0, 9, "zlib level of websocket compression (permessage-deflate); 0 = off"),
    "TRUSTED_PROXIES": (0, 0, 5, "proxies in front of the server whose X-Forwarded-For (and -Host, -Proto) "
                                 "name the client and the page (1 behind one nginx); 0 = the connection's own"),
}

# Text settings: (default, what it means).
TEXT_SETTINGS: dict[str, tuple[str, str]] = {
    "ALLOWED_ORIGINS": ("", "comma-separated origins (https://course.example.org) whose pages may open "
                            "sessions besides the playground's own; * allows any"),
    "LESSONS": ("", "a folder of the teacher's own lesson files (docs/lessons.md), listed with the "
                    "playground's own; a broken file stops the server at start-up, naming it"),
    "FRAME_ANCESTORS": ("'self'", "who may show the page in a frame (CSP frame-ancestors): space-separated "
                                  "sources, e.g. https://course.example.org, or * (app/headers.py checks them)"),
}

# A message this many times over MAX_MESSAGE_BYTES is not even read: the connection closes (1009).
HARD_LIMIT_FACTOR = 4


def defaults() -> dict[str, Any]:
    """The default value of every setting."""
    return {**{key: default for key, (default, _, _, _) in SETTINGS.items()},
            **{key: default for key, (default, _) in TEXT_SETTINGS.items()}}


def check(config: Mapping[str, Any]) -> None:
    """Raise ValueError naming every setting that is not a number within its range."""
    problems = []
    for key, (_, low, high, meaning) in SETTINGS.items():
        value = config.get(key)
        number = not isinstance(value, bool) and isinstance(value, (int, float))
        if not number or not value >= low or (high is not None and value > high):
            span = f"≥ {low}" if high is None else f"in {low}..{high}"
            problems.append(f"PLAYGROUND_{key}: must be a number {span} ({meaning}); got {value!r}")
    for key in TEXT_SETTINGS:
        if not isinstance(config.get(key), str):
            problems.append(f"PLAYGROUND_{key}: must be text ({TEXT_SETTINGS[key][1]}); got {config.get(key)!r}")
    if problems:
        raise ValueError("; ".join(problems))


def describe() -> str:
    """One line per setting, for `playground serve --help` and the README."""
    return "\n".join([f"  PLAYGROUND_{key} (default {default}): {meaning}"
                      for key, (default, _, _, meaning) in SETTINGS.items()]
                     + [f"  PLAYGROUND_{key} (default {default!r}): {meaning}"
                        for key, (default, meaning) in TEXT_SETTINGS.items()])
