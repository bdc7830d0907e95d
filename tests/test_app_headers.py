"""Security headers (app/headers.py) on every kind of HTTP response, and the framing setting
PLAYGROUND_FRAME_ANCESTORS. (That the page runs under its policy: tests/browser/test_page_security.py.)"""

from __future__ import annotations

import pytest

from app import create_app

PATHS = ["/", "/static/js/main.js", "/static/css/playground.css", "/static/favicon.svg", "/api/options",
         "/api/feature-maps", "/api/previews?problem=nope", "/healthz", "/no-such-page"]


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {name: value for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))}


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path, headers={"Host": "class.example.org:8000"})
    assert response.status_code in (200, 400, 404)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    policy = directives(response)
    assert policy["default-src"] == "'none'"
    assert (policy["script-src"], policy["style-src"], policy["img-src"]) == ("'self'", "'self'", "'self' data:")
    assert policy["connect-src"] == "'self' ws://class.example.org:8000 wss://class.example.org:8000"
    assert policy["frame-ancestors"] == "'self'"
    assert "unsafe" not in response.headers["Content-Security-Policy"]


def test_the_page_has_no_inline_script_or_style():
    """What the policy forbids is not in the page (a browser would refuse it silently)."""
    import re
    html = create_app({"TESTING": True}).test_client().get("/").get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S)
    assert len(scripts) == 2 and all(body.strip() == "" for body in scripts)
    assert not re.search(r"\son[a-z]+\s*=", html) and " style=" not in html and "<style" not in html
    assert "javascript:" not in html


def test_a_host_header_that_is_no_host_is_not_written_into_the_policy(client):
    response = client.get("/", headers={"Host": "evil.example; script-src *"})
    assert directives(response)["connect-src"] == "'self'"
    assert directives(response)["script-src"] == "'self'"


@pytest.mark.parametrize("value, expected", [
    ("https://course.example.org", "https://course.example.org"),
    ("'self'   https://course.example.org https://*.lms.example.edu:8443", "'self' https://course.example.org https://*.lms.example.edu:8443"),
    ("*", "*"),
    ("'none'", "'none'"),
])
def test_the_framing_setting_sets_frame_ancestors(value, expected):
    response = create_app({"TESTING": True, "FRAME_ANCESTORS": value}).test_client().get("/")
    assert directives(response)["frame-ancestors"] == expected
    assert directives(response)["script-src"] == "'self'"


def test_the_framing_setting_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_FRAME_ANCESTORS", "https://course.example.org")
    response = create_app().test_client().get("/static/js/main.js")
    assert directives(response)["frame-ancestors"] == "https://course.example.org"


@pytest.mark.parametrize("value", ["", "https://a.example; script-src *", "https://a.example, *", "'none' *",
                                   "'unsafe-inline'", 3, None])
def test_a_bad_framing_setting_is_refused_naming_it(value):
    with pytest.raises(ValueError) as refused:
        create_app({"TESTING": True, "FRAME_ANCESTORS": value})
    # Text that is not CSP sources is judged by app/headers.py; not text at all, by app/settings.py.
    expected = "must be space-separated CSP sources" if isinstance(value, str) else "must be text"
    assert f"PLAYGROUND_FRAME_ANCESTORS: {expected}" in str(refused.value)
