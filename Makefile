# smartcounty: `make run` to try it, `make test` to test it.
VENV ?= .venv
PY := $(VENV)/bin/python
SC := $(VENV)/bin/smartcounty
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint contract messages bench clean vendor

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
	$(PY) -m ruff check src bench tests

# Refresh every module's translations (each module has its own locale/ folder), then compile them.
messages: install
	for d in src/smartcounty/kernel src/smartcounty/foundation/* src/smartcounty/domains/*; do \
	  [ -f $$d/apps.py ] || continue; mkdir -p $$d/locale; \
	  (cd $$d && $(CURDIR)/$(SC) makemessages -l zh_Hans -l en --no-obsolete --no-location >/dev/null) || exit 1; done
	cd src/smartcounty && $(CURDIR)/$(SC) compilemessages >/dev/null

bench: install
	for b in bench/*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf var .pytest_cache

# Re-vendor the front-end libraries (versions pinned in package.json) from the npm registry.
vendor:
	rm -rf node_modules && npm install --no-audit --no-fund --no-save
	V=src/smartcounty/static/vendor; rm -rf $$V; mkdir -p $$V/htmx $$V/leaflet $$V/leaflet.markercluster $$V/leaflet-geoman $$V/echarts; \
	cp node_modules/htmx.org/dist/htmx.min.js $$V/htmx/; \
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $$V/leaflet/; \
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js node_modules/leaflet.markercluster/dist/MarkerCluster*.css $$V/leaflet.markercluster/; \
	cp node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css $$V/leaflet-geoman/; \
	cp node_modules/echarts/dist/echarts.min.js $$V/echarts/
