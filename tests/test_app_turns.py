"""Turns at the CPU: answers to users go before paced frames, first come first served otherwise,
and never more sessions compute at once than there are places."""

from __future__ import annotations

import threading

from app.turns import Turns
from ws_client import wait_until


def test_urgent_turns_go_first_then_the_others_in_order():
    turns, order, holding = Turns(slots=1), [], threading.Event()
    release = threading.Event()

    def holder() -> None:
        with turns.turn(urgent=False):
            holding.set()
            release.wait(5)

    def waiter(name: str, urgent: bool) -> None:
        with turns.turn(urgent):
            order.append(name)

    threads = [threading.Thread(target=holder)]
    threads[0].start()
    holding.wait(5)
    for count, (name, urgent) in enumerate([("paced 1", False), ("paced 2", False), ("urgent", True)], 1):
        threads.append(threading.Thread(target=waiter, args=(name, urgent)))
        threads[-1].start()
        wait_until(lambda: turns.waiting == count)
    release.set()
    for thread in threads:
        thread.join(5)
    assert order == ["urgent", "paced 1", "paced 2"]


def test_no_more_sessions_compute_at_once_than_there_are_places():
    turns, lock, inside, most = Turns(slots=2), threading.Lock(), [0], [0]

    def work() -> None:
        for _ in range(200):
            with turns.turn(urgent=False):
                with lock:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                with lock:
                    inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert most[0] <= 2 and turns.waiting == 0
