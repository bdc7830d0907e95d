"""The "raise the learning rate" experiment shows something: a classification network that a huge
learning rate has saturated says so on its map, says that lowering the rate alone will not help,
and offers the way back (unless the lesson hides it)."""

from __future__ import annotations

from playwright.sync_api import expect

from playground_page import choose, settings, shot, train, wait_setting

STALLS = "seed=0.03&learning_rate=10&speed=20"


def play_until_stalled(page) -> None:
    page.click("[data-action=play]")
    expect(page.locator("[data-stalled-notice]")).to_be_visible(timeout=20_000)


def test_a_saturated_network_says_what_happened_and_how_to_recover(playground, output_path):
    page = playground(STALLS)
    notice = page.locator("[data-stalled-notice]")
    expect(notice).to_be_hidden()
    play_until_stalled(page)
    expect(notice).to_contain_text("Training has stalled")
    expect(notice).to_contain_text("stuck at −1 or +1")
    expect(notice).to_contain_text("a smaller learning rate alone will not help")
    expect(notice).to_have_attribute("data-layer", "output")
    recover = notice.locator("[data-action=recover]")
    expect(recover).to_have_text("Lower the rate to 0.03 and reset")
    shot(page, output_path, "stalled")
    # The notice's way out: a rate that trains, and new weights; the network then learns.
    recover.click()
    page.wait_for_selector("[data-app][data-epoch='0']")
    wait_setting(page, "learning_rate", "0.03")
    expect(notice).to_be_hidden()
    train(page, 300)
    expect(notice).to_be_hidden()
    assert float(page.text_content("[data-metric=train_loss]")) < 0.2


def test_lowering_the_rate_alone_leaves_a_stalled_network_stalled(playground):
    page = playground(STALLS)
    play_until_stalled(page)
    choose(page, "learning_rate", "0.03")
    page.wait_for_function("() => Number(document.querySelector('[data-app]').dataset.epoch) >= 1500")
    expect(page.locator("[data-stalled-notice]")).to_be_visible()


def test_the_stalled_notice_offers_no_button_a_lesson_hides(playground):
    page = playground(STALLS + "&learningRate_hide=true")
    play_until_stalled(page)
    notice = page.locator("[data-stalled-notice]")
    expect(notice.locator("[data-action=recover]")).to_be_hidden()
    expect(notice.locator("[data-action=reset]")).to_be_visible()
    notice.locator("[data-action=reset]").click()
    page.wait_for_selector("[data-app][data-epoch='0']")
    expect(notice).to_be_hidden()
    assert settings(page)["learning_rate"] == "10"


def test_things_to_try_says_what_a_large_learning_rate_really_does(playground):
    page = playground()
    text = page.locator("footer").inner_text()
    assert "until training diverges" not in text
    assert "stalls" in text and "diverges" in text
