"""Validation: every bad field is named with its allowed values; good updates merge."""

import pytest

from engine import DEFAULTS, Config, ConfigError, Run, change_kind, usable, validate


def test_defaults_are_the_playground_defaults():
    c = validate()
    assert (c["dataset"], c["activation"], c["learning_rate"], c["network_shape"], c["batch_size"],
            c["features"], c["regularization"], c["noise"], c["train_ratio"]) == \
        ("circle", "tanh", 0.03, [4, 2], 10, ["x", "y"], "none", 0, 50)


def test_every_bad_field_is_reported_with_allowed_values():
    with pytest.raises(ConfigError) as info:
        validate({"activation": "softsign", "batch_size": 0, "learning_rate": -1,
                  "network_shape": [10000], "colour": "red"})
    fields = {field for field, _ in info.value.errors}
    assert fields == {"activation", "batch_size", "learning_rate", "network_shape", "colour"}
    text = str(info.value)
    assert "activation: must be one of relu, tanh, sigmoid, linear" in text
    assert "batch_size: must be an integer in 1..2000; got 0" in text
    assert "learning_rate: must be a number in (0.0, 10.0]; got -1" in text
    assert "network_shape: must be a list of 0..8 layer sizes, each an integer 1..32" in text
    assert "colour: unknown field" in text
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("update, field", [
    ({"dataset": "reg-plane"}, "dataset"),
    ({"features": []}, "features"),
    ({"features": ["z"]}, "features"),
    ({"noise": 81}, "noise"),
    ({"noise": float("nan")}, "noise"),
    ({"train_ratio": 5}, "train_ratio"),
    ({"num_points": 10}, "num_points"),
    ({"num_points": True}, "num_points"),
    ({"network_shape": [2] * 9}, "network_shape"),
    ({"network_shape": [0]}, "network_shape"),
    ({"network_shape": "4,2"}, "network_shape"),
    ({"regularization": "L3"}, "regularization"),
    ({"regularization_rate": -0.1}, "regularization_rate"),
    ({"optimizer": "rmsprop"}, "optimizer"),
    ({"loss": "hinge"}, "loss"),
    ({"problem": "regression", "loss": "cross_entropy"}, "loss"),
    ({"num_classes": 7}, "num_classes"),
    ({"seed": ""}, "seed"),
    ({"seed": "x" * 33}, "seed"),
    ({"batching": "random"}, "batching"),
    ({"init": "ones"}, "init"),
    ({"momentum": 1.0}, "momentum"),
    ({"batch_size": 251}, "batch_size"),  # more than the 250 training points
])
def test_single_bad_field(update, field):
    with pytest.raises(ConfigError) as info:
        validate(update)
    assert [f for f, _ in info.value.errors] == [field]


def test_changing_problem_brings_its_dataset_and_loss():
    c = validate({"loss": "cross_entropy"})
    c = validate({"problem": "regression"}, c)
    assert (c["dataset"], c["loss"]) == ("reg-plane", "half_square")
    c = validate({"problem": "multiclass"}, c)
    assert (c["dataset"], c["loss"]) == ("multi-spiral", "cross_entropy")


def test_features_are_put_in_canonical_order():
    assert validate({"features": ["sinY", "x", "x"]})["features"] == ["x", "sinY"]


def test_change_kinds():
    c = validate()
    assert change_kind(c, validate({"learning_rate": 0.1}, c)) == "live"
    assert change_kind(c, validate({"activation": "relu"}, c)) == "reset"
    assert change_kind(c, validate({"noise": 10}, c)) == "data"
    assert change_kind(c, dict(c)) == "none"


def test_invalid_configure_changes_nothing():
    run = Run()
    run.step(3)
    before = (run.config, run.epoch, [w.tolist() for w in run.weights()])
    with pytest.raises(ConfigError):
        run.configure({"activation": "nope", "learning_rate": 0.1})
    assert (run.config, run.epoch, [w.tolist() for w in run.weights()]) == before


