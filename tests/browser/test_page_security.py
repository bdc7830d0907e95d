"""The page under its own Content-Security-Policy (app/headers.py): Chromium reports no violation
while it loads, trains and its views are used, the policy is really enforced, and the page still
reloads itself when its code fails to load (boot.js, which replaced an inline onerror)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from playground_page import open_page, wait_ready, wait_setting
from servers import LiveServer

# Every violation the document reports, with what it refused; installed before the page's own code.
LISTEN = """document.addEventListener("securitypolicyviolation", (e) => {
  (window.__violations ||= []).push(`${e.effectiveDirective} refused ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});"""


def violations(page) -> list[str]:
    return page.evaluate("window.__violations || []")


def test_the_page_trains_and_its_views_work_without_a_policy_violation(page, live_server):
    page.add_init_script(LISTEN)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    policies: list[str] = []
    page.on("response", lambda r: policies.append(r.headers.get("content-security-policy", ""))
            if r.url.split("#")[0].rstrip("/") == live_server.url else None)
    open_page(page, live_server.url)
    assert policies and "script-src 'self'" in policies[0] and "style-src 'self'" in policies[0]
    # Train, and use the main views while it trains.
    page.click("[data-action=play]")
    page.wait_for_function("() => Number(document.querySelector('[data-app]').dataset.epoch) > 30")
    for neuron in range(4):
        page.hover(f"[data-node=hidden][data-neuron='{neuron}']")  # the big map shows the neuron
    page.hover("[data-node=input][data-feature=sinX]")
    page.locator("[data-link][data-layer='2'][data-from='0']").hover()  # the weight's hover card
    expect(page.locator("[data-hovercard]")).to_be_visible()
    page.click("[data-action=play]")
    page.click("[data-link][data-layer='2'][data-from='0']")  # the weight editor
    page.locator("[data-editor] input[data-editor-field='0']").fill("2")
    page.keyboard.press("Enter")
    wait_setting(page, "edits", "w2.0.0:2")
    page.click("[data-datasets] [data-dataset=xor]")  # the dataset buttons' previews
    wait_setting(page, "dataset", "xor")
    page.select_option("select[data-config=problem]", "multiclass")  # class colours, another legend
    wait_setting(page, "problem", "multiclass")
    page.click("[data-action=add-layer]")
    wait_setting(page, "network_shape", "4,2,2")
    page.check("[data-display=showTestData]")
    page.check("[data-display=discretize]")
    page.click("[data-action=regenerate]")
    page.click("[data-action=step]")
    page.uncheck("[data-builder-control=learningRate]")  # the classroom-link builder
    page.click("[data-builder-copy]")
    expect(page.locator("[data-builder-note]")).not_to_be_empty()
    page.set_viewport_size({"width": 800, "height": 1000})  # the layout redraws the diagram
    page.wait_for_function("() => document.querySelector('[data-network]').clientWidth < 780")
    page.wait_for_timeout(200)  # violations are reported asynchronously
    assert violations(page) == [] and console == []
    # The policy is in force and the listener hears it: a style attribute in markup is refused.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<b style=\"color: red\">x</b>')")
    page.wait_for_function("() => (window.__violations || []).length > 0")
    assert [v.split()[0] for v in violations(page)] == ["style-src-attr"]


def test_a_page_whose_code_fails_to_load_reloads_itself(page, live_server):
    """A network blip while loading main.js: boot.js reloads the page, which then works."""
    failures: list[str] = []

    def fail_once(route):
        if not failures:
            failures.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.add_init_script(LISTEN)
    page.route("**/static/js/main.js", fail_once)
    page.goto(f"{live_server.url}/#seed=0.12345")
    wait_ready(page)
    assert len(failures) == 1
    assert page.evaluate("sessionStorage.getItem('playground-reloads')") is None  # main.js cleared it
    assert violations(page) == []




class CoursePage:
    """A course site: /lesson?URL is a page that frames the playground at URL, served from another
    origin on loopback (http://localhost:PORT, while the playground is on http://127.0.0.1)."""

    def __init__(self):
        import http.server
        import threading

        class Lesson(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                frame_url = self.path.partition("?")[2]
                body = f'<!doctype html><iframe src="{frame_url}/#seed=0.5" width="1000" height="800"></iframe>'.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Lesson)
        self.origin = f"http://localhost:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def frame(self, page, url: str):
        """Open the lesson framing `url`; its frame, once the playground's answer has come."""
        with page.expect_response(lambda r: r.url.startswith(url) and r.request.resource_type == "document"):
            page.goto(f"{self.origin}/lesson?{url}")
        page.wait_for_timeout(300)
        return page.frames[1]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def course():
    site = CoursePage()
    yield site
    site.close()


def test_a_course_site_may_frame_the_page_only_once_the_setting_allows_it(page, live_server, course):
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    refused = course.frame(page, live_server.url)  # the default, 'self': another site's frame stays empty
    assert refused.url.startswith("chrome-error:") and refused.query_selector("[data-app]") is None
    assert any("frame-ancestors 'self'" in text for text in console), console
    with LiveServer({"FRAME_ANCESTORS": f"'self' {course.origin}"}) as allowing:
        framed = course.frame(page, allowing.url)
        framed.wait_for_selector("[data-app][data-connection=open]")
        framed.wait_for_function("() => Number(document.querySelector('[data-map]').dataset.framesRendered) > 0")
        framed.click("[data-action=step]")
        framed.wait_for_selector("[data-app][data-epoch='1']")
