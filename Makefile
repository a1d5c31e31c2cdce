# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DB     ?= warehouse.duckdb

# Prefect keeps its state inside the project and phones nobody.
export PREFECT_HOME := $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: run test lint bench serve report clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/newsetl ingest seeds --db $(DB)

# Two test processes (pytest-xdist): most slow tests wait on subprocesses, servers and signals, not on
# the CPU; `worksteal` hands the last long tests to whichever process is free.
test: $(STAMP)
	@start=$$(date +%s); $(BIN)/python -m pytest -n 2 --dist worksteal; code=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s (exit $$code)"; exit $$code

# Scheduled runs: Prefect server on 127.0.0.1:4200, pool, deployments, worker; Ctrl-C stops them.
serve: $(STAMP)
	$(BIN)/newsetl server

report: $(STAMP)
	$(BIN)/newsetl report --db $(DB) --out report.html

lint: $(STAMP)
	$(BIN)/ruff check flows transforms sql tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_ingest.py

clean:
	rm -rf $(VENV) .prefect .cache exports exports-* inbox report.html warehouse.duckdb* .pytest_cache .mypy_cache .ruff_cache
