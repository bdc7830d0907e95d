"""Generate the replay files in tests/fixtures/replays/ with the independent reference trainer.

    python tests/make_replays.py

Each case in CASES is a small, seeded training run (data from ``random.Random``, initial weights
U(-0.5, 0.5), biases 0.1). Its expected losses and final weights come from
tests/reference_trainer.py, which is pure Python and shares no code with engine/. Together the
cases cover every hidden activation, every output/loss pair, every optimizer, L1 (with links that
actually die) and L2, both batching modes with leftovers / a short last chunk, no hidden layer,
feature subsets, regression and multi-class.

Before writing anything the script checks itself: the reference must reproduce the three files in
tests/fixtures/parity/ (TensorFlow Playground and PyTorch) within 1e-9; every case must be well
conditioned (nudging the initial weights by 1e-12 moves no result by more than 1e-8, so float
rounding differences between implementations cannot reach the 1e-6 tolerance); and the cases must
cover everything listed above. The output is deterministic: rerunning rewrites identical files.
"""

import json
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import reference_trainer as ref  # noqa: E402

OUT_DIR = os.path.join(HERE, "fixtures", "replays")
PARITY_DIR = os.path.join(HERE, "fixtures", "parity")
SOURCE = (
    "tests/reference_trainer.py (independent pure-Python reference implementation of "
    "docs/replay-format.md, per-sample and per-link, standard library only), written by tests/make_replays.py"
)
DEFAULT_EPOCHS = [0, 1, 2, 5, 10, 30]
ALL_FEATURES = ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"]

# ---------------------------------------------------------------------------------------------
# Datasets: each returns (points, labels) for n points; labels are ±1 for binary sets,
# real values for regression sets and class indices for multi-class sets.


def circle(rng, n, scale):
    points, labels = [], []
    for k in range(n):
        r = rng.uniform(0, 0.5) if k % 2 == 0 else rng.uniform(0.7, 1.0)
        a = rng.uniform(0, 2 * math.pi)
        points.append([scale * r * math.sin(a), scale * r * math.cos(a)])
        labels.append(1 if r < 0.6 else -1)
    return points, labels


def xor(rng, n, scale):
    points, labels = [], []
    for _ in range(n):
        x, y = rng.uniform(-1, 1), rng.uniform(-1, 1)
        x += 0.06 if x > 0 else -0.06
        y += 0.06 if y > 0 else -0.06
        points.append([scale * x, scale * y])
        labels.append(1 if x * y >= 0 else -1)
    return points, labels


def gauss(rng, n, scale):
    points, labels = [], []
    for k in range(n):
        c = 0.4 if k % 2 == 0 else -0.4
        points.append([scale * (c + rng.gauss(0, 0.25)), scale * (c + rng.gauss(0, 0.25))])
        labels.append(1 if c > 0 else -1)
    return points, labels


def spiral(rng, n, scale, arms=2):
    points, labels = [], []
    for k in range(n):
        arm = k % arms
        t = rng.uniform(0.05, 1.0)
        angle = 1.75 * t * 2 * math.pi + 2 * math.pi * arm / arms
        x = t * math.sin(angle) + rng.uniform(-0.05, 0.05)
        y = t * math.cos(angle) + rng.uniform(-0.05, 0.05)
        points.append([scale * x, scale * y])
        labels.append(arm if arms > 2 else (1 if arm == 0 else -1))
    return points, labels


def reg_plane(rng, n, scale):
    points, labels = [], []
    for _ in range(n):
        x, y = rng.uniform(-1, 1), rng.uniform(-1, 1)
        points.append([scale * x, scale * y])
        labels.append((x + y) / 2 + rng.uniform(-0.1, 0.1))
    return points, labels


def reg_bumps(rng, n, scale):
    points, labels = [], []
    for _ in range(n):
        x, y = rng.uniform(-1, 1), rng.uniform(-1, 1)
        points.append([scale * x, scale * y])
        labels.append(math.sin(2.5 * x) * math.cos(2.0 * y) + 0.3 * x * y)
    return points, labels


