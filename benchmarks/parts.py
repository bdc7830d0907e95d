"""Where a frame's CPU goes, on one thread: N sessions' C1 runs (docs/benchmarks.md) take turns as
one worker's compute thread gives them, and each turn does what a playing session's turn does:
an epoch with its metrics, the `metrics` message, the grid and its maps, the binary frame, and
deflating both as a browser's connection does. Reported: the CPU time (thread time) of each part
per turn, to set against the server's CPU per frame from `benchmarks/load.py` (the rest is the
kernel's share of sending, the connection threads and the cores' contention).

    .venv/bin/python benchmarks/parts.py --sessions 1,50
"""

from __future__ import annotations

import argparse
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import engine  # noqa: E402
from app import protocol, websocket  # noqa: E402
from load import C1  # noqa: E402

PARTS = ("epoch", "metrics", "grids", "frame", "deflate")
WARM = 20  # rounds before measuring


def measure(sessions: int, rounds: int) -> dict[str, float]:
    """Milliseconds of CPU per turn for each part, `sessions` runs in turn for `rounds` rounds."""
    runs = [engine.Run({**C1, "seed": f"0.{i:05d}"}) for i in range(sessions)]
    deflaters = [zlib.compressobj(1, zlib.DEFLATED, -15, websocket.MEM_LEVEL) for _ in runs]
    spent = dict.fromkeys(PARTS, 0.0)
    clock = time.thread_time
    for round_ in range(rounds + WARM):
        for run, deflater in zip(runs, deflaters):
            t0 = clock()
            run.step(1)
            t1 = clock()
            text = protocol.metrics(run.metrics.to_dict())
            t2 = clock()
            grids = run.grids(order="blocks")
            main, thumbnails = grids.output, grids.thumbnails(protocol.THUMBNAIL)
            t3 = clock()
            binary = protocol.frame(run.layer_sizes, run.model.params, run.epoch, main, thumbnails,
                                    diverged=run.diverged)
            t4 = clock()
            for payload in (text.encode(), binary):
                deflater.compress(payload)
                deflater.flush(zlib.Z_SYNC_FLUSH)
            t5 = clock()
            if round_ >= WARM:
                for part, seconds in zip(PARTS, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
                    spent[part] += seconds
    turns = sessions * rounds
    return {part: seconds / turns * 1000 for part, seconds in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", default="1,50", help="comma-separated session counts")
    parser.add_argument("--turns", type=int, default=10_000, help="turns measured in all (at least 100 per session)")
    args = parser.parse_args()
    for n in (int(s) for s in args.sessions.split(",")):
        ms = measure(n, max(100, args.turns // n))
        parts = "  ".join(f"{part} {value:.3f}" for part, value in ms.items())
        print(f"N={n:4d}  ms of CPU per turn: {parts}  total {sum(ms.values()):.3f}")


if __name__ == "__main__":
    main()
