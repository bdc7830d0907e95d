"""Gunicorn settings for serving a classroom: gthread workers (one thread per open tab) that
collect request heads on their event loop (app/gworker.py), sessions capped across all workers
through shared memory, and a prompt goodbye to every page on shutdown.

    gunicorn -c python:app.gunicorn_conf "app:create_app()"

Environment (and the app's own PLAYGROUND_* settings, app/settings.py):
  PLAYGROUND_BIND (default 0.0.0.0:8000): where to listen.
  PLAYGROUND_WORKERS (default: the number of cores): worker processes.
  PLAYGROUND_THREADS (default: PLAYGROUND_MAX_SESSIONS + 20): threads per worker.
  PLAYGROUND_HEADER_TIMEOUT (default 10): seconds a client has to send a request's whole head,
    counted from opening the connection (on a kept-alive one, from the next request's first byte);
    then it is answered 408 and closed. Waiting heads hold no thread, only a little memory.
  PLAYGROUND_HEADS_PER_ADDRESS (default 100): connections from one client address whose request
    head is still arriving, per worker; one more closes the one of them that has waited longest.
    A class behind one NAT address shares it, but a page's heads arrive within milliseconds, so
    only connections held open half-sent add up.
  PLAYGROUND_ACCESS_LOG (set to anything: log requests).
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


def _number_env(name: str, default: float, low: float, meaning: str, whole: bool = False) -> float:
    """A number from the environment, refused with its name and range unless it is at least `low`
    (and finite, and a whole number if `whole`)."""
    value = os.environ.get(name)
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not low <= number < float("inf") or (whole and not number.is_integer()):
        kind = "a whole number" if whole else "a number"
        raise ValueError(f"{name}: must be {kind} ≥ {low} ({meaning}); got {value!r}")
    return number


def _heartbeat_dir() -> str | None:
    """Where workers keep their heartbeat files: /dev/shm (memory, and writable in a container whose
    root file system is read-only, where /tmp may not be), else gunicorn's default (the temp dir)."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


_max_sessions = _int_env("PLAYGROUND_MAX_SESSIONS", SETTINGS["MAX_SESSIONS"][0])

bind = [os.environ.get("PLAYGROUND_BIND", "0.0.0.0:8000")]
# gthread, except that request heads are read on the worker's event loop, not by its threads, so
# slow clients cannot hold the threads (app/gworker.py).
worker_class = "app.gworker.PlaygroundWorker"
header_timeout = _number_env("PLAYGROUND_HEADER_TIMEOUT", 10.0, 0.1,
                             "seconds a client has to send a request's head")
heads_per_address = int(_number_env("PLAYGROUND_HEADS_PER_ADDRESS", 100, 1, "connections from one "
                                    "address whose request head is still arriving, per worker", whole=True))
workers = min(_int_env("PLAYGROUND_WORKERS", multiprocessing.cpu_count()), MAX_WORKERS)
# Each open tab holds a thread for its whole life (docs/development.md): room for every session
# landing on one worker, plus page and asset requests.
threads = _int_env("PLAYGROUND_THREADS", _max_sessions + 20)
graceful_timeout = 5  # sessions end within a second of being told; this is only a backstop
timeout = 30
keepalive = 5
control_socket_disable = True
worker_tmp_dir = _heartbeat_dir()  # `docker run --read-only` has no writable /tmp
accesslog = "-" if os.environ.get("PLAYGROUND_ACCESS_LOG") else None

# Seats taken, one slot per worker (in all, and per client address bucket); created here in the
# master so that every forked worker shares them.
seat_counts = multiprocessing.Array("i", MAX_WORKERS)
address_counts = multiprocessing.Array("H", MAX_WORKERS * ADDRESS_BUCKETS, lock=False)


def pre_fork(server: Any, worker: Any) -> None:
    """Give the new worker a free seat slot and its slow-client limits (master side)."""
    used = {getattr(w, "seat_slot", None) for w in server.WORKERS.values()}
    worker.seat_slot = next(slot for slot in range(MAX_WORKERS) if slot not in used)
    _free(worker.seat_slot)
    worker.header_timeout = header_timeout
    worker.heads_per_address = heads_per_address
    worker.seat_counts = seat_counts  # to share sessions out evenly (app/gworker.py)


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
