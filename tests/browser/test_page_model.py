"""Your own model, on the page (issue 13): the trained network downloaded as JSON and opened again
in a fresh page, the NumPy script, the map as a PNG, a share link that carries every weight (and
one too long to, which says so), and no training lost to a reload or a server restart: the page
comes back at the same epoch with the same weights, the frames' float32 parameters bit for bit."""

from __future__ import annotations

import base64
import json
import struct

import pytest

from playwright.sync_api import Page, expect

from playground_page import Frames, epoch, open_page, settings, shot, wait_ready, wait_setting

APP = "[data-app]"
PANEL = "[data-model-io]"
NOTE = "[data-model-note]"


def play_to(page: Page, epochs: int) -> None:
    page.select_option("select[data-speed]", "10")
    wait_setting(page, "speed", "10")
    page.click("[data-action=play]")
    page.wait_for_function("n => Number(document.querySelector('[data-app]').dataset.epoch) >= n", arg=epochs)


def pause(page: Page) -> int:
    page.click("[data-action=play]")
    page.wait_for_selector("[data-app][data-playing=false]")
    # The pause's state is the last word: no frame comes after it.
    page.wait_for_function("() => document.querySelector('[data-map]').dataset.frameEpoch === document.querySelector('[data-app]').dataset.epoch")
    return epoch(page)


def wait_epoch(page: Page, wanted: int) -> None:
    page.wait_for_function("n => document.querySelector('[data-app]').dataset.epoch === String(n)"
                           " && document.querySelector('[data-map]').dataset.frameEpoch === String(n)", arg=wanted)


def test_a_downloaded_model_opens_in_a_fresh_page_at_its_epoch_with_its_weights(page, live_server, context, tmp_path, output_path):
    frames = Frames(page)
    open_page(page, live_server.url, "seed=0.12345&activation=relu&network_shape=5,3")
    play_to(page, 40)
    trained = pause(page)
    last = frames.at(trained)

    with page.expect_download() as info:
        page.click("[data-action=download-model]")
    download = info.value
    assert download.suggested_filename == "playground-model.json"
    path = tmp_path / "playground-model.json"
    download.save_as(path)
    model = json.loads(path.read_text())
    assert model["format"] == "nn-playground-model" and model["version"] == 1
    assert model["epoch"] == trained
    assert model["layer_sizes"] == [2, 5, 3, 1] == last["sizes"]
    assert model["config"]["activation"] == "relu" and model["config"]["seed"] == "0.12345"
    # Row j of weights[l] is node j's weights; the frame has its bias first, then the same weights.
    row = last["params"][: 1 + 2]
    assert abs(model["biases"][0][0] - row[0]) < 1e-6 and all(abs(a - b) < 1e-6 for a, b in zip(model["weights"][0][0], row[1:]))
    expect(page.locator(NOTE)).to_contain_text(f"epoch {trained}")

    # A fresh page of other settings opens the file: the session becomes that network, paused.
    fresh = context.new_page()
    fresh_frames = Frames(fresh)
    open_page(fresh, live_server.url, "seed=0.999&dataset=xor&network_shape=2")
    since = len(fresh_frames.received)
    fresh.set_input_files(f"{PANEL} [data-model-file]", str(path))
    wait_epoch(fresh, trained)
    opened = fresh_frames.wait_for(lambda f: f["epoch"] == trained, "at the model's epoch", since)
    assert opened["params"] == last["params"]
    expect(fresh.locator(APP)).to_have_attribute("data-playing", "false")
    wait_setting(fresh, "activation", "relu")
    assert settings(fresh)["seed"] == "0.12345" and settings(fresh)["network_shape"] == "5,3"
    expect(fresh.locator("[data-network]")).to_have_attribute("data-shape", "5,3")
    expect(fresh.locator(NOTE)).to_contain_text(f"Opened the model at epoch {trained}")
    # It trains on from there.
    fresh.click("[data-action=step]")
    wait_epoch(fresh, trained + 1)
    fresh.locator(PANEL).scroll_into_view_if_needed()
    shot(fresh, output_path, "model-opened", full_page=False)


