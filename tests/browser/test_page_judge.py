"""The server judges and hello tells: the page builds its menus from hello, draws pictures the
engine computed, and sends what the user asks for, showing the server's verdict (with the field
it names) instead of judging values itself."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from playground_page import settings, wait_setting


def hello(page) -> dict:
    return page.evaluate("async () => (await (await fetch('/api/options')).json())")


def options_of(page, selector: str) -> list[str]:
    return page.locator(f"{selector} option").evaluate_all("els => els.map(e => e.value)")


def test_the_menus_are_the_ones_hello_gives(playground):
    page = playground("optimizer=momentum")
    options = hello(page)
    assert options_of(page, "select[data-speed]") == ["1", "2", "5", "10", "20", "50", "100"]
    page.click("[data-control=advanced] summary")
    assert options_of(page, "select[data-config=momentum]") == [str(m) for m in options["momentum"]]
    assert options_of(page, "select[data-config=num_points]") == ["default", *map(str, options["num_points"])]
    assert [float(v) for v in options_of(page, "select[data-config=learning_rate]")] == options["learning_rate"]
    # The batch slider stops at the original's 30, or at the training set when that is smaller.
    slider = page.locator("input[data-config=batch_size]")
    expect(slider).to_have_attribute("max", str(options["menu_limits"]["batch_size"]))
    page.select_option("select[data-config=num_points]", "50")
    wait_setting(page, "num_points", "50")
    expect(slider).to_have_attribute("max", "25")
    assert settings(page)["batch_size"] == "10"
    expect(page.locator(".x-axis [data-axis-end=high]")).to_have_text("6")


def test_switching_off_the_last_feature_is_the_servers_to_refuse(playground, page):
    texts: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: isinstance(p, str) and texts.append(p)))
    playground("features=x")
    wait_setting(page, "features", "x")
    page.click("[data-node=input][data-feature=x]")
    expect(page.locator("[data-toast]")).to_contain_text("features: must be a non-empty list")
    assert settings(page)["features"] == "x"
    expect(page.locator("[data-node=input][data-feature=x]")).to_have_attribute("aria-pressed", "true")
    for _ in range(20):  # the page has shown it; the test's copy of the frame may trail a little
        errors = [m for m in map(json.loads, texts) if m["type"] == "error"]
        if errors:
            break
        page.wait_for_timeout(100)
    assert [(e["request"], e["fields"]) for e in errors] == [("configure", ["features"])]


def test_the_input_pictures_are_the_engines_feature_maps(playground):
    page = playground()
    page.wait_for_function("""() => {
        const c = document.querySelector('[data-node=input][data-feature=xSquared] canvas');
        return c.width === 10 && c.getContext('2d').getImageData(0, 0, 10, 10).data.some((v, i) => i % 4 !== 3 && v < 200);
    }""")
    page.hover("[data-node=input][data-feature=xSquared]")
    expect(page.locator("[data-map-label]")).to_have_text("Input feature X₁²")
