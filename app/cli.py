"""`playground serve`: the development server (Werkzeug), or `--production` (gunicorn with
app/gunicorn_conf.py). Both read the PLAYGROUND_* settings from the environment."""

from __future__ import annotations

import argparse
import os
import sys

from . import settings


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.production:
        return serve_production(args)
    from . import create_app
    from .devserver import serve
    serve(create_app(), args.host or "127.0.0.1", args.port or 8000)
    return 0


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(prog="playground")
    sub = main_parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the playground", formatter_class=argparse.RawDescriptionHelpFormatter,
                           epilog="settings (environment variables):\n" + settings.describe())
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1; with --production "
                                      "0.0.0.0, or PLAYGROUND_BIND)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    serve.add_argument("--production", action="store_true",
                       help="serve with gunicorn (gthread workers, app/gunicorn_conf.py) instead of Werkzeug")
    serve.add_argument("--workers", type=int, help="gunicorn worker processes (default: the number of cores)")
    return main_parser


def serve_production(args: argparse.Namespace) -> int:
    """Replace this process with gunicorn, so signals reach it directly (containers, systemd)."""
    command = [sys.executable, "-m", "gunicorn", "-c", "python:app.gunicorn_conf"]
    if args.host or args.port:
        command += ["-b", f"{args.host or '0.0.0.0'}:{args.port or 8000}"]
    if args.workers:
        command += ["-w", str(args.workers)]
    os.execv(sys.executable, command + ["app:create_app()"])
    return 0  # not reached


if __name__ == "__main__":  # python -m app.cli serve ...
    sys.exit(main())