def test_a_file_that_is_not_a_good_model_changes_nothing_and_says_why(playground, page, tmp_path):
    frames = Frames(page)  # before the page opens its websocket
    playground()
    page.click("[data-action=step]")
    wait_epoch(page, 1)
    before = settings(page)
    kept = frames.at(1)

    text = tmp_path / "notes.json"
    text.write_text("this is not json")
    page.set_input_files(f"{PANEL} [data-model-file]", str(text))
    expect(page.locator(NOTE)).to_contain_text("notes.json is not a model file: it is not JSON")

    # A model whose weights do not fit its network: the server's words name the field.
    bad = tmp_path / "bad-model.json"
    with page.expect_download() as info:
        page.click("[data-action=download-model]")
    info.value.save_as(bad)
    model = json.loads(bad.read_text())
    model["weights"][0] = model["weights"][0][:-1]
    bad.write_text(json.dumps(model))
    count = len(frames.received)
    page.set_input_files(f"{PANEL} [data-model-file]", str(bad))
    expect(page.locator(NOTE)).to_contain_text("That model could not be opened: model.")
    expect(page.locator(NOTE)).to_contain_text("Nothing changed.")
    expect(page.locator("[data-toast]")).to_contain_text("model.")
    assert settings(page) == before and epoch(page) == 1
    # Nothing changed: a step goes on from the same weights.
    page.click("[data-action=step]")
    wait_epoch(page, 2)
    assert frames.at(2)["params"] != kept["params"] and len(frames.received) > count


def test_the_numpy_script_and_the_map_picture_download(playground, tmp_path):
    page = playground()
    play_to(page, 20)
    trained = pause(page)
    with page.expect_download() as info:
        page.click("[data-action=download-script]")
    assert info.value.suggested_filename == "playground_model.py"
    script = tmp_path / "playground_model.py"
    info.value.save_as(script)
    source = script.read_text()
    assert "import numpy" in source
    expect(page.locator(NOTE)).to_contain_text(f"playground_model.py: the network at epoch {trained}")

    with page.expect_download() as info:
        page.click("[data-action=download-map]")
    assert info.value.suggested_filename == "playground-map.png"
    picture = tmp_path / "map.png"
    info.value.save_as(picture)
    data = picture.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    side = page.evaluate("() => { const w = document.querySelector('[data-points-canvas]').width;"
                         " return w * Math.ceil(400 / w); }")
    assert side >= 400
    assert width == height == side
    # The picture is the map (orange and blue) with the points on it: every opaque pixel of the
    # points' canvas is in the picture as it is on the page, copied whole-pixel by whole-pixel.
    colours = page.evaluate("""async (bytes) => {
        const blob = new Blob([new Uint8Array(bytes)], {type: 'image/png'});
        const image = await createImageBitmap(blob);
        const c = new OffscreenCanvas(image.width, image.height);
        const ctx = c.getContext('2d');
        ctx.drawImage(image, 0, 0);
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        let orange = 0, blue = 0;
        for (let i = 0; i < d.length; i += 4) {
            const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
            if (r > 200 && b < 120) orange++;
            else if (b > 150 && r < 120) blue++;
        }
        const points = document.querySelector('[data-points-canvas]');
        const p = points.getContext('2d').getImageData(0, 0, points.width, points.height).data;
        const times = c.width / points.width;
        let opaque = 0, same = 0;
        for (let y = 0; y < points.height; y++) {
            for (let x = 0; x < points.width; x++) {
                const i = (y * points.width + x) * 4;
                if (p[i + 3] !== 255) continue;
                opaque++;
                const j = (y * times * c.width + x * times) * 4;
                if (d[j] === p[i] && d[j + 1] === p[i + 1] && d[j + 2] === p[i + 2]) same++;
            }
        }
        return {orange, blue, opaque, same, filled: d[3] === 255};
    }""", list(data))
    assert colours["filled"] and colours["orange"] > 50 and colours["blue"] > 50
    assert colours["opaque"] > 500 and colours["same"] == colours["opaque"]


