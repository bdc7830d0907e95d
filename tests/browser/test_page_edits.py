"""Weights and biases set by hand live in the URL too (`edits=`): a reload or a server restart
brings them back on the new session, a new network forgets them, and a hand-typed link with edits
that do not fit its network opens with the ones that do."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from playground_page import Frames, open_page, settings, shot, wait_ready, wait_setting


def type_into_editor(page: Page, target: str, value: str) -> None:
    """Click a link or bias of the diagram and type a value, as a student does."""
    page.click(target)
    field = page.locator("[data-editor] input[data-editor-field='0']")
    expect(field).to_be_focused()
    field.fill(value)
    field.press("Enter")
    expect(page.locator("[data-editor]")).to_be_hidden()


def edits(page: Page) -> str | None:
    return settings(page).get("edits")


LINK = "[data-link][data-layer='2'][data-from='0'][data-to='0']"
OUTPUT_BIAS = "[data-bias][data-layer='2'][data-node='0']"
HIDDEN_WEIGHT = "[data-link][data-layer='0'][data-from='1'][data-to='3']"


def test_hand_set_weights_are_in_the_url_and_come_back_after_a_reload(playground, page, output_path):
    frames = Frames(page)
    playground()
    assert edits(page) is None
    type_into_editor(page, LINK, "4")
    wait_setting(page, "edits", "w2.0.0:4")
    type_into_editor(page, OUTPUT_BIAS, "-2.5")
    type_into_editor(page, HIDDEN_WEIGHT, "-1.234567")
    # Frame order: layer by layer, node by node, the bias first; values as the frame's float32.
    wait_setting(page, "edits", "w0.1.3:-1.234567,b2.0:-2.5,w2.0.0:4")
    # The hash follows the server: a frame it sent shows every edit.
    frames.wait_for(lambda f: f["weight"](2, 0, 0) == 4 and f["bias"](2, 0) == -2.5, "with the edits")
    # Training does not forget them; a reload brings back the training (issue 13) and the record.
    page.click("[data-action=step]")
    page.wait_for_selector("[data-app][data-epoch='1']")
    assert edits(page) == "w0.1.3:-1.234567,b2.0:-2.5,w2.0.0:4"
    trained = frames.wait_for(lambda f: f["epoch"] == 1, "of the step")
    moved = trained["weight"](2, 0, 0)
    assert moved != 4  # one step of training moved the hand-set weight
    before = settings(page)

    first = len(frames.received)
    page.reload()
    wait_ready(page)
    frame = frames.wait_for(lambda f: f["epoch"] == 1, "restored after the reload", since=first)
    assert frame["weight"](2, 0, 0) == moved and frame["bias"](2, 0) == trained["bias"](2, 0)
    assert frame["weight"](0, 1, 3) == trained["weight"](0, 1, 3)
    # The server keeps the record of the hand-set weights the network was trained from.
    wait_setting(page, "edits", "w0.1.3:-1.234567,b2.0:-2.5,w2.0.0:4")
    assert settings(page) == before
    # The page shows what the server sent: the diagram reads the trained weight, the editor the bias.
    page.hover(LINK)
    expect(page.locator("[data-hovercard]")).to_contain_text(
        f"Weight from neuron 1 of hidden layer 2 to the output: {moved:.3f}")
    page.click(OUTPUT_BIAS)
    expect(page.locator("[data-editor] input[data-editor-field='0']")).to_have_value(f"{trained['bias'](2, 0):.3f}")
    page.keyboard.press("Escape")
    expect(page.locator("[data-toast]")).to_contain_text("Training restored at epoch 1")
    page.mouse.move(0, 0)
    shot(page, output_path, "edits-after-reload")


def test_a_new_network_forgets_the_edits_and_regenerate_keeps_them(playground):
    page = playground()
    type_into_editor(page, LINK, "3")
    wait_setting(page, "edits", "w2.0.0:3")
    # Regenerate keeps the weights (the playground's behaviour), and so the edits; so does a
    # learning rate, which applies live.
    page.click("[data-action=regenerate]")
    page.wait_for_function("() => !location.hash.includes('seed=0.12345')")
    page.select_option("select[data-config=learning_rate]", "0.1")
    wait_setting(page, "learning_rate", "0.1")
    assert edits(page) == "w2.0.0:3"
    # Reset makes new weights: the edits go.
    page.click("[data-action=reset]")
    page.wait_for_function("() => !location.hash.includes('edits=')")
    # So does a new shape.
    type_into_editor(page, OUTPUT_BIAS, "1.5")
    wait_setting(page, "edits", "b2.0:1.5")
    page.click("[data-network] [data-action=add-neuron][data-layer='1']")
    wait_setting(page, "network_shape", "4,3")
    page.wait_for_function("() => !location.hash.includes('edits=')")
    # And any other setting that makes a new network (here the activation).
    type_into_editor(page, OUTPUT_BIAS, "0.5")
    wait_setting(page, "edits", "b2.0:0.5")
    page.select_option("select[data-config=activation]", "relu")
    wait_setting(page, "activation", "relu")
    page.wait_for_function("() => !location.hash.includes('edits=')")


def test_a_hand_typed_link_applies_the_edits_that_fit_and_leaves_out_the_rest(playground, page, output_path):
    frames = Frames(page)
    messages: list[str] = []
    page.on("websocket", lambda socket: socket.on(
        "framereceived", lambda payload: isinstance(payload, str) and messages.append(payload)))
    # Network [2]: layer 0 is 2 inputs -> 2 neurons, layer 1 is 2 neurons -> the output.
    out_of_range = ["w0.5.0:3", "w9.0.0:1", "b0.7:2", "w0.1.1:2000000", "w0.0.x:1", "nonsense"]
    playground("network_shape=2&dataset=xor&edits=w0.0.0:1.5,b1.0:-0.75,w0.0.0:2.25,"
               + ",".join(out_of_range))
    wait_setting(page, "network_shape", "2")
    wait_setting(page, "edits", "w0.0.0:2.25,b1.0:-0.75")  # the last edit of a weight wins
    frame = frames.wait_for(lambda f: f["sizes"] == [2, 2, 1] and f["weight"](0, 0, 0) == 2.25, "with the link's edits")
    assert frame["bias"](1, 0) == -0.75
    toast = page.locator("[data-toast]")
    expect(toast).to_contain_text("6 hand-set weights in the link do not fit this network and were left out")
    shot(page, output_path, "edits-link-with-bad-ones")
    # The page left out the two it could not read; the server judged the other four and left them
    # out (naming each), refusing nothing; and the page works.
    errors = [json.loads(m) for m in messages if json.loads(m)["type"] == "error"]
    assert [(e["request"], e["code"], e["fields"]) for e in errors] == [("load", "left_out", ["edits"] * 4)]
    expect(page.locator("[data-app]")).to_have_attribute("data-connection", "open")
    page.click("[data-action=step]")
    page.wait_for_selector("[data-app][data-epoch='1']")


def test_a_link_with_more_bad_edits_than_an_error_lists_counts_them_all(playground, page):
    """The server's error lists 20 problems and sums up the rest ("edits: …and 5 more", `more`
    5): the page still counts every edit left out, and names no setting."""
    messages: list[str] = []
    page.on("websocket", lambda socket: socket.on(
        "framereceived", lambda payload: isinstance(payload, str) and messages.append(payload)))
    bad = [f"w0.{n}.0:1" for n in range(5, 30)]  # layer 0 of [2] has inputs 0 and 1 only
    playground("network_shape=2&dataset=xor&edits=b1.0:-0.75," + ",".join(bad))
    wait_setting(page, "edits", "b1.0:-0.75")
    toast = page.locator("[data-toast]")
    expect(toast).to_contain_text("25 hand-set weights in the link do not fit this network and were left out")
    expect(toast).not_to_contain_text("settings")
    errors = [json.loads(m) for m in messages if json.loads(m)["type"] == "error"]
    assert [(len(e["fields"]), e["more"]) for e in errors] == [(21, 5)]


def test_edits_come_back_after_the_server_restarts(page, restartable_server):
    server = restartable_server
    frames = Frames(page)
    open_page(page, server.url, "network_shape=3")
    type_into_editor(page, "[data-link][data-layer='1'][data-from='2'][data-to='0']", "-6")
    wait_setting(page, "edits", "w1.2.0:-6")

    server.stop()
    expect(page.locator("[data-app]")).not_to_have_attribute("data-connection", "open")
    first = len(frames.received)
    server.start()
    expect(page.locator("[data-app]")).to_have_attribute("data-connection", "open", timeout=15_000)
    wait_ready(page)
    frames.wait_for(lambda f: f["weight"](1, 2, 0) == -6, "showing the edit on the new session", since=first)
    wait_setting(page, "edits", "w1.2.0:-6")
