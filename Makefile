# reportpub: the two commands of the quickstart are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP  := $(VENV)/.installed
PYC    := $(VENV)/.compiled
PORTAL ?= portal

.PHONY: demo test venv lock bench clean help ckan-up ckan-down

help:
	@echo "make demo   build, validate and publish the sample reports to ./$(PORTAL)"
	@echo "make test   run the whole test suite (starts the services it needs)"
	@echo "make bench  run the benchmarks"
	@echo "make ckan-up / ckan-down   start / stop a local CKAN (PostgreSQL, Redis, Solr stand-in)"
	@echo "make lock   re-resolve requirements.lock from pyproject.toml"

# The virtual environment is (re)built from the lock file whenever the lock or pyproject changes.
$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

# Every installed module compiled to bytecode once. The machines (CI's too) set PYTHONDONTWRITEBYTECODE,
# so otherwise each Python process compiles what it imports from source again: `import prefect` costs
# 3.7 CPU-s instead of 2.0, the Prefect server's modules 10 instead of 4.6, and `make test` starts
# hundreds of such processes (CLI runs, servers, workers). A second run only checks timestamps.
# `|| true`: a few installed files are not Python 3.11 (whenever/_typing_312.py) and are never imported.
$(PYC): $(STAMP)
	@$(BIN)/python -m compileall -q -j 0 $(VENV)/lib >/dev/null || true
	@touch $(PYC)

venv: $(STAMP) $(PYC)

lock:
	@test -x $(BIN)/uv || $(MAKE) venv
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.11 --generate-hashes -o requirements.lock

demo: $(STAMP) $(PYC)
	$(BIN)/reportpub run examples/reports/*.txt --portal $(PORTAL)

test: $(STAMP) $(PYC)
	bash scripts/test.sh

ckan-up: $(STAMP)
	bash services/ckan/stack.sh up

ckan-down:
	bash services/ckan/stack.sh down

bench: $(STAMP)
	$(BIN)/python benchmarks/extract_speed.py
	$(BIN)/python benchmarks/validate_formats.py
	$(BIN)/python benchmarks/cli_help.py
	$(BIN)/python benchmarks/batch.py

clean:
	rm -rf $(VENV) .run .prefect $(PORTAL) test-output
