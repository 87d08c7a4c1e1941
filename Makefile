# Відкрите Місто (Open City) for QGIS — build, test, demo.
# `make demo` and `make test` set up everything on a fresh Debian 12/13 machine.

SHELL := /bin/bash
PLUGIN := openmisto_plugin
VERSION := $(shell sed -n 's/^version=//p' metadata.txt)
VENV := .venv
PY := $(VENV)/bin/python
BUILD := build
STAGE := $(BUILD)/stage/$(PLUGIN)
ZIP := dist/$(PLUGIN)-$(VERSION).zip
RELEASE_CONFIG ?= release.ini
RELEASE_ZIP := dist/release/$(PLUGIN)-$(VERSION).zip
# Empty: the default profile of the installed QGIS (QGIS3 or QGIS4 folder, tools/qgis_profile.sh).
QGIS_PROFILE ?=
SERVER_PORT ?= 8311
DEMO_DIR ?= $(BUILD)/demo
export QT_QPA_PLATFORM ?= offscreen
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help system-deps venv translations test test-matrix lint stage package release install demo server bench docs clean

help:
	@echo "make demo     - install what is missing, start the reference server, sync, assign, atlas, open QGIS"
	@echo "make test     - lint, the Qt 6 / QGIS 4 check (tools/qt6_check.py) and the whole test suite (headless)"
	@echo "make test-matrix - the suite in clean Debian 12, 13 and unstable roots (root; MATRIX=debian13,sid)"
	@echo "make package  - build $(ZIP) for Plugins > Install from ZIP (a local build)"
	@echo "make release  - build $(RELEASE_ZIP) for the plugin repository, addresses from $(RELEASE_CONFIG), rules checked"
	@echo "make install  - install the plugin into the installed QGIS's default profile (QGIS3/QGIS4; QGIS_PROFILE=... to choose)"
	@echo "make server   - start the reference Open City server by hand (port $(SERVER_PORT))"
	@echo "make bench    - benchmarks (100 000 reports)"
	@echo "make docs     - guide screenshots (real QGIS under Xvfb), quick reference PDF, guide HTML"

system-deps:
	@bash tools/system-deps.sh

$(VENV)/.done: tools/requirements-dev.txt tools/make-venv.sh | system-deps
	bash tools/make-venv.sh $(VENV)
	touch $@

venv: system-deps $(VENV)/.done

translations: system-deps
	lrelease -silent i18n/openmisto_uk.ts -qm i18n/openmisto_uk.qm

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -r openmisto_plugin server
	$(PY) tools/qt6_check.py

test: venv translations
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -q -r openmisto_plugin server
	$(PY) i18n/update_ts.py --check
	$(PY) tools/qt6_check.py
	bash tools/run-tests.sh

# Clean Debian roots (debootstrap, cached under /var/cache/openmisto-matrix), one summary line per platform.
test-matrix:
	bash tools/test-matrix.sh

# The plugin folder as the zip holds it; repository, tracker, homepage and email from $(RELEASE_CONFIG).
stage: translations
	rm -rf $(BUILD)/stage && mkdir -p $(STAGE) dist
	cp -r $(PLUGIN)/. $(STAGE)/
	cp -r resources $(STAGE)/resources
	mkdir -p $(STAGE)/i18n && cp i18n/*.qm $(STAGE)/i18n/
	cp metadata.txt $(STAGE)/metadata.txt
	$(PY) tools/release.py stamp --config $(RELEASE_CONFIG) $(STAGE)/metadata.txt
	cp LICENSE $(STAGE)/LICENSE
	$(PY) tools/build_guide.py --out $(STAGE)/help
	find $(STAGE) -name __pycache__ -prune -exec rm -rf {} +
	$(PY) tools/vendor_libs.py $(STAGE)/ext_libs

package: stage
	rm -f $(ZIP) && (cd $(BUILD)/stage && zip -qr ../../$(ZIP) $(PLUGIN))
	@echo "Built $(ZIP)"

# Refuses before building while $(RELEASE_CONFIG) holds a placeholder; the zip is kept only when every rule passes.
release: venv
	$(PY) tools/release.py config --config $(RELEASE_CONFIG)
	$(MAKE) --no-print-directory stage RELEASE_CONFIG=$(RELEASE_CONFIG)
	$(PY) tools/release.py build --config $(RELEASE_CONFIG) --stage $(BUILD)/stage --out $(RELEASE_ZIP)

install: venv package
	@profile="$(QGIS_PROFILE)"; [ -n "$$profile" ] || profile=$$(bash tools/qgis_profile.sh); \
	plugins="$$profile/python/plugins"; \
	rm -rf "$$plugins/$(PLUGIN)" && mkdir -p "$$plugins" && \
	(cd "$$plugins" && unzip -q -o $(CURDIR)/$(ZIP)) && \
	echo "Installed into $$plugins/$(PLUGIN)"

server: venv
	$(PY) -m server --db $(DEMO_DIR)/server.sqlite --port $(SERVER_PORT) --seed-if-empty $(SERVER_OPTIONS)

demo: venv translations install
	bash tools/demo.sh

bench: venv translations
	$(PY) bench/run_all.py

docs: venv translations
	bash tools/make_docs.sh

clean:
	rm -rf $(BUILD) dist .pytest_cache .ruff_cache