@pytest.mark.parametrize("wrong", [[], {}, None, [1, 2], {"a": 1}, "text", -1, 1.5, True])
def test_values_of_the_wrong_type_are_config_errors_for_every_field(wrong):
    refused = 0
    for field in DEFAULTS:
        try:
            config = validate({field: wrong})  # never TypeError or KeyError
            assert config[field] is not None or field in {"num_points", "stop_epoch", "stop_test_loss", "inputs"}
        except ConfigError as error:
            refused += 1
            assert field in {f for f, _ in error.errors}
    assert refused >= len(DEFAULTS) - 5  # only a few fields take any one such value


def test_fewer_training_points_lower_a_batch_size_the_update_does_not_name():
    base = validate({"batch_size": 30})
    assert validate({"num_points": 50}, base)["batch_size"] == 25
    assert validate({"train_ratio": 10, "num_points": 50}, base)["batch_size"] == 5
    assert validate({"num_points": 2000}, validate({"num_points": 50}, base))["batch_size"] == 25  # not raised back
    with pytest.raises(ConfigError) as info:  # named, it is the user's: refused, not changed
        validate({"num_points": 50, "batch_size": 30}, base)
    assert [field for field, _ in info.value.errors] == ["batch_size"]


def test_a_checked_config_is_not_checked_again():
    checked = validate({"noise": 10})
    assert isinstance(checked, Config)
    assert validate(checked, validate({"problem": "regression"})) is checked


def test_usable_leaves_out_what_it_must_and_keeps_the_rest():
    config, left_out = usable({"noise": 20, "activation": "softsign", "problem": "regression",
                               "dataset": "spiral", "batch_size": 5000, "colour": "red"})
    assert (config["noise"], config["problem"], config["dataset"], config["activation"], config["batch_size"]) == \
        (20, "regression", "reg-plane", "tanh", 10)
    assert sorted(field for field, _ in left_out) == ["activation", "batch_size", "colour", "dataset"]
    assert usable({}) == (validate(), [])
    assert usable({"num_points": 50, "train_ratio": 10})[0]["batch_size"] == 5


def test_options_carry_the_pages_menus_and_feature_labels():
    from engine import options
    o = options()
    assert o["momentum"] == [0, 0.5, 0.8, 0.9, 0.95, 0.99]
    assert o["num_points"][0] == 50 and o["num_points"][-1] == 2000
    assert o["menu_limits"] == {"hidden_layers": 6, "neurons_per_layer": 8, "batch_size": 30}
    assert o["feature_labels"]["xTimesY"] == "X₁X₂" and list(o["feature_labels"]) == o["features"]
    assert o["limits"]["parameter"] == 1_000_000


def test_a_seed_with_a_lone_surrogate_is_refused_naming_the_seed():
    """JSON's "\\udfff" is no Unicode text: it cannot go into a URL or UTF-8 (the standard
    batching's shuffle is seeded from the seed's bytes), so it is refused, not run."""
    for seed in ("\udfff", "0.1\ud800"):
        with pytest.raises(ConfigError) as info:
            validate({"seed": seed, "batching": "standard"})
        [(field, message)] = info.value.errors
        assert field == "seed" and "lone surrogate" in message
        config, left_out = usable({"seed": seed, "batching": "standard", "noise": 10})
        assert [f for f, _ in left_out] == ["seed"] and (config["batching"], config["noise"]) == ("standard", 10)
    run = Run({"seed": "0.5"})
    with pytest.raises(ConfigError):
        run.configure({"seed": "\udfff", "batching": "standard"})
    assert (run.config["seed"], run.config["batching"]) == ("0.5", "playground")
    assert run.step(2).epoch == 2


def test_any_other_text_is_a_seed_with_either_batching():
    for seed in ("0.12345", "héllo", "\U0001F600 seed", 'a "quoted" \\ seed', "\x00"):
        run = Run({"seed": seed, "batching": "standard", "num_points": 50})
        assert run.config["seed"] == seed and run.step(3).epoch == 3
