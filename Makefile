# Keyflow. The two commands a newcomer needs: `make run` and `make test`. See README.md.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: help install test run migrate demo worker clean load bench-sweep bench

help:
	@echo "make run      install, migrate, load the demo setting, serve http://127.0.0.1:8000/ with a worker"
	@echo "make test     install and run the whole test suite (DATABASE_URL is passed through)"
	@echo "make install  create .venv and install Keyflow (fast when already done)"
	@echo "make migrate  apply database migrations"
	@echo "make demo     load (or refresh) the demo setting"
	@echo "make worker   run the Celery worker with embedded beat in the foreground"
	@echo "make clean    remove var/ (database, queue, logs) and .venv"
	@echo "make load     50 simulated staff for LOAD_SECONDS (default 300) on 127.0.0.1:8108, then checks"
	@echo "make bench-sweep  time the reminder sweep over 100,000 open tasks (PostgreSQL; BENCH_ARGS=...)"
	@echo "make bench    build a nursery chain's data set in PostgreSQL and measure Keyflow against the SQL floor"

install:
	@scripts/install.sh

# First the layers (import-linter's contracts in pyproject.toml): an upward import or a cycle fails the build.
# DATABASE_URL and the rest of the environment reach pytest unchanged; pytest's exit code is make's.
test: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS) tests/

run: install
	@scripts/run.sh

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

worker: install
	@mkdir -p var
	$(BIN)/celery -A keyflow worker -B --pool=solo --loglevel=INFO --schedule var/celerybeat-schedule

# A throwaway PostgreSQL database (BENCH_DATABASE_URL, default keyflow_bench_sweep on the local server) is made,
# filled and dropped. A measurement, not a test.
BENCH_ARGS ?=
bench-sweep: install
	$(BIN)/python scripts/bench_sweep.py $(BENCH_ARGS)

clean:
	rm -rf var $(VENV)

# Not part of `make test`: a timed run against a real server (scripts/load.sh). DATABASE_URL is passed through.
load: install
	@scripts/load.sh

# Its own PostgreSQL databases (keyflow_bench, keyflow_floor on 127.0.0.1): never the tests'. BENCH_ARGS="--scales 0.1".
BENCH_ARGS ?=
bench: install
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)