def test_a_share_link_carries_the_trained_network(playground, page, context, output_path):
    frames = Frames(page)
    playground("seed=0.12345&network_shape=3,2")
    play_to(page, 30)
    trained = pause(page)
    last = frames.at(trained)
    link = page.locator("[data-share-link]")
    expect(link).to_have_attribute("data-trained", str(trained))
    url = link.input_value()
    assert "params=" in url and f"epoch={trained}" in url and len(url) <= 2000
    expect(page.locator("[data-share-note]")).to_contain_text(f"carries the network at epoch {trained}")
    page.click("[data-action=copy-share-link]")
    expect(page.locator(NOTE)).to_contain_text(f"with the network at epoch {trained}")
    # The address bar itself is never rewritten with the weights.
    assert "params=" not in page.evaluate("location.hash")

    friend = context.new_page()
    friend_frames = Frames(friend)
    friend.goto(url)
    wait_ready(friend)
    wait_epoch(friend, trained)
    shown = friend_frames.wait_for(lambda f: f["epoch"] == trained, "at the link's epoch")
    assert shown["params"] == last["params"]
    expect(friend.locator("[data-toast]")).to_contain_text(f"Opened the link's trained network at epoch {trained}")
    assert {k: v for k, v in settings(friend).items()} == settings(page)
    # The classroom builder offers the same: ticked, its link carries the network.
    page.check("[data-builder-weights]")
    expect(page.locator("[data-builder-weights-note]")).to_contain_text(f"opens the network at epoch {trained}")
    assert "params=" in page.input_value("[data-builder-link]")


def test_a_link_too_long_for_the_weights_says_so_and_offers_the_file(playground, output_path):
    features = "x,y,xSquared,ySquared,xTimesY,sinX,sinY"
    page = playground(f"seed=0.12345&features={features}&network_shape=8,8,8,8,8,8")
    page.click("[data-action=step]")
    wait_epoch(page, 1)
    note = page.locator("[data-share-note]")
    expect(note).to_contain_text("over the 2,000 a link can safely carry")
    expect(note).to_contain_text("download the model (JSON)")
    expect(page.locator(PANEL)).to_have_attribute("data-link-too-long", "true")
    url = page.input_value("[data-share-link]")
    assert "params=" not in url and "seed=0.12345" in url
    page.click("[data-action=copy-share-link]")
    expect(page.locator(NOTE)).to_contain_text("too long to carry the weights")
    page.check("[data-builder-weights]")
    expect(page.locator("[data-builder-weights-note]")).to_contain_text("Too long with every weight")
    assert "params=" not in page.input_value("[data-builder-link]")
    page.locator(PANEL).scroll_into_view_if_needed()
    shot(page, output_path, "link-too-long", full_page=False)


def test_a_reload_mid_training_comes_back_at_the_same_epoch_with_the_same_weights(playground, page):
    frames = Frames(page)
    # What the old page left in this tab's storage, read before the new page's scripts run.
    page.add_init_script("window.__keptBefore = sessionStorage.getItem('playground-training');")
    playground("seed=0.12345&optimizer=adam&learning_rate=0.01")
    play_to(page, 60)
    shown = epoch(page)
    count = len(frames.received)
    page.reload()
    wait_ready(page)
    page.wait_for_function("n => Number(document.querySelector('[data-app]').dataset.epoch) >= n", arg=shown)
    restored = epoch(page)
    back = frames.wait_for(lambda f: f["epoch"] == restored, "restored", count)
    # The restored session's frame holds, bit for bit, the weights the old page was sent last.
    kept = json.loads(page.evaluate("() => window.__keptBefore"))
    assert kept["epoch"] == restored
    assert back["params"] == struct.unpack(f"<{len(back['params'])}f", base64.urlsafe_b64decode(kept["params"] + "=="))
    # And the old session's own frame of that epoch, when its event came in before the reload.
    assert all(frame["params"] == back["params"] for frame in frames.received[:count] if frame["epoch"] == restored)
    expect(page.locator(APP)).to_have_attribute("data-playing", "false")
    toast = page.locator("[data-toast]")
    expect(toast).to_contain_text(f"Training restored at epoch {restored:,}")
    expect(toast).to_contain_text("Adam's moment estimates start afresh")
    assert "params=" not in page.evaluate("location.hash")
    # Settings of another network are another training: a link pasted over this one starts fresh.
    page.evaluate("() => { location.hash = 'seed=0.12345&network_shape=3'; }")
    wait_setting(page, "network_shape", "3")
    wait_epoch(page, 0)


