# One runner: `make demo`, `make test`, `make bench`. CI (.ci/run) calls `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.dev-installed-stamp

.PHONY: install install-dev demo test lint bench lock clean

install: $(STAMP)

# the test tools (pytest, hypothesis, ruff) are pinned apart: the runtime never needs them
install-dev: $(DEV_STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.lock
	touch $(DEV_STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# real tables in the national forms: two cards (Excel, Word), a card as PDF, a 自评表
FORM_SAMPLES := samples/forms samples/realworld/2022/岳阳县农业农村局-高标准农田.pdf \
	samples/realworld/2023/青神县发展和改革局-自评.xlsx

# The real 2026 table into ./data (or $BPW_HOME); then the same table beside five invented
# departments (虚构市…, figures made up by bpw synth) over 2019–2026 in a second home,
# data-history; the real national-form samples into a third, data-forms.
demo: install
	$(BIN)/bpw demo
	$(BIN)/bpw --home $${BPW_HOME:-data}-history demo --history
	$(BIN)/bpw --home $${BPW_HOME:-data}-forms ingest $(FORM_SAMPLES)
	$(BIN)/bpw --home $${BPW_HOME:-data}-forms attainment

lint: install-dev
	$(BIN)/ruff check .

# two workers (pytest-xdist): the suite waits on servers and subprocesses a lot. Whole
# files per worker (a module fixture is built once, not on both), handed out in collection
# order: tests/conftest.py collects the slowest files first, so the workers end together.
test: install-dev lint
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder

bench: install
	$(BIN)/python benchmarks/run.py

# Re-pin every dependency after changing pyproject.toml (needs the package index).
lock:
	rm -rf /tmp/bpw-lock && $(PYTHON) -m venv /tmp/bpw-lock
	/tmp/bpw-lock/bin/pip install -q -e .
	/tmp/bpw-lock/bin/pip install -q setuptools wheel
	/tmp/bpw-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock
	/tmp/bpw-lock/bin/pip install -q -e '.[dev]'
	/tmp/bpw-lock/bin/pip freeze --exclude-editable | grep -v '^-e' \
	  | grep -vxFf requirements.lock > requirements-dev.lock

clean:
	rm -rf $(VENV) data
