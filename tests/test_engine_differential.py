"""The engine against the independent reference trainer on seeded random combinations.

The replay files pin one chosen case per feature; these tests mix everything at random (depth and
widths, activation, output and loss, optimizer, regularization, batching, batch size, feature
subset, learning rate) so that a change to how the engine schedules its calls cannot break a
combination nobody wrote down. Each case is generated from its seed, trained by
tests/reference_trainer.py (pure Python, per link, sharing no code with engine/) and by
`engine.replay.replay`, and every loss, weight and bias must agree within 1e-6.
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

import make_replays as mr
import reference_trainer as ref
from engine.replay import replay as engine_replay

TOLERANCE = 1e-6
CASES = 60
ACTIVATIONS = ["tanh", "relu", "sigmoid", "linear", "leaky_relu", "elu", "swish", "sin"]
HEADS = [  # (problem data sets, config overrides)
    (["circle", "xor", "gauss", "spiral"], {}),
    (["circle", "xor", "gauss", "spiral"], mr.SIGMOID_CE),
    (["reg-plane", "reg-bumps"], mr.REGRESSION),
    (["blobs3", "spiral3"], mr.multiclass(3)),
    (["blobs4"], mr.multiclass(4)),
    (["blobs3"], mr.multiclass(3, "tanh")),
]


def random_case(seed: int) -> dict:
    rng = random.Random(seed)
    datasets, head = rng.choice(HEADS)
    train = rng.randint(20, 45)
    config = dict(
        network_shape=[rng.randint(1, 6) for _ in range(rng.randint(0, 3))],
        activation=rng.choice(ACTIVATIONS),
        features=rng.sample(mr.ALL_FEATURES, rng.randint(1, 7)),
        learning_rate=rng.choice([0.003, 0.01, 0.03]),
        batch_size=rng.choice([1, rng.randint(2, 12), train]),
        batching=rng.choice(["playground", "standard"]),
        **rng.choice([{}, mr.MOMENTUM, mr.ADAM]),
        **head,
    )
    regularization = rng.choice([None, "L1", "L2"])
    if regularization:
        config.update(regularization=regularization, regularization_rate=rng.choice([0.001, 0.01, 0.1]))
    return dict(name=f"random-{seed}", data=rng.choice(datasets), scale=rng.choice([2, 4, 5]),
                train=train, test=15, seed=seed, what="a random combination", config=config,
                epochs=[0, 1, 3])


def well_conditioned(replay: dict, result: dict) -> bool:
    """Nudging the initial weights by 1e-12 moves no result by more than 1e-8 (so rounding
    differences between two correct implementations stay far below the tolerance)."""
    try:
        mr.check_conditioning(replay, result)
    except SystemExit:
        return False
    return True


def generated_cases() -> list[tuple[dict, dict]]:
    """The first CASES well-conditioned cases from seeds 1000, 1001, ... with their references."""
    cases, seed = [], 1000
    while len(cases) < CASES:
        replay = mr.build_replay(random_case(seed))
        expected = ref.run_replay(replay)
        if well_conditioned(replay, expected):
            cases.append((replay, expected))
        seed += 1
    return cases


@pytest.fixture(scope="module")
def cases() -> list[tuple[dict, dict]]:
    return generated_cases()


def test_random_cases_cover_every_choice(cases):
    configs = [replay["config"] for replay, _ in cases]
    assert {c["activation"] for c in configs} == set(ACTIVATIONS)
    assert {c.get("optimizer", "sgd") for c in configs} == {"sgd", "momentum", "adam"}
    assert {c.get("regularization") for c in configs} == {None, "L1", "L2"}
    assert {c["batching"] for c in configs} == {"playground", "standard"}
    assert {(c["problem"], c["output"], c["loss"]) for c in configs} == {
        ("classification", "tanh", "half_square"), ("classification", "sigmoid", "cross_entropy"),
        ("regression", "linear", "half_square"), ("multiclass", "softmax", "softmax_cross_entropy"),
        ("multiclass", "tanh", "half_square")}
    assert {len(c["network_shape"]) for c in configs} >= {0, 1, 2, 3}


@pytest.mark.parametrize("index", range(CASES))
def test_engine_agrees_with_the_reference_on_a_random_combination(cases, index):
    replay, expected = cases[index]
    with np.errstate(all="ignore"):
        got = engine_replay(json.loads(json.dumps(replay)))
    assert got["epochs"] == expected["epochs"]
    problems = ref.compare(expected, got, TOLERANCE)
    assert not problems, f"{json.dumps(replay['config'])}:\n" + "\n".join(problems[:10])