def test_a_server_restart_mid_training_comes_back_at_the_same_epoch_with_the_same_weights(page, restartable_server):
    server = restartable_server
    frames = Frames(page)
    open_page(page, server.url, "seed=0.12345&network_shape=4,3")
    play_to(page, 50)
    server.stop()
    expect(page.locator(APP)).not_to_have_attribute("data-connection", "open")
    kept_epoch = epoch(page)
    count = len(frames.received)
    kept = frames.at(kept_epoch)
    assert kept_epoch >= 50

    server.start()
    expect(page.locator(APP)).to_have_attribute("data-connection", "open", timeout=15_000)
    wait_ready(page)
    wait_epoch(page, kept_epoch)
    back = frames.wait_for(lambda f: f["epoch"] == kept_epoch, "restored after the restart", count)
    assert back["params"] == kept["params"]
    expect(page.locator("[data-toast]")).to_contain_text(f"Reconnected: training restored at epoch {kept_epoch:,}")
    # And it trains on from there.
    page.click("[data-action=step]")
    wait_epoch(page, kept_epoch + 1)


def test_the_params_key_round_trips_every_float32_and_refuses_what_it_cannot_read(modules):
    result = modules.evaluate(
        """async () => {
            const { encodeParams, decodeParams, parseHash, withTrained, formatHash } = await import('/static/js/hash.js');
            const { modelOf, layerSizes } = await import('/static/js/model.js');
            const options = await (await fetch('/api/options')).json();
            const params = new Float32Array([0.1, -2.5, 1e-7, 123456.789, -0, 3.4e38, 1.5]);
            const text = encodeParams(params);
            const back = decodeParams(text);
            const hash = withTrained('#seed=1&network_shape=2&edits=b0.0:1&params=old&epoch=9', {params, epoch: 42});
            const link = parseHash('#' + hash, options);
            const config = {...options.defaults, network_shape: [2], features: ['x']};
            const model = modelOf({config, epoch: 42, params});
            return {
                text, same: Array.from(back).every((v, i) => Object.is(v, params[i])),
                hash, epoch: link.epoch, linkParams: Array.from(link.params), edits: link.edits.length,
                bad: [decodeParams('abc'), decodeParams('a*b'), decodeParams(''), decodeParams(encodeParams(new Float32Array([1])).slice(0, 3))],
                nan: decodeParams(encodeParams(new Float32Array([NaN]))),
                badLink: parseHash('#seed=1&params=%%%', options).badParams,
                sizes: layerSizes(config), model,
                misfit: modelOf({config, epoch: 0, params: params.slice(1)}),
                formatted: formatHash({config, display: {}, speed: 1, hidden: new Set(), hideText: false,
                                       edits: [{layer: 0, node: 0, value: 1}], trained: {params, epoch: 7}}),
            };
        }""")
    assert result["same"] and set(result["text"]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len(result["text"]) == 38  # 28 bytes: ⌈28 · 4 / 3⌉ characters, no padding
    assert "edits=" not in result["hash"] and "params=old" not in result["hash"] and result["hash"].endswith("&epoch=42")
    assert result["epoch"] == 42 and result["edits"] == 0 and len(result["linkParams"]) == 7
    assert result["bad"] == [None, None, None, None] and result["nan"] is None and result["badLink"] is True
    assert result["sizes"] == [1, 2, 1]
    model = result["model"]
    assert model["layer_sizes"] == [1, 2, 1] and model["epoch"] == 42 and model["format"] == "nn-playground-model"
    # Frame order: node 0 of layer 1 is (bias 0.1, weight -2.5), node 1 (1e-7, 123456.79); the output (-0, 3.4e38, 1.5).
    assert model["biases"][0] == [pytest.approx(0.1), pytest.approx(1e-7)] and model["weights"][0] == [[-2.5], [pytest.approx(123456.79)]]
    assert model["biases"][1] == [0] and model["weights"][1] == [[pytest.approx(3.4e38), 1.5]]
    assert result["misfit"] is None
    assert "edits=" not in result["formatted"] and result["formatted"].endswith("&epoch=7")
