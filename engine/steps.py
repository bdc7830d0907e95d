"""Work in steps: a generator that pauses (yields None) between the costly parts of a job and
returns its result, so that a server can do other work in between (app/scheduler.py). `finish`
runs one to its end, for callers that want the result at once."""

from __future__ import annotations

from typing import Generator, TypeVar

T = TypeVar("T")
Steps = Generator[None, None, T]


def finish(steps: Steps[T]) -> T:
    """Run `steps` to its end; its result."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value
