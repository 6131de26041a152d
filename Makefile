# Shortcuts for the scripts: `make dev`, `make test`, `make bench DB=postgresql`.
DB ?= sqlite

.PHONY: dev test bench bench-smoke

dev:
	bash scripts/dev.sh

test:
	bash scripts/test.sh

bench: .venv/bin/python
	.venv/bin/python -m bench.directory --db $(DB)

bench-smoke: .venv/bin/python
	.venv/bin/python -m bench.directory --db $(DB) --smoke

.venv/bin/python:
	python3 -m venv .venv
	.venv/bin/pip install --quiet -e '.[dev]'
