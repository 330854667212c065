# The two commands: `make demo DEMO=molecule` (or qa, image, video) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO ?= molecule
DEMO_DIR := build/demo

.DEFAULT_GOAL := help
.PHONY: help demo test bench services lint lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

# Every install takes its versions from constraints.txt (make lock writes it), so a new
# upstream release changes nothing here until someone re-pins on purpose.
PIP_INSTALL := $(BIN)/pip install --quiet --constraint constraints.txt

$(BIN)/pip:
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) "pip>=25.1"

$(VENV)/.render: pyproject.toml constraints.txt | $(BIN)/pip
	$(PIP_INSTALL) --group render
	touch $@

# torch goes first and pinned: the CPU build; anything unpinned would pull a CUDA one.
$(VENV)/.test: pyproject.toml constraints.txt | $(BIN)/pip
	$(PIP_INSTALL) torch==2.13.0
	$(PIP_INSTALL) --group test
	touch $@

# When make started, before any prerequisite: make demo reports the time to its first page.
STARTED := $(shell date +%s)

demo: $(VENV)/.render  ## render DEMO (molecule, qa, image or video) into build/demo, install it, load its sample data, serve it
	$(BIN)/cookiecutter . --no-input --overwrite-if-exists --output-dir $(DEMO_DIR) \
		demo_type=$(DEMO) project_slug=milvus-$(DEMO)-search
	$(PYTHON) scripts/first_page.py http://127.0.0.1:8000/ $(STARTED) &
	$(MAKE) -C $(DEMO_DIR)/milvus-$(DEMO)-search run

test: $(VENV)/.test services  ## bake every demo, lint and type-check it, run its tests, serve it
	$(BIN)/pytest --numprocesses 2 --dist loadfile $(PYTEST_ARGS)

bench: $(VENV)/.test  ## bake every demo, benchmark it on 127.0.0.1 and write docs/benchmarks.md
	$(BIN)/python scripts/bench.py $(DEMOS)

# The tests start mariadbd and redis-server themselves (no systemd needed); they only need
# the binaries.
services:  ## install Debian's mariadb-server and redis-server (as root) where missing
	@PATH="$$PATH:/usr/sbin" command -v mariadbd >/dev/null && command -v redis-server >/dev/null || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			mariadb-server redis-server; }

lint: $(VENV)/.test  ## ruff on the template's own tests and scripts
	$(BIN)/ruff check tests scripts
	$(BIN)/ruff format --check tests scripts

lock: $(VENV)/.render  ## re-pin constraints.txt and each demo's to the newest releases (then make test)
	$(BIN)/pip install --quiet --group lock
	scripts/lock.sh

clean:  ## remove the venv and rendered demos
	rm -rf $(VENV) build
