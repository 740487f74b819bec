# smartcounty: `make run` to try it, `make test` to test it.
VENV ?= .venv
PY := $(VENV)/bin/python
SC := $(VENV)/bin/smartcounty
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint contract messages bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	$(SC) migrate --noinput
	$(SC) demo
	$(SC) serve $(HOST):$(PORT)

# Every test: the module-contract checker, then the whole suite (exit code 5, "no tests ran", is not a failure).
test: install
	$(SC) contract
	$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then exit 0; else exit $$rc; fi

lint: install
	$(PY) -m ruff check src bench

messages: install
	cd src/smartcounty && ../../$(SC) makemessages -l zh_Hans -l en --no-obsolete && ../../$(SC) compilemessages

bench: install
	for b in bench/*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf var .pytest_cache
