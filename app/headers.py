"""Security headers on every HTTP response (the page, its static files, the API, errors): a
Content-Security-Policy that the page satisfies as it is (its own scripts and styles, no inline
script, its own websocket), `X-Content-Type-Options: nosniff`, a same-origin referrer policy, and
who may show the page in a frame: the server's own pages, or the sources PLAYGROUND_FRAME_ANCESTORS
lists, for courses that embed the playground (docs/deployment.md, "Embedding").
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, request

# Everything but connect-src, which names the websocket of the host the page was loaded from, and
# frame-ancestors, which comes from the setting. img-src allows data: for the CSS's drawn arrows;
# styles set from script (element.style) are not style attributes and need no 'unsafe-inline'.
POLICY = ("default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
          "base-uri 'none'", "form-action 'none'")
FIXED_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}

# A CSP source expression as frame-ancestors takes one: *, 'self', 'none' (alone), a scheme
# (https:), or [scheme://]host[:port][/path] with an optional leading *. for subdomains.
_SOURCE = re.compile(r"""\*|'self'|'none'|[A-Za-z][A-Za-z0-9+.-]*:
                         |(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*
                          (?::(?:[0-9]{1,5}|\*))?(?:/[A-Za-z0-9._~%!$&'()*+=:@/-]*)?""", re.VERBOSE)
# A Host header fit to be named in connect-src (anything else: 'self' alone covers the websocket).
_HOST = re.compile(r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


def frame_ancestors(value: Any) -> str:
    """The frame-ancestors sources of the setting; ValueError naming it if they are not CSP sources."""
    sources = value.split() if isinstance(value, str) else None
    if not sources or not all(_SOURCE.fullmatch(source) for source in sources) \
            or ("'none'" in sources and len(sources) > 1):
        raise ValueError("PLAYGROUND_FRAME_ANCESTORS: must be space-separated CSP sources, such as "
                         "https://course.example.org, *.example.org, https:, *, 'self' (the default), "
                         f"or 'none' alone; got {value!r}")
    return " ".join(sources)


def init_app(app: Flask) -> None:
    """Check the framing setting and add the headers to every response of `app`."""
    fixed = "; ".join(POLICY + (f"frame-ancestors {frame_ancestors(app.config['FRAME_ANCESTORS'])}",))

    @app.after_request
    def secure(response: Response) -> Response:
        host = request.host
        sockets = f" ws://{host} wss://{host}" if _HOST.fullmatch(host) else ""
        response.headers.setdefault("Content-Security-Policy", f"connect-src 'self'{sockets}; {fixed}")
        for name, value in FIXED_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
