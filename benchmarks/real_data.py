"""Real-data benchmark: what each shipped table's default network reaches, and how fast.

For `mnist` (the 5,000-image subset, fixed split 4,000 / 1,000) the test accuracy after each
epoch and the CPU time an epoch takes; for `house-prices` the test R² and RMSE (CAD) against
predicting the training mean, and a network without hidden layers (linear regression) beside the
default. Fixed seeds; several seeds give the spread. These are figures to report (docs/benchmarks.md),
never timed assertions in the tests.

    .venv/bin/python benchmarks/real_data.py
    .venv/bin/python benchmarks/real_data.py --seeds 0.1,0.2,0.3 --mnist-epochs 20 --json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the server runs (app/__init__.py): one core
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import Run, real_table  # noqa: E402


def mnist(seed: str, epochs: int) -> dict:
    run = Run({"dataset": "mnist", "seed": seed})
    accuracy, seconds = [], []
    for _ in range(epochs):
        started = time.process_time()
        metrics = run.step(1)
        seconds.append(time.process_time() - started)
        accuracy.append(metrics.test_accuracy)
    return {"seed": seed, "test_accuracy": accuracy, "epoch_cpu_s": statistics.median(seconds),
            "network": run.config["network_shape"], "first_epoch_reaching_92": next(
                (i + 1 for i, a in enumerate(accuracy) if a >= 0.92), None)}


def houses(seed: str, epochs: int, shape: list[int] | None = None) -> dict:
    config = {"dataset": "house-prices", "seed": seed}
    if shape is not None:
        config["network_shape"] = shape
    run = Run(config)
    metrics = run.step(epochs)
    table = real_table("house-prices")
    mean_rmse = float(np.sqrt(np.mean((table.test_y - table.train_y.mean()) ** 2)))
    return {"seed": seed, "network": run.config["network_shape"], "epochs": epochs, "r2": metrics.r2,
            "rmse": metrics.rmse, "mean_rmse": mean_rmse}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", default="0.12345,1,2", help="comma-separated seeds")
    p.add_argument("--mnist-epochs", type=int, default=10)
    p.add_argument("--house-epochs", type=int, default=200)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    seeds = args.seeds.split(",")
    results = {"mnist": [mnist(s, args.mnist_epochs) for s in seeds],
               "house-prices": [houses(s, args.house_epochs) for s in seeds],
               "house-prices-linear": [houses(s, args.house_epochs, []) for s in seeds]}
    for r in results["mnist"]:
        print(f"mnist {r['network']} seed {r['seed']}: test accuracy by epoch "
              + " ".join(f"{a:.3f}" for a in r["test_accuracy"])
              + f"; ≥ 0.92 from epoch {r['first_epoch_reaching_92']}; {r['epoch_cpu_s'] * 1000:.0f} ms CPU an epoch")
    for key in ("house-prices", "house-prices-linear"):
        for r in results[key]:
            print(f"{key} {r['network']} seed {r['seed']}: after {r['epochs']} epochs R² {r['r2']:.3f}, "
                  f"RMSE {r['rmse']:,.0f} CAD (predicting the mean: {r['mean_rmse']:,.0f} CAD)")
    if args.json:
        print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
