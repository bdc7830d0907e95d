# The playground for one classroom: gunicorn (gthread workers, app/gunicorn_conf.py) serving the
# page and one websocket training session per student tab. Needs no network at run time.
#
#   docker build -t playground .
#   docker run --rm -p 8000:8000 playground                 # then open http://<this machine>:8000
#   docker run --rm -p 8000:8000 -e PLAYGROUND_MAX_SESSIONS=40 playground
#
# BASE may be any Debian-like image with python3 (3.11+) and its venv module; CI builds on a local
# debootstrap image (--build-arg BASE=localhost/debian-py:bookworm, see .ci/container-check).
ARG BASE=python:3.12-slim
FROM ${BASE}

# Python in the image: no .pyc writes at run time (the code is compiled below and read-only),
# logs straight to `docker logs`, and the virtual environment first on PATH.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/srv/playground

# Classroom defaults, each overridable with `docker run -e NAME=value` (app/settings.py and
# app/gunicorn_conf.py describe them). Workers are fixed rather than "one per host core": a
# container sees every core of the host, not its CPU quota. Threads per worker follow
# PLAYGROUND_MAX_SESSIONS (each open tab holds one; app/gunicorn_conf.py). One BLAS thread per
# process: many small sessions share the cores better than a few multi-threaded matrix products.
# 100 seats: 2 cores hold about 100 students all playing at about 20 frames/s (docs/deployment.md).
# Memory follows the seats: 100 need about 120 MB for a class on the page's own networks, and up
# to 1 GB if every one holds the largest network a link may ask for (limit the container to
# 1.5 GiB, or lower the seats; docs/deployment.md, "Memory: what the limits allow").
ENV PLAYGROUND_BIND=0.0.0.0:8000 \
    PLAYGROUND_WORKERS=2 \
    PLAYGROUND_MAX_SESSIONS=100 \
    PLAYGROUND_FRAMES_PER_SECOND=30 \
    PLAYGROUND_MAX_EPOCHS_PER_FRAME=100 \
    PLAYGROUND_FRAME_BUDGET_MS=15 \
    OPENBLAS_NUM_THREADS=1 \
    OMP_NUM_THREADS=1 \
    MKL_NUM_THREADS=1

# Dependencies first, from pyproject.toml's own list (one source of truth), so that a code change
# rebuilds only the layers below. The project itself is not pip-installed: the app serves
# templates/ and static/ from the source tree next to app/ (app/__init__.py). pip goes once it
# has done its work (25 MB nothing at run time needs).
WORKDIR /srv/playground
COPY pyproject.toml ./
RUN python3 -m venv "$VIRTUAL_ENV" \
 && python3 -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' > /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt \
 && pip uninstall -q -y pip setuptools

COPY app/ app/
COPY engine/ engine/
COPY templates/ templates/
COPY static/ static/
RUN python -m compileall -q app engine \
 && useradd --uid 10001 --user-group --create-home --home-dir /home/playground \
      --shell /usr/sbin/nologin playground

# A numeric user, so that Kubernetes' runAsNonRoot can check it.
USER 10001:10001
EXPOSE 8000

# Healthy = the app answers /healthz with 200 (503 while shutting down). No curl in slim images.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; port = os.environ.get('PLAYGROUND_BIND', ':8000').rsplit(':', 1)[1]; urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=2)"]

# gunicorn is PID 1 and gets SIGTERM from `docker stop` itself: every page is told the server is
# going away and the container exits within a few seconds (graceful_timeout in the config).
CMD ["gunicorn", "-c", "python:app.gunicorn_conf", "app:create_app()"]
