"""The page: `GET /` renders templates/index.html; the static files are served by Flask itself."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    return render_template("index.html")
