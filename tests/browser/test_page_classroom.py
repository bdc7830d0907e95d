"""Classroom links lock a lesson: our own controls follow the original control they extend, each
also has its own hide key, a hidden dataset survives switching the problem, the divergence notice
offers nothing the link hid, layers count as the original counts them; and a teacher can make such
a link with the builder instead of typing it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from playground_page import choose, settings, shot, wait_ready, wait_setting

FOLLOWERS = {"regenerate": "dataset", "seed": "dataset", "numPoints": "dataset", "numClasses": "dataset",
             "loss": "problem", "optimizer": "learningRate", "momentum": "learningRate",
             "batching": "batchSize", "speed": "playButton", "init": "resetButton"}


def hidden_by_link(page, name: str) -> bool:
    """The page hid this control (its `hidden` property), whether or not More settings is open."""
    return page.evaluate("name => document.querySelector(`[data-control=${name}]`).hidden", name)


# Momentum shows with the momentum optimizer, the number of classes with several classes.
SHOWS_ALL = "optimizer=momentum&problem=multiclass"


@pytest.mark.parametrize("follower, leader", FOLLOWERS.items())
def test_our_controls_follow_the_original_control_they_extend(playground, follower, leader):
    page = playground(f"{leader}_hide=true&{SHOWS_ALL}")
    expect(page.locator(f"[data-control={leader}]").first).to_be_hidden()
    assert hidden_by_link(page, follower)


@pytest.mark.parametrize("name", FOLLOWERS)
def test_each_of_our_controls_has_its_own_hide_key(playground, name):
    page = playground(f"{name}_hide=true&{SHOWS_ALL}")
    assert hidden_by_link(page, name)
    expect(page.locator(f"[data-control={FOLLOWERS[name]}]").first).to_be_visible()
    others = [other for other in FOLLOWERS if other != name]
    assert not any(hidden_by_link(page, other) for other in others)


def test_more_settings_goes_when_everything_in_it_is_hidden(playground):
    page = playground("dataset_hide=true&learningRate_hide=true&batchSize_hide=true&resetButton_hide=true")
    expect(page.locator("[data-control=advanced]")).to_be_hidden()
    page = playground("dataset_hide=true")
    expect(page.locator("[data-control=advanced]")).to_be_visible()  # batches and starting weights are left


def test_with_the_dataset_hidden_switching_the_problem_comes_back_to_the_links_dataset(playground):
    page = playground("seed=0.3&dataset=xor&dataset_hide=true")
    wait_setting(page, "dataset", "xor")
    choose(page, "problem", "regression")
    choose(page, "problem", "classification")
    assert settings(page)["dataset"] == "xor"


def test_an_original_links_regression_dataset_is_kept_for_when_the_problem_switches(playground):
    page = playground("dataset=spiral&regDataset=reg-gauss&problem=classification&seed=0.2&x=true&y=true")
    wait_setting(page, "dataset", "spiral")
    choose(page, "problem", "regression")
    assert settings(page)["dataset"] == "reg-gauss"


def test_layer_steppers_count_layers_as_the_original(playground):
    page = playground("network_shape=3,2&numNodes1_hide=true")
    steppers = page.locator("[data-network] .stepper")
    expect(page.locator("[data-network] [data-control=numNodes1]")).to_be_hidden()
    expect(page.locator("[data-network] [data-control=numNodes2]")).to_be_visible()
    expect(page.locator("[data-action=add-neuron][data-layer='0']")).to_be_hidden()  # the first hidden layer
    expect(page.locator("[data-action=add-neuron][data-layer='1']")).to_be_visible()
    assert steppers.count() == 2


DIVERGES = "problem=regression&dataset=reg-gauss&activation=relu&learning_rate=10&network_shape=8,8,8&seed=0.1&speed=50"


def diverge(page) -> None:
    page.click("[data-action=play]")
    page.wait_for_selector("[data-app][data-diverged=true]", timeout=20_000)
    expect(page.locator("[data-diverged-notice]")).to_be_visible()


def test_the_divergence_notice_offers_no_button_that_changes_a_hidden_setting(playground):
    page = playground(DIVERGES)
    diverge(page)
    notice = page.locator("[data-diverged-notice]")
    expect(notice.locator("[data-action=lower-rate]")).to_be_visible()
    expect(notice.locator("[data-action=reset]")).to_be_visible()

    page = playground(DIVERGES + "&learningRate_hide=true")
    diverge(page)
    expect(notice.locator("[data-action=lower-rate]")).to_be_hidden()
    expect(notice.locator("[data-action=reset]")).to_be_visible()

    page = playground(DIVERGES + "&resetButton_hide=true")
    diverge(page)
    expect(notice.locator("[data-action=lower-rate]")).to_be_hidden()  # it resets too
    expect(notice.locator("[data-action=reset]")).to_be_hidden()


def test_the_builder_makes_a_link_that_locks_those_controls(playground, context, output_path):
    page = playground("seed=0.4&dataset=xor&network_shape=2")
    builder = page.locator("[data-link-builder]")
    expect(builder).to_be_visible()
    link = page.locator("[data-builder-link]")
    expect(link).to_have_value(page.evaluate("location.href"))  # nothing unticked yet: this page's link
    page.uncheck("[data-builder-control=learningRate]")
    expect(page.locator("[data-builder-control=optimizer]")).to_be_disabled()  # hidden with it
    expect(page.locator("[data-builder-control=optimizer]")).not_to_be_checked()
    page.uncheck("[data-builder-control=dataset]")
    page.uncheck("[data-builder-input=xTimesY]")
    page.uncheck("[data-builder-text]")
    value = link.input_value()
    for key in ("learningRate_hide=true", "dataset_hide=true", "xTimesY_hide=true", "hideText=true",
                "seed=0.4", "dataset=xor", "network_shape=2"):
        assert key in value, key
    shot(page, output_path, "classroom-link-builder")
    page.click("[data-builder-copy]")
    expect(page.locator("[data-builder-note]")).not_to_be_empty()
    # This page is left as it was.
    expect(page.locator("[data-control=learningRate]")).to_be_visible()
    assert "_hide" not in page.evaluate("location.hash")

    student = context.new_page()
    student.goto(value)
    wait_ready(student)
    wait_setting(student, "seed", "0.4")
    for name in ("learningRate", "optimizer", "dataset", "regenerate", "seed"):
        expect(student.locator(f"[data-control={name}]").first).to_be_hidden()
    expect(student.locator("[data-node=input][data-feature=xTimesY]")).to_have_count(0)
    expect(student.locator("[data-text]").first).to_be_hidden()
    expect(student.locator("[data-link-builder]")).to_be_hidden()  # a locked lesson offers no way out


def test_ticking_a_control_again_takes_it_out_of_the_link(playground):
    page = playground()
    page.uncheck("[data-builder-control=noise]")
    assert "noise_hide=true" in page.locator("[data-builder-link]").input_value()
    page.check("[data-builder-control=noise]")
    assert "noise_hide" not in page.locator("[data-builder-link]").input_value()
    # The link follows the page: a changed setting is in it at once.
    page.select_option("select[data-config=activation]", "relu")
    wait_setting(page, "activation", "relu")
    expect(page.locator("[data-builder-link]")).to_have_value(page.evaluate("location.href"))
