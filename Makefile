# mentorkit: two commands do everything on a fresh machine.
#   make serve   build the environment if needed, then serve the Voila apps on 127.0.0.1:8866
#   make test    build the environment if needed, then run every test (unit, notebooks, browser)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.mentorkit-installed
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8866

.PHONY: serve test env chromium unit notebooks browser train-grader train-skills evaluate bench clean

env: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "mentorkit needs Python 3.11+, found " + sys.version.split()[0]' 
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	fi
	@test -x $(CHROMIUM) || { echo "chromium is still missing at $(CHROMIUM)"; exit 1; }

# voila.json holds the settings; JUPYTER_PATH lets Voila find the repo's "mentorkit" page template.
# mentorkit.serving is Voila with mentorkit's policy: HOST other than 127.0.0.1 needs MENTORKIT_SERVE_TOKEN
# or MENTORKIT_SERVE_PASSWORD (refused at start otherwise); only dashboards/ and exercises/ render
serve: $(STAMP)
	@echo "mentorkit: serving on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	JUPYTER_PATH="$(CURDIR)/dashboards/share/jupyter$${JUPYTER_PATH:+:$$JUPYTER_PATH}" \
	  $(PY) -m mentorkit.serving --no-browser --Voila.ip=$(HOST) --port=$(PORT) .

# one pytest run: unit and browser tests under tests/, notebooks under nbval
test: $(STAMP) chromium
	MPLBACKEND=Agg $(PY) -m pytest -p no:cacheprovider tests notebooks exercises dashboards --nbval-lax

unit: $(STAMP)
	$(PY) -m pytest -p no:cacheprovider tests --ignore=tests/browser

notebooks: $(STAMP)
	$(PY) -m pytest -p no:cacheprovider --nbval-lax notebooks exercises dashboards

browser: $(STAMP) chromium
	$(PY) -m pytest -p no:cacheprovider tests/browser

# the learned parts: data -> train -> evaluate (each trains on its fixed split, reproducibly)
train-grader: $(STAMP)
	$(VENV)/bin/mentorkit train-grader

train-skills: $(STAMP)
	$(VENV)/bin/mentorkit train-skills

# the packaged models on their fixed test splits, without training
evaluate: $(STAMP)
	$(VENV)/bin/mentorkit evaluate

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
