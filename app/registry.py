"""Who is connected: seats (the cap on concurrent sessions, all together and per client address),
the process's compute thread, and the shutdown signal every session watches. Seats are counted in
this process by default; under gunicorn all workers share them through shared memory
(`SharedSeats`, see app/gunicorn_conf.py).
"""

from __future__ import annotations

import threading
import zlib
from collections import Counter
from typing import Any, Protocol

from .scheduler import Scheduler

ADDRESS_BUCKETS = 4096  # addresses are counted in this many buckets (two may rarely share one)


class Seats(Protocol):
    """A counter of taken seats with a limit, and a limit per client address."""

    limit: int
    per_address: int

    def take(self, address: str) -> str | None: ...  # None: taken; else "full" or "address"
    def give_back(self, address: str) -> None: ...
    def taken(self) -> int: ...


class LocalSeats:
    """Seats counted in this process."""

    def __init__(self, limit: int, per_address: int | None = None):
        self.limit, self.per_address = limit, per_address or limit
        self._count = 0
        self._by_address: Counter[str] = Counter()
        self._lock = threading.Lock()

    def take(self, address: str) -> str | None:
        with self._lock:
            if self._count >= self.limit:
                return "full"
            if self._by_address[address] >= self.per_address:
                return "address"
            self._count += 1
            self._by_address[address] += 1
            return None

    def give_back(self, address: str) -> None:
        with self._lock:
            self._count = max(0, self._count - 1)
            self._by_address[address] -= 1
            if self._by_address[address] <= 0:
                del self._by_address[address]

    def taken(self) -> int:
        return self._count


def bucket(address: str) -> int:
    """The same bucket for an address in every worker (Python's own hash differs per process)."""
    return zlib.crc32(address.encode()) % ADDRESS_BUCKETS


class SharedSeats:
    """Seats counted across forked worker processes: one slot per worker in shared arrays (the
    total, and one count per address bucket), so a crashed worker's seats are freed by zeroing
    its slot."""

    def __init__(self, counts: Any, addresses: Any, slot: int, limit: int, per_address: int):
        self.counts, self.addresses, self.slot = counts, addresses, slot
        self.limit, self.per_address = limit, per_address
        self.workers = len(counts)

    def take(self, address: str) -> str | None:
        b = bucket(address)
        with self.counts.get_lock():
            if sum(self.counts) >= self.limit:
                return "full"
            if sum(self.addresses[w * ADDRESS_BUCKETS + b] for w in range(self.workers)) >= self.per_address:
                return "address"
            self.counts[self.slot] += 1
            self.addresses[self.slot * ADDRESS_BUCKETS + b] += 1
            return None

    def give_back(self, address: str) -> None:
        index = self.slot * ADDRESS_BUCKETS + bucket(address)
        with self.counts.get_lock():
            self.counts[self.slot] = max(0, self.counts[self.slot] - 1)
            self.addresses[index] = max(0, self.addresses[index] - 1)

    def taken(self) -> int:
        return sum(self.counts)


class Registry:
    """The sessions of this process: seat accounting, live count, the compute thread and the
    shutdown event."""

    def __init__(self, seats: Seats):
        self.seats = seats
        self.shutting_down = threading.Event()
        self.scheduler = Scheduler(self.shutting_down)
        self._live = 0
        self._idle = threading.Condition()

    def admit(self, address: str = "") -> str | None:
        """Take a seat for a new session from `address`: None, or why not ("closing", "full",
        "address")."""
        if self.shutting_down.is_set():
            return "closing"
        refusal = self.seats.take(address)
        if refusal is not None:
            return refusal
        with self._idle:
            self._live += 1
        return None

    def leave(self, address: str = "") -> None:
        """A session ended: give its seat back."""
        self.seats.give_back(address)
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
        self.scheduler.wake()
        with self._idle:
            return self._idle.wait_for(lambda: self._live == 0, timeout=wait)
