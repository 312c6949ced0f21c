# Everything a person repeats. `make test` and `make dev` set themselves up on a fresh clone.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
export PYTHONDONTWRITEBYTECODE := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
NODE_TOOLS := node_modules/.installed

.PHONY: help install test lint typecheck unit contract integration infra-test e2e fuzz screenshots synth lambda-build web bench bench-cold dev clean openapi

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[nlp,local,infra,dev]"
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)  ## create .venv with the pinned dependencies

lint: $(STAMP)  ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP) $(NODE_TOOLS)  ## mypy --strict on shared/ and functions/ (and the CLI); tsc --strict on web/
	$(BIN)/mypy shared functions cli
	node_modules/.bin/tsc -p web

unit: $(STAMP)  ## pure tests, no AWS
	$(BIN)/pytest -q -n 2 tests/unit

contract: $(STAMP)  ## the search port's contract suite (embedded; OpenSearch too when TUGI_OPENSEARCH_URL is set)
	$(BIN)/pytest -q -n 2 tests/contract

integration: $(STAMP)  ## real handlers against moto
	$(BIN)/pytest -q -n 2 tests/integration

# The stack ships build/web (CloudFront serves it), so synthesising it needs the built site.
infra-test: $(STAMP) web  ## CDK template assertions and cdk-nag (builds build/web first)
	$(BIN)/pytest -q tests/infra

# The e2e tests' browser: Debian's chromium, driven by Playwright (which never downloads one of its own).
# The package lists are refreshed only when the install cannot do without (a fresh machine has none).
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends
/usr/bin/chromium:
	$(APT_INSTALL) chromium || { apt-get update && $(APT_INSTALL) chromium; }

e2e: $(STAMP) web /usr/bin/chromium  ## `tugi dev` in a subprocess, driven over HTTP and in chromium
	$(BIN)/pytest -q tests/e2e

fuzz: $(STAMP) web  ## schemathesis on a fresh `tugi dev`, nightly-sized (TUGI_FUZZ_EXAMPLES=100 per operation)
	TUGI_FUZZ_EXAMPLES=$${TUGI_FUZZ_EXAMPLES:-100} $(BIN)/pytest -q -s tests/e2e/test_schemathesis.py

screenshots: $(STAMP) web /usr/bin/chromium  ## the README's screenshots of the pages, from a fresh `tugi dev` (docs/screenshots/)
	$(BIN)/python tests/e2e/screenshots.py

test: lint typecheck unit contract integration infra-test e2e  ## everything CI runs

lambda-build: $(STAMP)  ## build the Lambda code folders (python3.13, arm64, with .pyc) under build/lambda
	$(BIN)/python -m infra.build_lambda

# The npm tools (package.json: the CDK CLI, esbuild, TypeScript, axe-core) in node_modules/ at the root,
# where cdk.json is: `npx cdk ...` runs the CLI.
$(NODE_TOOLS): package.json package-lock.json
	npm install --no-audit --no-fund --silent
	@touch $@

# The portal and the console (web/), bundled into build/web/: what S3 serves in AWS and `tugi dev` locally.
WEB_SOURCES := $(shell find web -type f)
build/web/.built: $(NODE_TOOLS) $(WEB_SOURCES)
	node web/build.mjs
	@touch $@

web: build/web/.built  ## build the portal and the console into build/web (esbuild)

synth: $(STAMP) lambda-build web $(NODE_TOOLS)  ## cdk synth from the root (no Docker, no AWS account)
	rm -rf cdk.out
	node_modules/.bin/cdk synth --quiet

bench: $(STAMP) web /usr/bin/chromium  ## benchmarks under tests/bench (print their figures)
	$(BIN)/python tests/bench/bench_portal.py
	$(BIN)/python tests/bench/bench_intake.py
	POWERTOOLS_LOG_LEVEL=WARNING $(BIN)/python tests/bench/bench_workflow.py
	$(BIN)/python tests/bench/bench_kb_banking77.py
	$(BIN)/python tests/bench/bench_kb_gaps.py
	$(BIN)/python tests/bench/bench_cold_start.py

bench-cold: $(STAMP)  ## entry-module imports as Lambda runs them: the built folder (x86_64 wheels), python3.13
	$(BIN)/python tests/bench/bench_cold_start.py

dev: $(STAMP) web  ## the whole platform on http://127.0.0.1:8787 (TUGI_PORT): the portal at /, demo data included; Ctrl+C stops it
	$(BIN)/tugi dev

clean:  ## remove build output and the virtual environment
	rm -rf build cdk.out node_modules $(VENV) .pytest_cache .mypy_cache .ruff_cache

openapi: $(STAMP)  ## regenerate docs/openapi.json from the routes (a test fails when it drifts)
	POWERTOOLS_TRACE_DISABLED=true $(BIN)/python -m functions.api > docs/openapi.json
