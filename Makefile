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

.PHONY: run test browser lint bench serve report clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/newsetl ingest seeds --db $(DB)

# The page test opens `newsetl show --html` in Debian's headless chromium: installed here when missing
# (as root, with apt-get; about 15 s). Without it that one test is skipped, or fails under CI=true.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make test: installing Debian's chromium for the headless page test"; \
	    (timeout 300 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends chromium) \
	      >/dev/null 2>&1 || echo "make test: chromium could not be installed"; \
	  elif [ "$$(id -u)" = 0 ]; then echo "make test: no chromium, and no apt-get to install it: the headless page test is skipped"; \
	  else echo "make test: no chromium, and no root to install it: the headless page test is skipped"; fi; }

# Two test processes (pytest-xdist): most slow tests wait on subprocesses, servers and signals, not on
# the CPU; `worksteal` hands the last long tests to whichever process is free.
test: $(STAMP) browser
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
