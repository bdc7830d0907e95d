"""The number of points: a menu in More settings (the problem's default, or a ladder of counts)
that makes the server draw that many points, never leaves a batch larger than the training set,
and is kept in, and read from, the URL like every other setting."""

from __future__ import annotations

from playwright.sync_api import expect

from playground_page import settings, shot, wait_setting

POINTS = "select[data-config=num_points]"
BATCH = "input[data-config=batch_size]"


def open_more(page) -> None:
    page.click("[data-control=advanced] summary")
    expect(page.locator(POINTS)).to_be_visible()


def drawn(page) -> int:
    return int(page.get_attribute("[data-points-canvas]", "data-points"))


def test_choosing_a_number_of_points_draws_that_many(playground, output_path):
    page = playground()
    open_more(page)
    menu = page.locator(POINTS)
    expect(menu).to_have_value("default")
    expect(menu.locator("option:checked")).to_have_text("Default (500)")
    assert menu.locator("option").all_inner_texts() == [
        "Default (500)", "50", "100", "200", "300", "500", "1000", "1500", "2000"]
    page.check("[data-display=showTestData]")  # every point on the map, not just the training half
    page.wait_for_function("() => document.querySelector('[data-points-canvas]').dataset.points === '500'")

    page.select_option(POINTS, "1000")
    wait_setting(page, "num_points", "1000")
    page.wait_for_function("() => document.querySelector('[data-points-canvas]').dataset.points === '1000'")
    expect(menu).to_have_value("1000")
    shot(page, output_path, "points-1000")

    page.select_option(POINTS, "default")
    wait_setting(page, "num_points", "default")
    page.wait_for_function("() => document.querySelector('[data-points-canvas]').dataset.points === '500'")
    expect(menu).to_have_value("default")
    expect(page.locator("[data-toast]")).to_be_hidden()


def test_default_follows_the_problem(playground):
    page = playground()
    open_more(page)
    page.select_option("select[data-config=problem]", "regression")
    wait_setting(page, "problem", "regression")
    expect(page.locator(f"{POINTS} option:checked")).to_have_text("Default (1200)")
    assert settings(page)["num_points"] == "default"
    page.wait_for_function("() => document.querySelector('[data-points-canvas]').dataset.points === '600'")


def test_few_points_lower_the_batch_size_and_training_goes_on(playground):
    page = playground("batch_size=30&train_ratio=50")
    wait_setting(page, "batch_size", "30")
    open_more(page)
    # 50 points, half of them for training: 25, so a batch of 30 no longer fits.
    page.select_option(POINTS, "50")
    wait_setting(page, "num_points", "50")
    s = settings(page)
    assert (s["num_points"], s["batch_size"]) == ("50", "25")
    expect(page.locator(BATCH)).to_have_value("25")
    expect(page.locator(BATCH)).to_have_attribute("max", "25")  # the slider stops at the training set
    assert drawn(page) == 25
    expect(page.locator("[data-toast]")).to_be_hidden()

    # A smaller training share lowers it again, in the same change.
    page.focus("input[data-config=train_ratio]")
    page.keyboard.press("Home")
    wait_setting(page, "train_ratio", "10")
    assert settings(page)["batch_size"] == "5"
    expect(page.locator(BATCH)).to_have_attribute("max", "5")
    expect(page.locator("[data-toast]")).to_be_hidden()

    page.click("[data-action=step]")
    page.wait_for_selector("[data-app][data-epoch='1']")
    expect(page.locator("[data-app]")).to_have_attribute("data-connection", "open")
    expect(page.locator("[data-toast]")).to_be_hidden()

    # Back to more points: the batch size stays, and the slider offers the original's 30 again.
    page.select_option(POINTS, "default")
    wait_setting(page, "num_points", "default")
    assert settings(page)["batch_size"] == "5"
    expect(page.locator(BATCH)).to_have_attribute("max", "30")


def test_a_link_with_a_number_of_points_shows_it(playground):
    page = playground("num_points=300&seed=0.4")
    wait_setting(page, "num_points", "300")
    open_more(page)
    expect(page.locator(POINTS)).to_have_value("300")
    assert drawn(page) == 150


def test_a_link_off_the_ladder_is_shown_and_kept(playground):
    page = playground("num_points=750&seed=0.4")
    wait_setting(page, "num_points", "750")
    open_more(page)
    menu = page.locator(POINTS)
    expect(menu).to_have_value("750")
    assert menu.locator("option").all_inner_texts() == [
        "Default (500)", "50", "100", "200", "300", "500", "750", "1000", "1500", "2000"]
    # Another change keeps it (the menu does not fall back to a ladder value).
    page.select_option("select[data-config=activation]", "relu")
    wait_setting(page, "activation", "relu")
    assert settings(page)["num_points"] == "750"
    expect(menu).to_have_value("750")


def test_a_hand_typed_link_with_few_points_gets_a_batch_that_fits(playground):
    # No batch size named: the default 10 would not fit 5 training points, so it is lowered.
    page = playground("num_points=50&train_ratio=10&noise=10")
    wait_setting(page, "num_points", "50")
    s = settings(page)
    assert (s["train_ratio"], s["noise"], s["batch_size"]) == ("10", "10", "5")
    expect(page.locator("[data-toast]")).to_be_hidden()


def test_a_link_whose_batch_cannot_fit_opens_with_the_rest(playground):
    # The named batch is refused; the session's own (10) does not fit 5 training points either.
    page = playground("num_points=50&train_ratio=10&batch_size=20&activation=relu")
    wait_setting(page, "num_points", "50")
    s = settings(page)
    assert (s["train_ratio"], s["activation"], s["batch_size"]) == ("10", "relu", "5")
    expect(page.locator("[data-toast]")).to_contain_text("batch_size")


def test_num_points_hide_hides_the_control(playground):
    page = playground("numPoints_hide=true")
    page.click("[data-control=advanced] summary")
    expect(page.locator("[data-control=numPoints]")).to_be_hidden()
    expect(page.locator("[data-control=init]")).to_be_visible()
    assert "numPoints_hide=true" in page.evaluate("location.hash")
