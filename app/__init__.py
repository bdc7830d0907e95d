"""The Flask application: the page, a small JSON API of static facts, and the websocket endpoint
where each connection owns one training session. `create_app` builds it; settings come from
defaults, then `PLAYGROUND_*` environment variables, then test overrides.
"""

from __future__ import annotations

import os

# One BLAS thread per process, set before NumPy loads its BLAS. Sessions share a process's one
# compute thread in short turns (app/scheduler.py); a multi-threaded matrix product would spin
# threads on every core for a few microseconds of work. Measured: a grid pass of the largest
# network took 64 ms of CPU instead of 3 ms with OpenBLAS's default threads under load, and
# ordinary tabs beside four rebuilding ones got 13 frames/s instead of 30. (The image sets these
# too; the environment wins.)
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

from pathlib import Path  # noqa: E402
from typing import Any

from flask import Flask

from werkzeug.middleware.proxy_fix import ProxyFix

from . import api, headers, lessons, live, pages, settings
from .devserver import EndWebsocketResponses
from .registry import LocalSeats, Registry
from .session import Limits

PACKAGE = Path(__file__).resolve().parent


def page_folder(name: str) -> Path:
    """Where the page's `static` or `templates` folder is: inside the package when installed from
    a wheel (pyproject.toml maps them there), else at the top of the source checkout, next to
    app/ (`make run`, an editable install, the Docker image)."""
    installed = PACKAGE / name
    return installed if installed.is_dir() else PACKAGE.parent / name


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app; raises ValueError naming every bad setting, or every broken lesson file
    and its fields (lessons.LessonError)."""
    app = Flask(__name__, static_folder=str(page_folder("static")),
                template_folder=str(page_folder("templates")))
    app.config.from_mapping(settings.defaults())
    app.config.from_prefixed_env("PLAYGROUND")
    app.config.from_mapping(test_config or {})
    settings.check(app.config)
    app.config["PLAYGROUND_LIMITS"] = Limits.from_config(app.config)
    # Every lesson, checked: a broken lesson file stops the server here, naming it.
    app.extensions["playground-lessons"] = lessons.load(*filter(None, [app.config["LESSONS"]]))
    app.extensions["playground"] = Registry(LocalSeats(int(app.config["MAX_SESSIONS"]),
                                                       int(app.config["SESSIONS_PER_ADDRESS"])))
    for blueprint in (pages.bp, api.bp, live.bp):
        app.register_blueprint(blueprint)
    headers.init_app(app)
    app.wsgi_app = EndWebsocketResponses(app.wsgi_app)  # type: ignore[method-assign]
    if app.config["TRUSTED_PROXIES"]:  # the client's address as the proxies in front saw it
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def registry_of(app: Flask) -> Registry:
    """The app's session registry (seats and the shutdown signal)."""
    return app.extensions["playground"]
