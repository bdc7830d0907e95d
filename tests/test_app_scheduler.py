"""The compute thread's turns (app/scheduler.py): least CPU used goes first, so heavy sessions get
their share and light ones are never kept waiting behind them; an idle session cannot hoard
credit; a failing turn ends only its session; shutdown gives every session a turn to say goodbye."""

from __future__ import annotations

import pytest

import threading
import time

from app.scheduler import LAG, Scheduler

pytestmark = pytest.mark.alone  # measures pacing against the wall clock: `make test` runs it alone


def busy(seconds: float) -> None:
    """Use `seconds` of this thread's CPU (what the scheduler charges)."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


class Fake:
    """A session whose every turn costs `cost` seconds of CPU; ready again `every` seconds later."""

    def __init__(self, name: str, cost: float, every: float = 0.0, log: list | None = None):
        self.name, self.cost, self.every, self.log = name, cost, every, log if log is not None else []
        self.ready_at, self.cpu, self.ended, self.turns, self.error = 0.0, 0.0, False, 0, None
        self.times: list[float] = []

    def turn(self) -> None:
        self.turns += 1
        self.times.append(time.monotonic())
        self.log.append(self.name)
        busy(self.cost)
        self.ready_at = time.monotonic() + self.every

    def failed(self, error: BaseException) -> None:
        self.error, self.ended, self.ready_at = error, True, float("inf")


def run_for(scheduler: Scheduler, sessions: list, seconds: float) -> None:
    for s in sessions:
        scheduler.add(s)
    time.sleep(seconds)
    for s in sessions:
        scheduler.remove(s)


def test_light_sessions_keep_their_pace_beside_heavy_ones_that_share_the_rest():
    scheduler = Scheduler()
    log: list[str] = []
    # Four sessions that always want a whole frame budget (15 ms) of CPU, ten that want 1 ms
    # thirty times a second: the ten go first whenever they are ready.
    heavy = [Fake(f"heavy{i}", cost=0.015, log=log) for i in range(4)]
    light = [Fake(f"light{i}", cost=0.001, every=1 / 30, log=log) for i in range(10)]
    run_for(scheduler, heavy + light, 2.0)
    for s in light:
        gaps = [b - a for a, b in zip(s.times, s.times[1:])]
        assert s.turns >= 2.0 * 30 * 0.5, f"{s.name} had {s.turns} turns in 2 s"
        assert sorted(gaps)[int(0.95 * len(gaps))] < 0.1  # late by about one heavy turn at most
    # Never two heavy turns in a row while light ones have had fewer turns than there were heavy ones.
    assert all(s.turns >= log.count("heavy0") - 2 for s in light)
    counts = [s.turns for s in heavy]
    assert min(counts) >= 0.6 * max(counts)  # the heavy ones share what is left evenly


def test_the_session_that_used_least_goes_first_and_an_idle_one_keeps_no_more_than_lag():
    scheduler, log = Scheduler(), []
    a, b = Fake("a", cost=0.002, log=log), Fake("b", cost=0.002, log=log)
    run_for(scheduler, [a, b], 0.3)
    assert abs(a.cpu - b.cpu) < 0.01  # alternating, each charged its turns
    # A newcomer starts at the floor, not at zero: it does not get the whole past as credit.
    late = Fake("late", cost=0.002, log=log)
    a.ready_at = b.ready_at = 0.0
    log.clear()
    run_for(scheduler, [a, b, late], 0.3)
    share = log.count("late") / len(log)
    assert 0.2 < share < 0.5
    assert late.cpu >= scheduler.floor - LAG - 0.01


def test_a_failing_turn_ends_that_session_only():
    scheduler = Scheduler()

    class Broken(Fake):
        def turn(self) -> None:
            raise RuntimeError("a bug")

    broken, fine = Broken("broken", 0.0), Fake("fine", cost=0.001, every=0.01)
    run_for(scheduler, [broken, fine], 0.3)
    assert isinstance(broken.error, RuntimeError) and broken.ended
    assert fine.turns > 10 and fine.error is None


def test_remove_waits_for_a_turn_in_progress():
    scheduler = Scheduler()
    slow = Fake("slow", cost=0.2, every=10)
    scheduler.add(slow)
    time.sleep(0.05)  # its turn has begun
    started = time.monotonic()
    scheduler.remove(slow)
    assert time.monotonic() - started > 0.1 and slow.turns == 1
    time.sleep(0.1)
    assert slow.turns == 1  # no turn after removal


def test_shutdown_gives_every_session_a_turn_even_when_idle():
    closing = threading.Event()
    scheduler = Scheduler(closing)
    idle = [Fake(f"idle{i}", cost=0.0) for i in range(3)]
    for s in idle:
        s.ready_at = float("inf")

        def goodbye(s=s) -> None:
            s.turns += 1
            s.ended = closing.is_set()

        s.turn = goodbye
        scheduler.add(s)
    time.sleep(0.1)
    assert all(s.turns == 0 for s in idle)
    closing.set()
    scheduler.wake()
    deadline = time.monotonic() + 2
    while not all(s.ended for s in idle) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert all(s.ended and s.turns == 1 for s in idle)
    for s in idle:
        scheduler.remove(s)


def test_full_garbage_collections_wait_for_the_compute_thread():
    import gc
    from app.scheduler import COLLECT_EVERY, RARE
    before = gc.get_threshold()
    try:
        scheduler = Scheduler()
        s = Fake("s", cost=0.0, every=10)
        run_for(scheduler, [s], 0.1)
        assert gc.get_threshold()[2] == RARE and COLLECT_EVERY <= 60
    finally:
        gc.set_threshold(*before)


def test_importing_the_app_asks_for_one_blas_thread():
    import os
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", "import os, app; print(os.environ['OPENBLAS_NUM_THREADS'], "
                          "os.environ['OMP_NUM_THREADS'])"], env=env, capture_output=True, text=True, timeout=60,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert out.stdout.split() == ["1", "1"], out.stderr
