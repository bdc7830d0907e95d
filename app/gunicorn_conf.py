"""Gunicorn settings for serving a classroom: gthread workers (one thread per open tab), sessions
capped across all workers through shared memory, and a prompt goodbye to every page on shutdown.

    gunicorn -c python:app.gunicorn_conf "app:create_app()"

Environment: PLAYGROUND_BIND (default 0.0.0.0:8000), PLAYGROUND_WORKERS (default: the number of
cores), PLAYGROUND_THREADS (default: PLAYGROUND_MAX_SESSIONS + 20), and the app's PLAYGROUND_*
settings (app/settings.py).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from typing import Any

from app.registry import ADDRESS_BUCKETS, SharedSeats
from app.settings import SETTINGS

MAX_WORKERS = 64


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


_max_sessions = _int_env("PLAYGROUND_MAX_SESSIONS", SETTINGS["MAX_SESSIONS"][0])

bind = [os.environ.get("PLAYGROUND_BIND", "0.0.0.0:8000")]
worker_class = "gthread"
workers = min(_int_env("PLAYGROUND_WORKERS", multiprocessing.cpu_count()), MAX_WORKERS)
# Each open tab holds a thread for its whole life (docs/development.md): room for every session
# landing on one worker, plus page and asset requests.
threads = _int_env("PLAYGROUND_THREADS", _max_sessions + 20)
graceful_timeout = 5  # sessions end within a second of being told; this is only a backstop
timeout = 30
keepalive = 5
control_socket_disable = True
accesslog = "-" if os.environ.get("PLAYGROUND_ACCESS_LOG") else None

# Seats taken, one slot per worker (in all, and per client address bucket); created here in the
# master so that every forked worker shares them.
seat_counts = multiprocessing.Array("i", MAX_WORKERS)
address_counts = multiprocessing.Array("H", MAX_WORKERS * ADDRESS_BUCKETS, lock=False)


def pre_fork(server: Any, worker: Any) -> None:
    """Give the new worker a free seat slot (master side)."""
    used = {getattr(w, "seat_slot", None) for w in server.WORKERS.values()}
    worker.seat_slot = next(slot for slot in range(MAX_WORKERS) if slot not in used)
    _free(worker.seat_slot)


def child_exit(server: Any, worker: Any) -> None:
    """A worker died: the seats its sessions held are free again (master side)."""
    _free(worker.seat_slot)


def _free(slot: int) -> None:
    with seat_counts.get_lock():
        seat_counts[slot] = 0
        address_counts[slot * ADDRESS_BUCKETS:(slot + 1) * ADDRESS_BUCKETS] = [0] * ADDRESS_BUCKETS


def post_worker_init(worker: Any) -> None:
    """Share the seat count with the other workers, and say goodbye to pages on SIGTERM."""
    registry = worker.wsgi.extensions["playground"]
    registry.seats = SharedSeats(seat_counts, address_counts, worker.seat_slot, registry.seats.limit,
                                 registry.seats.per_address)
    graceful_exit = worker.handle_exit

    def handle_exit(signum: int, frame: Any) -> None:
        registry.shutting_down.set()  # sessions send `closing` and close with 1001 within ~0.25 s
        graceful_exit(signum, frame)

    signal.signal(signal.SIGTERM, handle_exit)


def worker_int(worker: Any) -> None:
    """SIGINT/SIGQUIT (Ctrl-C): a quick goodbye before the worker exits."""
    worker.wsgi.extensions["playground"].shut_down(wait=1.0)
