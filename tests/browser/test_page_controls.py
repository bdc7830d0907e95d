"""Every control changes the session. The URL hash is written only from the server's `state`
answer, so a hash holding the new value means the server applied it (display-only settings,
which never go to the server, live in the hash alone)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from playground_page import map_colours, settings, wait_setting


def select(selector: str, value: str):
    return lambda page: page.select_option(selector, value)


def arrow_right(selector: str):
    """Sliders by keyboard: focus, one step right (which also proves they are keyboard-operable)."""
    def act(page):
        page.focus(selector)
        page.keyboard.press("ArrowRight")
    return act


def steps(*actions):
    def act(page):
        for action in actions:
            action(page)
    return act


CONTROLS = [
    ("learning rate", select("select[data-config=learning_rate]", "0.1"), "learning_rate", "0.1"),
    ("activation", select("select[data-config=activation]", "relu"), "activation", "relu"),
    ("extra activation", select("select[data-config=activation]", "swish"), "activation", "swish"),
    ("regularization", select("select[data-config=regularization]", "L2"), "regularization", "L2"),
    ("regularization rate", steps(select("select[data-config=regularization]", "L1"),
                                  select("select[data-config=regularization_rate]", "0.01")),
     "regularization_rate", "0.01"),
    ("problem type", select("select[data-config=problem]", "regression"), "problem", "regression"),
    ("loss", select("select[data-config=loss]", "cross_entropy"), "loss", "cross_entropy"),
    ("optimizer", select("select[data-config=optimizer]", "adam"), "optimizer", "adam"),
    ("dataset", lambda page: page.click("[data-dataset=spiral]"), "dataset", "spiral"),
    ("ratio of training data", arrow_right("input[data-config=train_ratio]"), "train_ratio", "60"),
    ("noise", arrow_right("input[data-config=noise]"), "noise", "5"),
    ("batch size", arrow_right("input[data-config=batch_size]"), "batch_size", "11"),
    ("classes", steps(select("select[data-config=problem]", "multiclass"),
                      lambda page: wait_setting(page, "problem", "multiclass"),
                      arrow_right("input[data-config=num_classes]")), "num_classes", "4"),
    ("speed", select("select[data-speed]", "20"), "speed", "20"),
    ("momentum", steps(select("select[data-config=optimizer]", "momentum"),
                       lambda page: page.click(".more summary"),
                       select("select[data-config=momentum]", "0.5")), "momentum", "0.5"),
    ("batches", steps(lambda page: page.click(".more summary"),
                      select("select[data-config=batching]", "standard")), "batching", "standard"),
    ("starting weights", steps(lambda page: page.click(".more summary"),
                               select("select[data-config=init]", "zeros")), "init", "zeros"),
    ("seed", steps(lambda page: page.click(".more summary"),
                   lambda page: page.fill("input[data-config=seed]", "0.50819"),
                   lambda page: page.press("input[data-config=seed]", "Enter")), "seed", "0.50819"),
    ("show test data", lambda page: page.check("[data-display=showTestData]"), "show_test_data", "true"),
    ("discretize", lambda page: page.check("[data-display=discretize]"), "discretize", "true"),
]


@pytest.mark.parametrize("name, act, key, value", CONTROLS, ids=[c[0] for c in CONTROLS])
def test_each_control_changes_the_session(playground, name, act, key, value):
    page = playground()
    assert settings(page)[key] != value
    act(page)
    wait_setting(page, key, value)


def test_problem_type_switches_datasets_and_loss_menus(playground):
    page = playground()
    page.select_option("select[data-config=problem]", "regression")
    wait_setting(page, "dataset", "reg-plane")
    # The problem's generated datasets, its real table, then "Your data".
    datasets = page.locator("[data-datasets] [data-dataset]")
    expect(datasets).to_have_count(4)
    assert datasets.evaluate_all("els => els.map(e => e.dataset.dataset)") == ["reg-plane", "reg-gauss", "house-prices", "custom"]
    # A table has no points to preview: its button has hello's title and a picture drawn for it.
    houses = page.locator("[data-dataset=house-prices][data-table]")
    title = page.evaluate("fetch('/api/options').then(r => r.json()).then(o => o.tables['house-prices'].title)")
    expect(houses).to_have_text(title)
    assert houses.evaluate("""b => {
        const c = b.querySelector('canvas'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const colours = new Set();
        for (let i = 0; i < d.length; i += 4) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        return colours.size;
    }""") > 2
    expect(page.locator("select[data-config=loss] option")).to_have_count(1)
    expect(page.locator("[data-accuracy]")).to_be_hidden()  # no accuracy for regression
    page.select_option("select[data-config=problem]", "multiclass")
    wait_setting(page, "dataset", "multi-spiral")
    expect(datasets).to_have_count(6)
    assert datasets.evaluate_all("els => els.map(e => e.dataset.dataset)")[-2:] == ["mnist", "custom"]
    expect(page.locator("input[data-config=num_classes]")).to_be_visible()
    expect(page.locator("[data-node=output]")).to_have_count(3)


def test_regenerate_draws_new_data_with_a_new_seed(playground):
    page = playground()
    page.click("[data-action=regenerate]")
    page.wait_for_function("() => !location.hash.includes('seed=0.12345')")
    assert settings(page)["seed"] != "0.12345"
    assert settings(page)["network_shape"] == "4,2"


def test_display_toggles_redraw_without_asking_the_server(playground):
    page = playground()
    page.check("[data-display=showTestData]")
    expect(page.locator("[data-points-canvas]")).to_have_attribute("data-points", "500")
    page.check("[data-display=discretize]")
    page.wait_for_function("() => location.hash.includes('discretize=true')")
    page.wait_for_function(
        """() => {
            const c = document.querySelector('[data-map-canvas]');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            const seen = new Set();
            for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
            return seen.size <= 2;
        }""")
    assert map_colours(page) <= 2


def test_a_refused_setting_is_reported_and_the_control_shows_the_real_value(playground):
    page = playground()
    # A hand-edited link: 50 % of 500 points is 250 training points, so a batch of 300 cannot fit.
    page.evaluate("""() => {
        location.hash = location.hash.replace('batch_size=10', 'batch_size=300').replace('noise=0', 'noise=20');
    }""")
    toast = page.locator("[data-toast]")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("batch_size")
    # The rest of the link still applies; the refused field keeps its old value.
    wait_setting(page, "noise", "20")
    assert settings(page)["batch_size"] == "10"
    expect(page.locator("input[data-config=batch_size]")).to_have_value("10")
    expect(page.locator("[data-app]")).to_have_attribute("data-connection", "open")