def blobs(rng, n, scale, classes):
    points, labels = [], []
    for k in range(n):
        c = k % classes
        a = 2 * math.pi * c / classes + 0.3
        points.append([scale * (0.55 * math.cos(a) + rng.gauss(0, 0.3)),
                       scale * (0.55 * math.sin(a) + rng.gauss(0, 0.3))])
        labels.append(c)
    return points, labels


DATASETS = {
    "circle": circle, "xor": xor, "gauss": gauss, "spiral": spiral,
    "reg-plane": reg_plane, "reg-bumps": reg_bumps,
    "blobs3": lambda rng, n, s: blobs(rng, n, s, 3),
    "blobs4": lambda rng, n, s: blobs(rng, n, s, 4),
    "spiral3": lambda rng, n, s: spiral(rng, n, s, arms=3),
}

# ---------------------------------------------------------------------------------------------
# The cases. Keys: name, what (one line), data, scale, train, test, seed, config overrides.
# Defaults: features [x, y], tanh hidden, tanh output + half_square, sgd 0.03, batch 10,
# playground batching, no regularization, epochs DEFAULT_EPOCHS.

MOMENTUM = {"optimizer": "momentum", "momentum": 0.9}
ADAM = {"optimizer": "adam", "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}}
SIGMOID_CE = {"output": "sigmoid", "loss": "cross_entropy"}
REGRESSION = {"problem": "regression", "output": "linear"}


def multiclass(k, output="softmax"):
    loss = "softmax_cross_entropy" if output == "softmax" else "half_square"
    return {"problem": "multiclass", "num_classes": k, "output": output, "loss": loss}


CASES = [
    dict(name="ref-tanh-sgd-leftover", data="circle", scale=5, train=60, test=30, seed=101,
         what="tanh [4,2], playground batching, 60 points batch 7 (4 left over each epoch)",
         config=dict(network_shape=[4, 2], batch_size=7)),
    dict(name="ref-relu-momentum-xtimesy", data="xor", scale=5, train=60, test=30, seed=102,
         what="relu [5], features x, y, xTimesY, momentum 0.9",
         config=dict(network_shape=[5], activation="relu", features=["x", "y", "xTimesY"],
                     learning_rate=0.003, **MOMENTUM)),
    dict(name="ref-sigmoid-hidden-ce", data="gauss", scale=5, train=50, test=30, seed=103,
         what="sigmoid hidden [3], sigmoid output + cross-entropy (0/1 labels)",
         config=dict(network_shape=[3], activation="sigmoid", learning_rate=0.1, **SIGMOID_CE)),
    dict(name="ref-linear-regression-l2", data="reg-plane", scale=5, train=60, test=30, seed=104,
         what="linear hidden [3], linear output regression, L2 0.01",
         config=dict(network_shape=[3], activation="linear", learning_rate=0.01,
                     regularization="L2", regularization_rate=0.01, **REGRESSION)),
    dict(name="ref-leaky-relu-regression-adam-standard", data="reg-bumps", scale=4, train=60,
         test=30, seed=105,
         what="leaky_relu [6,3], linear output regression, adam, standard batching batch 8 "
              "(last chunk of 4)",
         config=dict(network_shape=[6, 3], activation="leaky_relu", learning_rate=0.01,
                     batch_size=8, batching="standard", **REGRESSION, **ADAM)),
    dict(name="ref-elu-momentum-l2", data="spiral", scale=5, train=60, test=30, seed=106,
         what="elu [6,4], momentum, L2 0.003",
         config=dict(network_shape=[6, 4], activation="elu", learning_rate=0.003,
                     regularization="L2", regularization_rate=0.003, **MOMENTUM)),
    dict(name="ref-swish-all-features-adam", data="circle", scale=2.5, train=60, test=30,
         seed=107, what="swish [5,3], all seven features, adam",
         config=dict(network_shape=[5, 3], activation="swish", features=ALL_FEATURES,
                     learning_rate=0.01, **ADAM)),
    dict(name="ref-sin-sgd-batch1", data="xor", scale=4, train=40, test=30, seed=108,
         what="sin [4], sgd, batch size 1",
         config=dict(network_shape=[4], activation="sin", learning_rate=0.01, batch_size=1)),
    dict(name="ref-l1-dead-links-sgd", data="gauss", scale=3, train=60, test=30, seed=109,
         what="tanh [4], all seven features, L1 0.1 with lr 0.03: links die",
         expect_dead=True,
         config=dict(network_shape=[4], features=ALL_FEATURES, learning_rate=0.03,
                     regularization="L1", regularization_rate=0.1)),
    dict(name="ref-l1-dead-links-adam-nohidden", data="xor", scale=3, train=60, test=30,
         seed=110, what="no hidden layer, features x, y, xSquared, ySquared, xTimesY, adam, "
                        "L1 0.2 with lr 0.01: all but the xTimesY link die",
         expect_dead=True,
         config=dict(network_shape=[], features=["x", "y", "xSquared", "ySquared", "xTimesY"],
                     learning_rate=0.01, regularization="L1", regularization_rate=0.2, **ADAM)),
    dict(name="ref-nohidden-all-features-l2", data="gauss", scale=2, train=50, test=30, seed=111,
         what="no hidden layer, all seven features, tanh output, L2 0.1",
         config=dict(network_shape=[], features=ALL_FEATURES, learning_rate=0.03,
                     regularization="L2", regularization_rate=0.1)),
    dict(name="ref-softmax3-relu-sgd", data="blobs3", scale=4, train=60, test=30, seed=112,
         what="multiclass K=3, relu [6], softmax + cross-entropy, sgd, batch 5",
         config=dict(network_shape=[6], activation="relu", learning_rate=0.03, batch_size=5,
                     **multiclass(3))),
    dict(name="ref-softmax4-momentum-l1-standard", data="blobs4", scale=4, train=70, test=30,
         seed=113,
         what="multiclass K=4, tanh [8,4], softmax, momentum, L1 0.01, standard batching "
              "batch 12 (last chunk of 10)",
         config=dict(network_shape=[8, 4], learning_rate=0.01, batch_size=12,
                     batching="standard", regularization="L1", regularization_rate=0.01,
                     **MOMENTUM, **multiclass(4))),
    dict(name="ref-softmax3-nohidden-adam", data="spiral3", scale=4, train=60, test=30,
         seed=114, what="multiclass K=3, no hidden layer, features x, y, sinX, sinY, adam",
         config=dict(network_shape=[], features=["x", "y", "sinX", "sinY"], learning_rate=0.02,
                     **ADAM, **multiclass(3))),
    dict(name="ref-tanh-onehot3-sgd", data="blobs3", scale=4, train=60, test=30, seed=115,
         what="multiclass K=3 with tanh outputs and one-hot ±1 half-square, tanh [5], sgd",
         config=dict(network_shape=[5], learning_rate=0.03, **multiclass(3, "tanh"))),
    dict(name="ref-tanh-onehot4-relu-adam-l2", data="blobs4", scale=4, train=60, test=30,
         seed=116,
         what="multiclass K=4 with tanh outputs, one-hot ±1, relu [6,5], adam, L2 0.01",
         config=dict(network_shape=[6, 5], activation="relu", learning_rate=0.005,
                     regularization="L2", regularization_rate=0.01, **ADAM,
                     **multiclass(4, "tanh"))),
    dict(name="ref-ce-relu-adam-standard", data="circle", scale=5, train=60, test=30, seed=117,
         what="relu [5,3], sigmoid + cross-entropy, adam, standard batching batch 16 "
              "(last chunk of 12)",
         config=dict(network_shape=[5, 3], activation="relu", learning_rate=0.01, batch_size=16,
                     batching="standard", **SIGMOID_CE, **ADAM)),
    dict(name="ref-big-batch-leftover", data="spiral", scale=5, train=45, test=30, seed=118,
         what="tanh [3], playground batching batch 30 with 45 points: one update per epoch, "
              "from epoch 2 on averaging 15 + 30 samples",
         config=dict(network_shape=[3], learning_rate=0.1, batch_size=30)),
    dict(name="ref-swish-regression-momentum-l1", data="reg-bumps", scale=3, train=60, test=30,
         seed=119,
         what="swish [4], linear output regression, features x, y, xTimesY, momentum, L1 0.05",
         config=dict(network_shape=[4], activation="swish", features=["x", "y", "xTimesY"],
                     learning_rate=0.01, regularization="L1", regularization_rate=0.05,
                     **MOMENTUM, **REGRESSION)),
]

BASE_CONFIG = {
    "problem": "classification",
    "features": ["x", "y"],
    "network_shape": [4, 2],
    "activation": "tanh",
    "output": "tanh",
    "num_classes": 1,
    "loss": "half_square",
    "optimizer": "sgd",
    "learning_rate": 0.03,
    "regularization": None,
    "regularization_rate": 0,
    "batch_size": 10,
    "batching": "playground",
}
CONFIG_ORDER = ["problem", "features", "network_shape", "activation", "output", "num_classes",
                "loss", "optimizer", "momentum", "adam", "learning_rate", "regularization",
                "regularization_rate", "batch_size", "batching"]


def case_names():
    return [case["name"] for case in CASES]


def build_config(case):
    config = dict(BASE_CONFIG)
    config.update(case["config"])
    return {key: config[key] for key in CONFIG_ORDER if key in config}


def initial_parameters(rng, sizes):
    # Playground-style initialisation: U(-0.5, 0.5) weights, 0.1 biases.
    weights = [[[rng.random() - 0.5 for _ in range(sizes[l])] for _ in range(sizes[l + 1])]
               for l in range(len(sizes) - 1)]
    biases = [[0.1 for _ in range(sizes[l + 1])] for l in range(len(sizes) - 1)]
    return weights, biases


def convert_labels(labels, config):
    if config["loss"] == "cross_entropy":
        return [1 if label > 0 else 0 for label in labels]
    return labels


def build_replay(case):
    """Return the replay document (without running it yet) for one case."""
    rng = random.Random(case["seed"])
    config = build_config(case)
    points, labels = DATASETS[case["data"]](rng, case["train"] + case["test"], case["scale"])
    order = list(range(len(points)))
    rng.shuffle(order)
    points = [points[k] for k in order]
    labels = convert_labels([labels[k] for k in order], config)
    sizes = [len(config["features"])] + list(config["network_shape"]) + [config["num_classes"]]
    weights, biases = initial_parameters(rng, sizes)
    n = case["train"]
    return {
        "format": "replay/1",
        "name": case["name"],
        "source": "%s. Case: %s. Data: %s, random.Random(%d), %d train / %d test points; "
                  "initial weights U(-0.5, 0.5), biases 0.1."
                  % (SOURCE, case["what"], case["data"], case["seed"], n, case["test"]),
        "config": config,
        "train": {"points": points[:n], "labels": labels[:n]},
        "test": {"points": points[n:], "labels": labels[n:]},
        "initial": {"weights": weights, "biases": biases},
        "expected": {"epochs": list(case.get("epochs", DEFAULT_EPOCHS))},
    }


# ---------------------------------------------------------------------------------------------
# Self-checks.


def check_reference_on_parity_files():
    names = sorted(f for f in os.listdir(PARITY_DIR) if f.endswith(".json"))
    if not names:
        raise SystemExit("no parity files found in %s" % PARITY_DIR)
    for fname in names:
        with open(os.path.join(PARITY_DIR, fname)) as f:
            replay = json.load(f)
        problems = ref.compare(replay["expected"], ref.run_replay(replay), 1e-9)
        if problems:
            raise SystemExit("reference disagrees with %s:\n  %s" % (fname, "\n  ".join(problems[:10])))
        print("reference reproduces %s within 1e-9" % fname)


def check_conditioning(replay, result):
    """Nudge every initial weight by up to 1e-12; no result may move by more than 1e-8."""
    nudged = json.loads(json.dumps(replay))
    rng = random.Random(12345)
    for layer in nudged["initial"]["weights"]:
        for row in layer:
            for i in range(len(row)):
                row[i] += rng.uniform(-1e-12, 1e-12)
    moved = ref.compare(result, ref.run_replay(nudged), 1e-8)
    if moved:
        raise SystemExit("case %s is ill-conditioned:\n  %s" % (replay["name"], "\n  ".join(moved[:5])))


def count_dead(result):
    return sum(1 for _, w in ref.flatten(result["final_weights"]) if w == 0.0)


def check_coverage(replays):
    configs = [r["config"] for r in replays]
    wanted = {
        "hidden activations": (set(ref.ACTIVATIONS),
                               {c["activation"] for c in configs if c["network_shape"]}),
        "output/loss pairs": ({("tanh", "half_square", 1), ("linear", "half_square", 1),
                               ("sigmoid", "cross_entropy", 1), ("softmax", "softmax_cross_entropy", 3),
                               ("softmax", "softmax_cross_entropy", 4), ("tanh", "half_square", 3),
                               ("tanh", "half_square", 4)},
                              {(c["output"], c["loss"], c["num_classes"]) for c in configs}),
        "optimizers": ({"sgd", "momentum", "adam"}, {c["optimizer"] for c in configs}),
        "regularization": ({None, "L1", "L2"}, {c["regularization"] for c in configs}),
        "batching": ({"playground", "standard"}, {c["batching"] for c in configs}),
    }
    for what, (need, have) in wanted.items():
        if not need <= have:
            raise SystemExit("cases do not cover %s: missing %s" % (what, sorted(map(str, need - have))))
    n_train = [len(r["train"]["points"]) for r in replays]
    if not any(c["batching"] == "playground" and n % c["batch_size"] and n > c["batch_size"]
               for c, n in zip(configs, n_train)):
        raise SystemExit("no playground case leaves samples over at the end of an epoch")
    if not any(c["batching"] == "standard" and n % c["batch_size"] for c, n in zip(configs, n_train)):
        raise SystemExit("no standard case has a smaller last chunk")
    if not any(c["network_shape"] == [] for c in configs):
        raise SystemExit("no case without hidden layers")
    if not any(c["features"] == ALL_FEATURES for c in configs):
        raise SystemExit("no case with all seven features")


# ---------------------------------------------------------------------------------------------
# Writing: readable but compact (one line per array).


def dumps(value, indent=0):
    if isinstance(value, dict):
        pad = " " * (indent + 1)
        items = ["%s%s: %s" % (pad, json.dumps(k), dumps(v, indent + 1)) for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    return json.dumps(value)


def main():
    check_reference_on_parity_files()
    os.makedirs(OUT_DIR, exist_ok=True)
    replays = []
    for case in CASES:
        replay = build_replay(case)
        result = ref.run_replay(replay)
        for field in ("train_loss", "test_loss", "final_weights", "final_biases"):
            replay["expected"][field] = result[field]
        if not all(math.isfinite(v) for _, v in ref.flatten(result["train_loss"] + result["test_loss"])):
            raise SystemExit("case %s diverged" % case["name"])
        check_conditioning(replay, result)
        dead = count_dead(result)
        if case.get("expect_dead") and dead == 0:
            raise SystemExit("case %s: no link died under L1" % case["name"])
        replays.append(replay)
        losses = result["train_loss"]
        print("%-42s train loss %.4f -> %.4f%s" % (case["name"], losses[0], losses[-1],
                                                   ", %d dead links" % dead if dead else ""))
    check_coverage(replays)
    if len(set(case_names())) != len(CASES):
        raise SystemExit("duplicate case names")
    wanted = {name + ".json" for name in case_names()}
    for fname in sorted(os.listdir(OUT_DIR)):
        if fname.endswith(".json") and fname not in wanted:
            os.remove(os.path.join(OUT_DIR, fname))
            print("removed stale %s" % fname)
    for replay in replays:
        with open(os.path.join(OUT_DIR, replay["name"] + ".json"), "w") as f:
            f.write(dumps(replay) + "\n")
    print("wrote %d replay files to %s" % (len(replays), os.path.relpath(OUT_DIR)))


if __name__ == "__main__":
    main()
