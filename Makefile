# socbiz: one command to set up and run the dashboard, one to set up and run the tests.
# Every target is idempotent: the virtualenv is built once and refreshed when pyproject.toml
# changes.

PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.socbiz-installed
export SOLARA_TELEMETRY_MIXPANEL_ENABLE := False

.PHONY: setup dashboard run test validate lint bench browser clean translations

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "socbiz needs Python >= 3.12 (found " + sys.version.split()[0] + "); install it or run: make PYTHON=/path/to/python3.12")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[all]"
	touch $(STAMP)

setup: $(STAMP)

## The main job: the dashboard on the default scenario (http://127.0.0.1:8765).
dashboard: setup
	$(BIN)/socbiz dashboard

## A command-line run of the default scenario.
run: setup
	$(BIN)/socbiz run

## Headless Chromium for the browser tests (Debian package).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

lint: setup
	$(BIN)/ruff check simulation tests benchmarks dashboards

## The fast test suite (lint, unit, integration, browser, Dask): under 10 minutes on 2 cores.
## Two worker processes (pytest-xdist), each running whole test files (--dist loadfile: a file's
## server and browser fixtures are started once, by one worker).
test: setup browser lint
	$(BIN)/python -m pytest -m "not validation" -n 2 --dist loadfile

## The validation (statistical, slow): patterns, out-of-sample targets, null models, a Latin
## hypercube over the assumed parameters and the scale study; it rewrites the report in
## docs/validation (the time of each section is in the report), then checks every preset's
## narrative, then the experiment tools' slow checks (calibration resumed after kill -9, PRIM,
## grown Sobol, delta/PAWN/RBD-FAST: about 5 minutes of CPU), then every README and docs code
## block that sweeps, runs or calibrates, as written (tests/test_docs_snippets.py), then the
## dashboard's slow browser check (memory after 10 tabs are closed, about 2 minutes). All always
## run; the target fails if any fails.
## VALIDATE_FLAGS: settings of `socbiz validate` (default: the report's full settings; CI passes
## fewer seeds to stay inside its time). `socbiz validate` exits 1 when a pattern's verdict is
## "fail": the report says so and why, and make goes on (an honest failing verdict is a result,
## not a broken build); it stops on anything else (a crash, a bad option) and on a preset cue
## that does not hold on its day.
VALIDATE_FLAGS ?=
validate: setup
	@status=0; \
	$(BIN)/socbiz validate --out docs/validation $(VALIDATE_FLAGS) || status=$$?; \
	if [ $$status -eq 1 ]; then echo "make validate: some verdicts fail (see docs/validation/report.md)"; status=0; fi; \
	$(BIN)/python -m pytest -m validation tests/validation/test_presets.py || status=$$?; \
	$(BIN)/python -m pytest -m validation tests/test_experiments_*.py || status=$$?; \
	$(BIN)/python -m pytest -m validation tests/test_docs_snippets.py || status=$$?; \
	$(BIN)/python -m pytest -m validation tests/test_dashboard_browser.py || status=$$?; \
	exit $$status

## Refresh the message catalogue after changing user-facing strings (README, "Translating"):
## extract every _()/ngettext/_l string, merge it into the French .po, compile the .mo.
POT := $(VENV)/socbiz.pot
translations: setup
	$(BIN)/pybabel extract -F babel.cfg --sort-output --add-location=file --no-wrap \
	  -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -k lazy_ngettext:1,2 -k param:2 \
	  -k msg -k nmsg:1,2 \
	  --add-comments=Translators: --project=socbiz \
	  --copyright-holder="socbiz developers" -o $(POT) .
	$(BIN)/pybabel update -i $(POT) -d simulation/locale -D socbiz --no-wrap \
	  --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d simulation/locale -D socbiz --statistics

bench: setup
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache runs test-artifacts
