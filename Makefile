# The two commands: `make demo` (generate data, build the warehouse, print a summary) and
# `make test` (lint, dbt build with data and unit tests, pytest). Both set themselves up.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DBT := $(VENV)/bin/dbt
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
# dbt-spark with a local Spark (pyspark, about 600 MB) lives in a venv of its own.
SPARK_VENV := .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed-$(shell cat requirements-spark.txt | cksum | cut -d' ' -f1)
# The venvs are filled by uv (from PyPI, into each venv first): it installs the pinned set in a few
# seconds where pip took about 50 s of a core, the longest step of a clean `make test`.
UV_VERSION := 0.13.8
UV_INSTALL = $(1)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION) && \
	$(1)/bin/uv pip install --quiet --python $(1)/bin/python -r $(2)

DEMO_EVENTS ?= 200000
# Six months of demo data, 2026-05-01 to 2026-10-31 (long enough for lapsed customers), looked
# at from the end of that window.
DEMO_START ?= 2026-05-01
DEMO_DAYS ?= 183
DEMO_AS_OF ?= 2026-10-31 00:00:00
DEMO_DB ?= warehouse/upstream.duckdb
# The demo channel's port (the shipped syncs name 8787; the demo points them at this one).
DEMO_PORT ?= 8787
TEST_DB := target/ci/upstream.duckdb
LINT_DB := target/lint/upstream.duckdb
DBT_FLAGS := --project-dir . --profiles-dir .

DAGSTER_HOME_DIR := $(CURDIR)/.dagster

.PHONY: install demo dev test check lint dbt-test dagster-manifest docs clean dagster-home spark-install postgres-up test-spark test-postgres bench collector collector-load bench-collector npm-install chromium-install

install: $(STAMP)

# Reinstalls only when requirements.txt or pyproject.toml change (the stamp names their checksum).
$(STAMP):
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(call UV_INSTALL,$(VENV),requirements.txt)
	rm -f $(VENV)/.installed-*
	touch $@

# Spark runs on the JVM: Java 17 from Debian's packages if the machine has none.
spark-install: $(SPARK_STAMP)

$(SPARK_STAMP): requirements-spark.txt
	scripts/apt-install.sh java openjdk-17-jre-headless
	test -x $(SPARK_VENV)/bin/python || $(PYTHON) -m venv $(SPARK_VENV)
	$(call UV_INSTALL,$(SPARK_VENV),requirements-spark.txt)
	rm -f $(SPARK_VENV)/.installed-*
	touch $@

# analytics.js from npm, at the version the lock file pins, for the collector's browser test.
JS_TEST_DIR := tests/collector/analytics_js
JS_STAMP := $(JS_TEST_DIR)/node_modules/.installed-$(shell cat $(JS_TEST_DIR)/package-lock.json | cksum | cut -d' ' -f1)
npm-install: $(JS_STAMP)

