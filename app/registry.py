"""Who is connected: seats (the cap on concurrent sessions), the process's CPU turns, and the
shutdown signal every session watches. Seats are counted in this process by default; under
gunicorn all workers share them through shared memory (`SharedSeats`, see app/gunicorn_conf.py).
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from .turns import Turns


class Seats(Protocol):
    """A counter of taken seats with a limit."""

    limit: int

    def take(self) -> bool: ...
    def give_back(self) -> None: ...
    def taken(self) -> int: ...


class LocalSeats:
    """Seats counted in this process."""

    def __init__(self, limit: int):
        self.limit = limit
        self._count = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._count >= self.limit:
                return False
            self._count += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self._count = max(0, self._count - 1)

    def taken(self) -> int:
        return self._count


class SharedSeats:
    """Seats counted across forked worker processes: one slot per worker in a shared
    `multiprocessing.Array`, so a crashed worker's seats are freed by zeroing its slot."""

    def __init__(self, counts: Any, slot: int, limit: int):
        self.counts, self.slot, self.limit = counts, slot, limit

    def take(self) -> bool:
        with self.counts.get_lock():
            if sum(self.counts) >= self.limit:
                return False
            self.counts[self.slot] += 1
            return True

    def give_back(self) -> None:
        with self.counts.get_lock():
            self.counts[self.slot] = max(0, self.counts[self.slot] - 1)

    def taken(self) -> int:
        return sum(self.counts)


class Registry:
    """The sessions of this process: seat accounting, live count, turns and the shutdown event."""

    def __init__(self, seats: Seats):
        self.seats = seats
        self.turns = Turns()
        self.shutting_down = threading.Event()
        self._live = 0
        self._idle = threading.Condition()

    def admit(self) -> bool:
        """Take a seat for a new session; False when full or shutting down."""
        if self.shutting_down.is_set():
            return False
        if not self.seats.take():
            return False
        with self._idle:
            self._live += 1
        return True

    def leave(self) -> None:
        """A session ended: give its seat back."""
        self.seats.give_back()
        with self._idle:
            self._live -= 1
            self._idle.notify_all()

    @property
    def live(self) -> int:
        """Sessions running in this process."""
        return self._live

    def shut_down(self, wait: float = 0.0) -> bool:
        """Tell every session to say goodbye and end; wait up to `wait` seconds for them.
        Returns True when none is left."""
        self.shutting_down.set()
        with self._idle:
            return self._idle.wait_for(lambda: self._live == 0, timeout=wait)
