# DeltaCrown developer entry points. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Debian's chromium drives the browser tests (Playwright's own browser downloads are not used).
CHROMIUM ?= /usr/bin/chromium
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint unit test-browser chromium screenshots test-services bench lock openapi clean help

help:
	@echo "make run            set up and serve the platform on http://$(HOST):$(PORT) (demo data included)"
	@echo "make test           linters + the whole test suite on the embedded defaults"
	@echo "                    (the browser tests too when chromium is installed)"
	@echo "make test-browser   the pages in Debian's chromium (installed when missing)"
	@echo "make test-services  the whole suite, services-marked tests included, on private PostgreSQL and Redis"
	@echo "make bench          run the benchmarks in bench/"
	@echo "make lock           re-lock requirements/*.txt from pyproject.toml"

# The virtual environment is rebuilt whenever a lock file changes.
$(BIN)/.installed-base: requirements/base.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/base.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(BIN)/.installed-dev: requirements/dev.txt $(BIN)/.installed-base
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/dev.txt
	touch $@

run: export LOG_FORMAT ?= console
run: $(BIN)/.installed-base
	$(BIN)/deltacrown migrate --no-input
	@if [ "$${DEMO:-1}" != "0" ]; then $(BIN)/deltacrown demo; fi
	$(BIN)/deltacrown serve --host $(HOST) --port $(PORT)

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check conftest.py src tests bench tools scripts
	$(BIN)/ruff format --check conftest.py src tests bench tools scripts
	PYTHONPATH=tools $(BIN)/lint-imports

unit: $(BIN)/.installed-dev
	$(BIN)/pytest -m "not services and not browser" -n 2

test: lint unit
	@if [ -x "$(CHROMIUM)" ]; then $(MAKE) --no-print-directory test-browser; \
	else echo "browser tests not run: $(CHROMIUM) is missing (make test-browser installs it)"; fi

# Debian's chromium, installed from the distribution's packages when missing.
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; fi
	@"$(CHROMIUM)" --version

# The pages in a real browser: a `deltacrown serve` with the demo, sign-in, check-in, results,
# live updates, axe-core, screenshots in var/screenshots/.
test-browser: $(BIN)/.installed-dev chromium
	CHROMIUM=$(CHROMIUM) $(BIN)/pytest -m browser -p no:cacheprovider

# The README's screenshots, taken by the browser tests.
screenshots: test-browser
	mkdir -p docs/screenshots
	cp var/screenshots/bracket-desktop.png var/screenshots/bracket-mobile.png \
	   var/screenshots/home-desktop.png var/screenshots/match-after-result-mobile.png docs/screenshots/

# At scale: the whole suite, including the tests marked `services` (races on real PostgreSQL,
# limits shared through Redis), against private PostgreSQL and Redis instances.
test-services: $(BIN)/.installed-dev
	$(BIN)/python scripts/with_services.py -- $(BIN)/pytest -m "not browser" -n 2

bench: $(BIN)/.installed-dev
	$(BIN)/python bench/run.py

lock: $(BIN)/.installed-dev
	$(BIN)/uv pip compile pyproject.toml --extra build --generate-hashes --python-version 3.11 -o requirements/base.txt
	$(BIN)/uv pip compile pyproject.toml --extra build --extra dev --generate-hashes --python-version 3.11 -o requirements/dev.txt

openapi: $(BIN)/.installed-base
	$(BIN)/deltacrown export_openapi --output docs/openapi.json

clean:
	rm -rf $(VENV) var .pytest_cache
