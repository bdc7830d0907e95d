"""The Flask application: the page, a small JSON API of static facts, and the websocket endpoint."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, jsonify, render_template

import engine

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=str(ROOT / "static"), template_folder=str(ROOT / "templates"))
    if test_config:
        app.config.update(test_config)

    @app.get("/")
    def index():
        return render_template("index.html")

    @app.get("/api/options")
    def api_options():
        return jsonify(engine.options())

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    return app
