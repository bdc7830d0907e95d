"""`python -m engine.bench [--json]`: time the reference workloads C1, C2, C3 of docs/benchmarks.md.

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

from .grids import grid_points
from .run import Run
from .straightforward import StraightforwardMLP

WORKLOADS = {"C1": ([4, 2], "tanh", 10), "C2": ([8] * 6, "tanh", 10), "C3": ([8, 8], "relu", 1)}
# The "straightforward vectorized NumPy" figures of docs/benchmarks.md (frame ms), for reference.
PUBLISHED_STRAIGHTFORWARD = {"C1": 0.88, "C2": 3.12, "C3": 6.63}


def workload_config(name: str) -> dict[str, Any]:
    shape, activation, batch = WORKLOADS[name]
    return {"problem": "classification", "dataset": "spiral", "num_points": 500, "noise": 0,
            "train_ratio": 50, "features": ["x", "y"], "network_shape": shape, "activation": activation,
            "loss": "cross_entropy", "optimizer": "sgd", "learning_rate": 0.03, "regularization": "L2",
            "regularization_rate": 0.001, "batch_size": batch, "batching": "playground", "seed": "0.12345"}


class EngineWorkload:
    """The engine through its public API. grid + to_bytes is `Run.grids(every_map=True)`, whose
    pass makes each layer's bytes while the layer is in cache, so for the frame the two are
    timed together and `grid_ms` separately by the forward pass alone."""

    def __init__(self, name: str):
        self.run = Run(workload_config(name))

    def epoch(self) -> None:
        self.run.step(1)

    def grid(self) -> None:
        self.run._grids.forward()

    def frame_maps(self) -> None:
        grids = self.run.grids(every_map=True)
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

    def frame_maps(self) -> None:
        self.grid()
        self.to_bytes()


def measure(kinds: dict[str, Callable[[str], Any]], rounds: int, warmup: int = 20
            ) -> dict[str, dict[str, dict[str, float]]]:
    """Median epoch_ms, grid_ms and frame_ms per implementation and workload.

    Everything takes turns within each round (workloads and implementations alike), so a machine
    that speeds up or slows down during the run affects all of them the same way.
    """
    runs = {(kind, name): make(name) for kind, make in kinds.items() for name in WORKLOADS}
    times: dict[tuple[str, str], dict[str, list[float]]] = {
        key: {"epoch_ms": [], "grid_ms": [], "frame_ms": []} for key in runs}
    clock = time.perf_counter
    with np.errstate(all="ignore"):
        for r in range(warmup + rounds):
            for key, w in runs.items():
                t0 = clock()
                w.grid()
                t1 = clock()
                w.epoch()
                t2 = clock()
                w.frame_maps()
                t3 = clock()
                if r >= warmup:
                    times[key]["grid_ms"].append(t1 - t0)
                    times[key]["epoch_ms"].append(t2 - t1)
                    times[key]["frame_ms"].append(t3 - t1)
    result: dict[str, dict[str, dict[str, float]]] = {kind: {} for kind in kinds}
    for (kind, name), t in times.items():
        result[kind][name] = {k: round(statistics.median(v) * 1e3, 4) for k, v in t.items()}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rounds", type=int, default=300, help="timed rounds (default 300)")
    parser.add_argument("--baseline", action="store_true", help="also time the straightforward version")
    args = parser.parse_args(argv)
    kinds: dict[str, Callable[[str], Any]] = {"engine": EngineWorkload}
    if args.baseline:
        kinds["baseline"] = BaselineWorkload
    measured = measure(kinds, args.rounds)
    result, baseline = measured["engine"], measured.get("baseline")
    if args.json:
        out: dict[str, Any] = dict(result)
        if baseline:
            out["baseline"] = baseline
        json.dump(out, sys.stdout)
        sys.stdout.write("\n")
        return 0
    print(f"{'':4} {'epoch_ms':>9} {'grid_ms':>9} {'frame_ms':>9}   vs docs/benchmarks.md straightforward frame")
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
