# The README's commands. Everything the project needs is installed from here into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test demo bench clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/pytest

demo: $(STAMP)
	$(BIN)/python -m wicked_platform.agents.demo checkout-timeout $(if $(DEMO_DIR),--dest "$(DEMO_DIR)")

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_logs.py --size-mb $${SIZE_MB:-1024}

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
