"""The URL is the user's durable state: a reload restores every setting, a link from the original
TensorFlow Playground opens with its settings, and classroom links hide chosen controls."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from playground_page import settings, shot, wait_ready, wait_setting

# The 15 controls the original can hide with `<control>_hide=true` (docs/reference.md §4).
HIDABLE = ["showTestData", "discretize", "playButton", "stepButton", "resetButton", "learningRate",
           "activation", "regularization", "regularizationRate", "problem", "dataset", "percTrainData",
           "noise", "batchSize", "numHiddenLayers"]


def test_reload_restores_every_setting(playground):
    page = playground()
    page.select_option("select[data-config=activation]", "relu")
    wait_setting(page, "activation", "relu")
    page.click("[data-dataset=xor]")
    wait_setting(page, "dataset", "xor")
    page.click("[data-action=add-layer]")
    wait_setting(page, "network_shape", "4,2,2")
    page.click("[data-node=input][data-feature=sinY]")
    wait_setting(page, "features", "x,y,sinY")
    page.select_option("select[data-speed]", "5")
    wait_setting(page, "speed", "5")
    page.check("[data-display=showTestData]")
    wait_setting(page, "show_test_data", "true")
    page.click("[data-action=regenerate]")
    page.wait_for_function("() => !location.hash.includes('seed=0.12345')")
    before = settings(page)

    page.reload()
    wait_ready(page)
    wait_setting(page, "seed", before["seed"])
    assert settings(page) == before
    expect(page.locator("select[data-config=activation]")).to_have_value("relu")
    expect(page.locator("[data-dataset=xor]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-network]")).to_have_attribute("data-shape", "4,2,2")
    expect(page.locator("[data-node=input][data-feature=sinY]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("select[data-speed]")).to_have_value("5")
    expect(page.locator("[data-display=showTestData]")).to_be_checked()


ORIGINAL_LINK = (
    "activation=relu&batchSize=20&dataset=xor&regDataset=reg-plane&learningRate=0.1"
    "&regularizationRate=0.003&noise=15&networkShape=3,2,1&seed=0.50819&showTestData=true"
    "&discretize=true&percTrainData=70&x=true&y=false&xTimesY=true&xSquared=false&ySquared=true"
    "&cosX=false&sinX=true&cosY=false&sinY=false&collectStats=false&problem=classification"
    "&initZero=false&hideText=false&regularization=L2")


def test_an_original_playground_link_opens_with_its_settings(playground, output_path):
    page = playground(ORIGINAL_LINK)
    wait_setting(page, "seed", "0.50819")
    s = settings(page)
    assert s["activation"] == "relu"
    assert s["batch_size"] == "20"
    assert s["dataset"] == "xor"
    assert s["learning_rate"] == "0.1"
    assert s["regularization"] == "L2"
    assert s["regularization_rate"] == "0.003"
    assert s["noise"] == "15"
    assert s["network_shape"] == "3,2,1"
    assert s["train_ratio"] == "70"
    assert s["features"] == "x,ySquared,xTimesY,sinX"  # x1, x2², x1x2, sin(x1), in the engine's order
    assert s["init"] == "random"
    assert (s["show_test_data"], s["discretize"]) == ("true", "true")
    expect(page.locator("[data-display=discretize]")).to_be_checked()
    expect(page.locator("[data-network]")).to_have_attribute("data-shape", "3,2,1")
    expect(page.locator("[data-node=input][aria-pressed=true]")).to_have_count(4)
    expect(page.locator("select[data-config=learning_rate]")).to_have_value("0.1")
    shot(page, output_path, "original-link")


def test_an_original_regression_link_uses_its_regression_dataset(playground):
    page = playground("problem=regression&dataset=circle&regDataset=reg-gauss&networkShape=&initZero=true"
                      "&seed=0.245&learningRate=0.01&x=true&y=true")
    wait_setting(page, "seed", "0.245")
    s = settings(page)
    assert (s["problem"], s["dataset"], s["network_shape"], s["init"]) == ("regression", "reg-gauss", "", "zeros")
    expect(page.locator("[data-node=hidden]")).to_have_count(0)
    expect(page.locator("[data-link]")).to_have_count(2)


def test_an_original_link_without_a_seed_gets_a_random_one(playground):
    page = playground("activation=linear&networkShape=1&learningRate=0.01")
    wait_setting(page, "activation", "linear")
    assert settings(page)["seed"] != "0.12345"


def test_classroom_hide_keys_hide_those_controls(playground, output_path):
    page = playground("&".join(f"{name}_hide=true" for name in HIDABLE) + "&hideText=true&numNodes_hide=true")
    for name in HIDABLE:
        controls = page.locator(f"[data-control={name}]")
        assert controls.count() >= 1, name
        expect(controls.first).to_be_hidden()
    expect(page.locator("[data-network] [data-control=numNodes]").first).to_be_hidden()
    expect(page.locator("[data-text]").first).to_be_hidden()
    # Our own controls follow the original ones they extend, so the lesson is locked...
    for name in ("loss", "optimizer", "speed", "regenerate", "advanced", "seed", "numPoints", "numClasses"):
        expect(page.locator(f"[data-control={name}]").first).to_be_hidden()
    # ...and what is not a control stays: the map, the network.
    expect(page.locator("[data-map]")).to_be_visible()
    expect(page.locator("[data-network] [data-node=hidden]").first).to_be_visible()
    # The hide keys survive the page rewriting its hash, so a reload keeps the lesson's view.
    assert "learningRate_hide=true" in page.evaluate("location.hash")
    shot(page, output_path, "classroom-all-hidden")
    page.reload()
    wait_ready(page)
    expect(page.locator("[data-control=learningRate]")).to_be_hidden()


@pytest.mark.parametrize("name", HIDABLE)
def test_each_hide_key_hides_only_its_control(playground, name):
    page = playground(f"{name}_hide=true")
    expect(page.locator(f"[data-control={name}]").first).to_be_hidden()
    others = [other for other in HIDABLE if other != name]
    for other in others:
        expect(page.locator(f"[data-control={other}]").first).to_be_visible()


def test_a_link_with_a_refused_value_opens_with_the_rest_of_its_settings(playground):
    page = playground("batch_size=300&noise=20&activation=relu&network_shape=3")
    wait_setting(page, "network_shape", "3")
    s = settings(page)
    assert (s["noise"], s["activation"], s["batch_size"]) == ("20", "relu", "10")
    expect(page.locator("[data-toast]")).to_contain_text("batch_size")
