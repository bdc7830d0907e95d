"""`python -m engine.replay FILE.json`: train as a replay file says and print what the engine computed.

The file fixes data, initial weights and hyperparameters (docs/replay-format.md); the output
is one JSON object with `epochs`, `train_loss`, `test_loss`, `final_weights`, `final_biases`.
Only `expected.epochs` is read from the expected block.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np

from .features import FEATURE_NAMES, design_matrix
from .losses import make_head
from .model import Model
from .trainer import Settings, Trainer


def replay(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one replay document and return the computed losses and final parameters."""
    c = spec["config"]
    features = list(c["features"])  # input nodes in the file's order, whatever it is
    unknown = [f for f in features if f not in FEATURE_NAMES]
    if unknown or len(set(features)) != len(features):
        raise ValueError(f"features: must be distinct names from {', '.join(FEATURE_NAMES)}; got {features}")
    head = make_head(c["output"], c["loss"], int(c.get("num_classes", 1)))
    model = Model(len(features), c["network_shape"], c["activation"], head)
    model.load(spec["initial"]["weights"], spec["initial"]["biases"])
    train_x, train_y = _points(spec["train"], features)
    test_x, test_y = _points(spec["test"], features)
    adam = c.get("adam", {})
    settings = Settings(
        learning_rate=float(c["learning_rate"]), optimizer=c.get("optimizer", "sgd"),
        momentum=float(c.get("momentum", 0.9)), beta1=float(adam.get("beta1", 0.9)),
        beta2=float(adam.get("beta2", 0.999)), eps=float(adam.get("eps", 1e-8)),
        regularization=c.get("regularization"), regularization_rate=float(c.get("regularization_rate", 0)),
        batch_size=int(c["batch_size"]), batching=c.get("batching", "playground"))
    trainer = Trainer(model.layout, model.activation, head, model.params, train_x,
                      head.targets(train_y), settings, shuffle=None)
    result: dict[str, Any] = {"epochs": [], "train_loss": [], "test_loss": []}
    done = 0
    for epoch in sorted(int(e) for e in spec["expected"]["epochs"]):
        trainer.run_epochs(epoch - done)
        done = epoch
        result["epochs"].append(epoch)
        result["train_loss"].append(model.evaluate(train_x, train_y)[0])
        result["test_loss"].append(model.evaluate(test_x, test_y)[0])
    result["final_weights"] = [w.tolist() for w in model.weight_matrices()]
    result["final_biases"] = [b.tolist() for b in model.bias_vectors()]
    return result


def _points(part: dict[str, Any], features: list[str]) -> tuple[np.ndarray, np.ndarray]:
    xy = np.asarray(part["points"], dtype=np.float64).reshape(-1, 2)
    return design_matrix(xy, tuple(features)), np.asarray(part["labels"], dtype=np.float64)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine.replay", description=__doc__.splitlines()[0])
    parser.add_argument("file", help="a replay/1 JSON file")
    args = parser.parse_args(argv)
    with open(args.file, encoding="utf-8") as handle:
        spec = json.load(handle)
    with np.errstate(all="ignore"):
        result = replay(spec)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
