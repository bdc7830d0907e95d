"""The small JSON API of static facts: every option's allowed values, and a health check."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

import engine

bp = Blueprint("api", __name__)


@bp.get("/api/options")
def options() -> Response:
    """Every option's allowed values and the engine's limits (the same as `hello.options`)."""
    return jsonify(engine.options())


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness for load balancers and container health checks; 503 while shutting down."""
    registry = current_app.extensions["playground"]
    if registry.shutting_down.is_set():
        return jsonify({"status": "shutting down"}), 503
    return jsonify({"status": "ok", "sessions": registry.live,
                    "seats_taken": registry.seats.taken(), "max_sessions": registry.seats.limit})