$(JS_STAMP): $(JS_TEST_DIR)/package-lock.json
	scripts/apt-install.sh npm npm
	cd $(JS_TEST_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# PostgreSQL on 127.0.0.1:5432, installed from Debian's packages if missing.
postgres-up:
	scripts/postgres-up.sh

# A fresh warehouse each time: the demo data is regenerated, so no history (segment events,
# applied deletion requests) from an earlier demo may carry over. The demo fixes the key profile
# ids are derived with, so holdouts (drawn from profile ids) and every figure it prints are the
# same on every machine, as the README shows them; a real warehouse draws its own secret key.
DEMO_PROFILE_ID_KEY := upstream-demo
demo: install dagster-home
	rm -f $(DEMO_DB) $(DEMO_DB).wal
	$(PY) -m datagen.cli --db $(DEMO_DB) --events $(DEMO_EVENTS) --start $(DEMO_START) --days $(DEMO_DAYS) --replace
	DAGSTER_HOME=$(DAGSTER_HOME_DIR) UPSTREAM_DUCKDB_PATH=$(DEMO_DB) UPSTREAM_AS_OF="$(DEMO_AS_OF)" \
		UPSTREAM_PROFILE_ID_KEY=$(DEMO_PROFILE_ID_KEY) $(PY) -m upstream_cli.demo --port $(DEMO_PORT)
	$(PY) -m upstream_cli.report --db $(DEMO_DB)

# The collector (Segment-compatible Tracking API) on http://127.0.0.1:$(COLLECTOR_PORT), landing
# events under warehouse/landing; `make collector-load` loads them into the demo warehouse. Write
# keys come from UPSTREAM_WRITE_KEYS (source=key,...).
COLLECTOR_PORT ?= 8088
collector: install
	UPSTREAM_DUCKDB_PATH=$(DEMO_DB) $(PY) -m collector serve --port $(COLLECTOR_PORT)

collector-load: install
	UPSTREAM_DUCKDB_PATH=$(DEMO_DB) $(PY) -m collector load

# The Dagster UI on http://127.0.0.1:3000 over the demo warehouse (run `make demo` first).
dev: install dagster-home
	DAGSTER_HOME=$(DAGSTER_HOME_DIR) UPSTREAM_DUCKDB_PATH=$(CURDIR)/$(DEMO_DB) UPSTREAM_AS_OF="$(DEMO_AS_OF)" \
		$(VENV)/bin/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

# A Dagster instance for this checkout (runs, schedules, pools: orchestration/dagster.yaml).
dagster-home:
	mkdir -p $(DAGSTER_HOME_DIR)
	cp orchestration/dagster.yaml $(DAGSTER_HOME_DIR)/dagster.yaml

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	mkdir -p $(dir $(LINT_DB))
	UPSTREAM_DUCKDB_PATH=$(LINT_DB) $(VENV)/bin/sqlfluff lint models tests/dbt --processes 2

# dbt's own data tests and unit tests on freshly generated test data (its own target folder:
# `make test` runs it beside sqlfluff's dbt templater, which uses target/).
dbt-test: install
	rm -f $(TEST_DB) $(TEST_DB).wal
	$(PY) -m datagen.cli --db $(TEST_DB) --events 20000 --seed 11 --replace
	UPSTREAM_DUCKDB_PATH=$(TEST_DB) $(DBT) build $(DBT_FLAGS) --quiet --full-refresh --target-path target/ci/dbt_target

# The code location's manifest (orchestration/project.py parses the project when it is missing or
# stale): made beside the other set-up steps, so pytest does not start with one core parsing and
# the other waiting (about 10 s on a clean clone).
dagster-manifest: install
	$(PY) -c 'import orchestration.project'

# The parity suites: the same data built on DuckDB and on PostgreSQL / Spark, compared row by row.
test-postgres: install postgres-up
	$(PY) -m pytest tests/parity/test_parity_postgres.py

test-spark: install spark-install
	$(PY) -m pytest tests/parity/test_parity_spark.py

# The set-up steps run side by side, each step's output kept together (-O): lint, dbt-test and the
# code location's manifest start as soon as the main venv is there (a few seconds), beside the
# Spark venv and Debian's Java, PostgreSQL, npm and Chromium (one after another under apt's lock).
# pytest runs last so its summary is the closing line; it includes both parity suites. Two
# workers, one per core: a dbt build is mostly one Python process, so two builds fill the machine
# (a third worker measured 15.4 and 18.9 min against 17.0: the cores are busy either way, and the
# Spark suite, the longest file, then gets a third of them). Each worker takes whole files
# (--dist loadfile), longest first (tests/support/file_order.py), so a file's warehouses are
# built once.
PYTEST_WORKERS ?= 2
test:
	$(MAKE) --no-print-directory -j 8 -O install spark-install postgres-up npm-install chromium-install lint dbt-test dagster-manifest
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile

# Headless Chromium for the browser tests (Dagster's UI, analytics.js).
chromium-install:
	scripts/apt-install.sh chromium chromium

# The inner loop: lint, then the tests that need no dbt build (under 3 minutes on 2 cores).
check: install lint
	$(PY) -m pytest -n $(PYTEST_WORKERS) -m "not slow"

# dbt's documentation site over the demo warehouse (an empty catalog without one), on
# http://127.0.0.1:$(DOCS_PORT).
DOCS_PORT ?= 8080
docs: install
	UPSTREAM_DUCKDB_PATH=$(DEMO_DB) $(DBT) docs generate $(DBT_FLAGS) --target-path target/docs \
		$$(test -f $(DEMO_DB) || echo --empty-catalog)
	$(DBT) docs serve $(DBT_FLAGS) --target-path target/docs --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

# The performance suite (not part of `make test`): 1M and 10M generated events, full
# and incremental builds (3 runs each), identity vs reference, sync throughput, and the
# event-to-activation latency with the Dagster sensor. About 30 minutes on 2 cores; needs about
# 15 GB of free disk. Figures go to bench/results/<date>.md and .json.
BENCH_ARGS ?=
bench: install
	$(PY) bench/suite.py $(BENCH_ARGS)

# The collector alone (a minute): accepted events/s, acknowledgement latency, load rows/s.
bench-collector: install
	$(PY) bench/collector_speed.py

clean:
	rm -rf target logs warehouse .pytest_cache .ruff_cache .dagster metastore_db derby.log spark-warehouse
