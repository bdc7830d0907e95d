"""`python -m engine.bench [--json]`: time the reference workloads C1, C2, C3 of WORKLOADS.md.

Per workload it reports the median `epoch_ms` (one pass over the 250 training points, then the
training and test loss), `grid_ms` (one forward pass over the 100 × 100 grid yielding the output
and every hidden neuron) and `frame_ms` (epoch + grid + every one of those maps to bytes). The
workloads run round-robin in one process. `--baseline` also times the straightforward NumPy
version (engine/straightforward.py) on the same work and machine and prints the speed-ups.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any, Callable

import numpy as np

from .grids import Grids, grid_points
from .run import Run
from .straightforward import StraightforwardMLP

WORKLOADS = {"C1": ([4, 2], "tanh", 10), "C2": ([8] * 6, "tanh", 10), "C3": ([8, 8], "relu", 1)}
# WORKLOADS.md's "straightforward vectorized NumPy" figures (frame ms), for reference.
PUBLISHED_STRAIGHTFORWARD = {"C1": 0.88, "C2": 3.12, "C3": 6.63}


def workload_config(name: str) -> dict[str, Any]:
    shape, activation, batch = WORKLOADS[name]
    return {"problem": "classification", "dataset": "spiral", "num_points": 500, "noise": 0,
            "train_ratio": 50, "features": ["x", "y"], "network_shape": shape, "activation": activation,
            "loss": "cross_entropy", "optimizer": "sgd", "learning_rate": 0.03, "regularization": "L2",
            "regularization_rate": 0.001, "batch_size": batch, "batching": "playground", "seed": "0.12345"}


class EngineWorkload:
    def __init__(self, name: str):
        self.run = Run(workload_config(name))
        self.evaluator = self.run._grids

    def epoch(self) -> None:
        self.run.step(1)

    def grid(self) -> None:
        self.evaluator.forward()

    def to_bytes(self) -> None:
        grids = Grids(self.evaluator)
        grids.neurons, grids.output  # every hidden neuron's map and the output map, as bytes


class BaselineWorkload:
    """The same data, initial weights and work, done the straightforward way."""

    def __init__(self, name: str):
        run = Run(workload_config(name))
        d = run.data
        self.x, self.y = d.train_xy, (d.train_labels > 0).astype(float)[:, None]
        self.x_test, self.y_test = d.test_xy, (d.test_labels > 0).astype(float)[:, None]
        shape, activation, self.batch = WORKLOADS[name]
        self.net = StraightforwardMLP([2, *shape, 1], activation, [w.T for w in run.weights()], run.biases())
        self.points = grid_points(100)
        self.maps: list[np.ndarray] = []

    def epoch(self) -> None:
        self.net.epoch(self.x, self.y, self.x_test, self.y_test, self.batch, 0.03, 0.001)

    def grid(self) -> None:
        self.maps = self.net.grids(self.points)

    def to_bytes(self) -> None:
        self.net.to_bytes(self.maps)


def measure(make: Callable[[str], Any], rounds: int, warmup: int = 20) -> dict[str, dict[str, float]]:
    """Median epoch_ms, grid_ms and frame_ms per workload, the workloads taking turns."""
    workloads = {name: make(name) for name in WORKLOADS}
    times: dict[str, dict[str, list[float]]] = {n: {"epoch_ms": [], "grid_ms": [], "frame_ms": []} for n in WORKLOADS}
    clock = time.perf_counter
    with np.errstate(all="ignore"):
        for r in range(warmup + rounds):
            for name, w in workloads.items():
                t0 = clock()
                w.epoch()
                t1 = clock()
                w.grid()
                t2 = clock()
                w.to_bytes()
                t3 = clock()
                if r >= warmup:
                    times[name]["epoch_ms"].append(t1 - t0)
                    times[name]["grid_ms"].append(t2 - t1)
                    times[name]["frame_ms"].append(t3 - t0)
    return {name: {k: round(statistics.median(v) * 1e3, 4) for k, v in t.items()} for name, t in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rounds", type=int, default=300, help="timed rounds per workload (default 300)")
    parser.add_argument("--baseline", action="store_true", help="also time the straightforward version")
    args = parser.parse_args(argv)
    result = measure(EngineWorkload, args.rounds)
    baseline = measure(BaselineWorkload, max(30, args.rounds // 5), warmup=5) if args.baseline else None
    if args.json:
        out: dict[str, Any] = dict(result)
        if baseline:
            out["baseline"] = baseline
        json.dump(out, sys.stdout)
        sys.stdout.write("\n")
        return 0
    print(f"{'':4} {'epoch_ms':>9} {'grid_ms':>9} {'frame_ms':>9}   vs WORKLOADS.md straightforward frame")
    for name, r in result.items():
        ratio = PUBLISHED_STRAIGHTFORWARD[name] / r["frame_ms"]
        line = f"{name:4} {r['epoch_ms']:9.3f} {r['grid_ms']:9.3f} {r['frame_ms']:9.3f}   {ratio:5.1f}x faster"
        if baseline:
            b = baseline[name]
            line += f"; straightforward here {b['frame_ms']:.3f} ms -> {b['frame_ms'] / r['frame_ms']:.1f}x"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
