"""The compute thread of one server process. Every session's work (handling its messages, training,
composing and encoding what it sends) runs on this one thread, one turn at a time, while the
connection threads only read. Turns are fair in CPU time: the next turn goes to the session, among
those with work to do, that has used the least CPU so far, so a tab with a huge network or a flood
of messages gets its share and no more, and an ordinary tab's frame is late by one turn at most.
With one thread computing, no two sessions fight over the interpreter either, which is what made
a frame cost nearly twice its own work when every connection computed on its own thread.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from typing import Callable, Protocol

log = logging.getLogger(__name__)

LAG = 0.05  # seconds of CPU an idle session may be behind the others: enough to answer at once
IDLE_EXIT = 5.0  # seconds without sessions after which the thread ends (a new session restarts it)
LONGEST_WAIT = 0.25  # seconds the thread sleeps at most (it then checks for shutdown)
SLOW_TURN = 0.05  # a turn that used more CPU than this is logged: no turn should (docs/deployment.md)
# Python's full garbage collection pass looks at every object of the process: 45 ms with a few
# big networks in it, and rebuilding networks makes it run several times a second, each time
# stalling every session. Here it runs every COLLECT_EVERY seconds instead, between two turns;
# what networks leave behind is freed at once (Run.release), not by it.
COLLECT_EVERY = 30.0
RARE = 1_000_000  # gc threshold of the oldest generation: in effect, never by itself


class Turnable(Protocol):
    """What the scheduler needs of a session."""

    ready_at: float  # when it next has work (0: now; inf: when a message comes)
    ended: bool  # it has said goodbye, or its client has gone
    cpu: float  # CPU seconds its turns have used, counted from the scheduler's floor when it came

    def turn(self) -> None: ...
    def failed(self, error: BaseException) -> None: ...


class Scheduler:
    """Runs sessions' turns on one thread, least CPU used first among those that are ready."""

    def __init__(self, shutting_down: threading.Event | None = None, clock: Callable[[], float] = time.monotonic,
                 cpu_clock: Callable[[], float] = time.thread_time):
        self.shutting_down = shutting_down or threading.Event()  # then every session gets a turn to say goodbye
        self.clock, self.cpu_clock = clock, cpu_clock
        self._sessions: list[Turnable] = []
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._running: Turnable | None = None
        self.floor = 0.0  # the CPU count of the least-served session that had a turn lately

    def add(self, session: Turnable) -> None:
        """Start giving `session` turns (its first comes at once if it is ready)."""
        with self._wake:
            session.cpu = self.floor
            self._sessions.append(session)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="playground-compute", daemon=True)
                self._thread.start()
            self._wake.notify()

    def remove(self, session: Turnable) -> None:
        """Stop giving `session` turns; returns once any turn of it in progress has ended."""
        with self._wake:
            if session in self._sessions:
                self._sessions.remove(session)
            while self._running is session:
                self._wake.wait()

    def wake(self) -> None:
        """A session has new work (a message came): look again."""
        with self._wake:
            self._wake.notify()

    # -- the compute thread --------------------------------------------------------------------

    def _loop(self) -> None:
        idle_since = collected = self.clock()
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, RARE)
        while True:
            if self.clock() - collected > COLLECT_EVERY:
                gc.collect()
                collected = self.clock()
            with self._wake:
                session, wait = self._pick()
                if session is None:
                    if not self._sessions and self.clock() - idle_since > IDLE_EXIT:
                        self._thread = None
                        return
                    self._wake.wait(wait)
                    continue
                self._running = session
            started = self.cpu_clock()
            try:
                session.turn()
            except BaseException as error:  # a session's failure ends that session only
                session.failed(error)
            finally:
                used = self.cpu_clock() - started
                if used > SLOW_TURN:
                    log.warning("a turn took %.0f ms of CPU: %s", used * 1000, session)
                with self._wake:
                    session.cpu += used
                    self._running = None
                    idle_since = self.clock()
                    self._wake.notify_all()

    def _pick(self) -> tuple[Turnable | None, float]:
        """The ready session that has used the least CPU (an idle one counts as at most LAG
        behind the floor, so it cannot hoard credit), or None and how long to sleep."""
        now = self.clock()
        best, best_cpu, soonest = None, 0.0, now + LONGEST_WAIT
        least = self.floor - LAG
        closing = self.shutting_down.is_set()
        for session in self._sessions:
            ready_at = session.ready_at
            if ready_at > now and not (closing and not session.ended):
                soonest = min(soonest, ready_at)
                continue
            cpu = session.cpu if session.cpu > least else least
            if best is None or cpu < best_cpu:
                best, best_cpu = session, cpu
        if best is None:
            return None, max(0.0, soonest - now)
        best.cpu = best_cpu
        self.floor = max(self.floor, best_cpu)
        return best, 0.0
