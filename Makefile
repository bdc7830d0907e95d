# `make run` starts the playground on http://127.0.0.1:8000; `make test` runs every test.
# Both set everything up on first use (see scripts/dev, which also works without make).
.PHONY: run test setup bench clean

run:
	scripts/dev run

test:
	scripts/dev test

setup:
	scripts/dev setup

bench: setup
	.venv/bin/python -m engine.bench --baseline

clean:
	rm -rf .venv test-results .pytest_cache
