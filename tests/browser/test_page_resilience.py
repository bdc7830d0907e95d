"""The page survives its server: after a restart it says so, reconnects by itself and restores the
user's settings from the URL. And it is self-contained: no request leaves the server's origin."""

from __future__ import annotations

from playwright.sync_api import expect

from playground_page import open_page, settings, shot, wait_ready, wait_setting


def test_the_page_recovers_after_the_server_restarts(page, restartable_server, output_path):
    server = restartable_server
    open_page(page, server.url)
    page.select_option("select[data-config=activation]", "relu")
    wait_setting(page, "activation", "relu")
    page.click("[data-network] [data-action=add-neuron][data-layer='1']")
    wait_setting(page, "network_shape", "4,3")
    page.select_option("select[data-speed]", "10")
    wait_setting(page, "speed", "10")
    page.click("[data-action=play]")
    page.wait_for_function("() => Number(document.querySelector('[data-app]').dataset.epoch) > 20")
    before = settings(page)

    server.stop()
    app = page.locator("[data-app]")
    expect(app).not_to_have_attribute("data-connection", "open")
    banner = page.locator("[data-banner]")
    expect(banner).to_be_visible()
    expect(page.locator("[data-connection-status]")).to_contain_text("Reconnecting")
    expect(page.locator(".workspace")).to_have_attribute("inert", "")
    shot(page, output_path, "server-down")

    server.start()
    expect(app).to_have_attribute("data-connection", "open", timeout=15_000)
    wait_ready(page)
    expect(banner).to_be_hidden()
    expect(page.locator("[data-toast]")).to_contain_text("Reconnected")
    assert settings(page) == before
    expect(page.locator("select[data-config=activation]")).to_have_value("relu")
    expect(page.locator("[data-network]")).to_have_attribute("data-shape", "4,3")
    expect(page.locator("select[data-speed]")).to_have_value("10")
    # A fresh session: it starts again from epoch 0 and trains when asked.
    page.click("[data-action=play]")
    page.wait_for_function("() => Number(document.querySelector('[data-app]').dataset.epoch) > 20")
    shot(page, output_path, "server-back")


def test_no_request_leaves_the_origin(page, live_server):
    requests: list[str] = []
    sockets: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("websocket", lambda ws: sockets.append(ws.url))
    open_page(page, live_server.url)
    page.click("[data-action=play]")
    page.wait_for_function("() => Number(document.querySelector('[data-app]').dataset.epoch) > 30")
    page.hover("[data-node=hidden][data-neuron='2']")
    page.wait_for_selector("[data-map][data-painted=neuron]")
    page.click("[data-dataset=spiral]")
    wait_setting(page, "dataset", "spiral")
    page.select_option("select[data-config=problem]", "multiclass")
    wait_setting(page, "problem", "multiclass")
    page.click(".more summary")
    assert requests, "the recorder saw the page load"
    strays = [url for url in requests if not url.startswith(live_server.url + "/")]
    assert strays == []
    assert sockets == [live_server.ws_url]
    # Nothing in the page names another origin either (fonts, scripts, images).
    html = page.content()
    assert "http://" not in html.replace(live_server.url, "") and "https://" not in html


def test_a_script_lost_while_loading_is_fetched_again(page, live_server):
    """A network blip during load (Chromium reports ERR_NETWORK_CHANGED when interfaces change)
    must not leave a dead page: it reloads itself and starts."""
    failures = []

    def flaky(route):
        if not failures:
            failures.append(route.request.url)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/static/js/frame.js", flaky)
    open_page(page, live_server.url)
    assert failures, "the first load of frame.js was refused"
    expect(page.locator("[data-network] [data-node=hidden]")).to_have_count(6)


def test_a_tab_over_the_addresss_limit_says_so_and_connects_once_another_closes(browser, output_path):
    from servers import LiveServer
    with LiveServer({"SESSIONS_PER_ADDRESS": 1}) as server:
        first = browser.new_page()
        open_page(first, server.url)
        second = browser.new_page()
        second.goto(server.url + "/#seed=0.12345")
        expect(second.locator("[data-banner]")).to_contain_text("Too many playground tabs are open from this computer")
        expect(second.locator("[data-app]")).to_have_attribute("data-connection", "crowded")
        shot(second, output_path, "address-full")
        first.close()  # a seat frees: the waiting tab comes in (by itself within 5 s, or at once:)
        second.click("[data-action=retry]")
        wait_ready(second)
        second.close()
