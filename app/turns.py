"""Turns at the CPU within one server process: a few sessions compute at a time, first come first
served, and answers to what a user just did go before paced frames. Under load this keeps a click's
answer prompt, where plain thread scheduling shares the CPU among every busy session at once.
"""

from __future__ import annotations

import threading
from collections import deque
from contextlib import contextmanager
from typing import Iterator

SLOTS = 2  # sessions computing at once: one long frame (a huge network) cannot stall the rest


class Turns:
    """A FIFO gate with `slots` places and two queues; each hand-over wakes exactly one thread."""

    def __init__(self, slots: int = SLOTS):
        self._free = slots
        self._lock = threading.Lock()
        self._urgent: deque[threading.Lock] = deque()
        self._paced: deque[threading.Lock] = deque()

    @property
    def waiting(self) -> int:
        """Threads waiting for a place."""
        return len(self._urgent) + len(self._paced)

    @contextmanager
    def turn(self, urgent: bool) -> Iterator[None]:
        """Wait for a place (urgent waiters first), hold it for the block, then pass it on."""
        self._take(urgent)
        try:
            yield
        finally:
            self._pass_on()

    def _take(self, urgent: bool) -> None:
        with self._lock:
            if self._free:
                self._free -= 1
                return
            waiter = threading.Lock()
            waiter.acquire()
            (self._urgent if urgent else self._paced).append(waiter)
        waiter.acquire()  # released by _pass_on, which hands this thread the place

    def _pass_on(self) -> None:
        with self._lock:
            queue = self._urgent or self._paced
            if queue:
                queue.popleft().release()
            else:
                self._free += 1
