# PTSP Online — the two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test test-fast test-dates test-faults check-local totp install system-deps lint format messages bench clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Pinned versions from requirements.lock, then the project itself (no dependency resolution).
$(STAMP): requirements.lock pyproject.toml | $(PY)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

# Debian packages the tests use: Chromium for the browser tests, poppler's pdfsig/pdftoppm to
# check and look at permits, NSS's certutil for pdfsig's trust store (tests/bsre/test_pdfsig.py),
# Pango for WeasyPrint. Skipped when already there.
system-deps:
	@if command -v chromium >/dev/null && command -v pdfsig >/dev/null && command -v msgfmt >/dev/null && command -v certutil >/dev/null; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium poppler-utils libnss3-tools gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
	else echo "Please install: chromium poppler-utils libnss3-tools (Debian packages)"; fi

## make run: set up and serve the portal with demo data on the embedded default (no services).
run: install
	$(PY) scripts/run_local.py

## make test: set up and run lint, the layers contract, migration check and the test suite but the fault tests (PostgreSQL, Redis).
test: install system-deps
	$(PY) scripts/run_tests.py $(PYTEST_ARGS)

## make test-fast: the unit layer only (no browser, no servers or workers, no fault tests, no lint).
test-fast: install
	$(PY) scripts/run_tests.py --fast $(PYTEST_ARGS)

## make test-dates: the date-sensitive tests with the clock a year ahead, on a Saturday evening
## in the region (PTSP_CLOCK_SHIFT, tests/clockshift.py); CI runs it after `make test`.
test-dates: install system-deps
	$(PY) scripts/run_tests.py --dates $(PYTEST_ARGS)

## make check-local: with `make run` serving, every demo role's pages answer 200 (scripts/check_local.py).
check-local: install
	$(PY) scripts/check_local.py $(SITE_URL)

## make test-faults: the fault tests (real Redis and workers, production timeouts; slow); CI runs it after `make test`.
test-faults: install system-deps
	$(PY) scripts/run_tests.py -m faults

## make totp: the current second-factor code of the demo signers (README, docs/security.md).
totp: install
	@$(PY) -c "import pyotp; print(pyotp.TOTP('PTSPDEMOSIGNERKEYPTSPDEMOSIGNERK').now())"

## make bench: the load test (benchmarks/run_load.py, its own PostgreSQL, Redis, gunicorn; docs/load.md).
bench: install
	$(PIP) install --quiet --disable-pip-version-check "locust==2.47.0"
	$(PY) benchmarks/run_load.py $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

messages: install
	$(PY) manage.py makemessages -l id -l en --ignore .venv --ignore tests --ignore benchmarks --no-obsolete
	$(PY) scripts/po_fill_en.py
	$(PY) scripts/po_check.py || echo "Translate the entries listed above in locale/id/LC_MESSAGES/django.po"
	$(PY) manage.py compilemessages --ignore .venv

clean:
	rm -rf var staticfiles
