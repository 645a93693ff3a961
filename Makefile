# The README's commands. Everything the project needs is installed from here into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test demo bench clean

$(STAMP): pyproject.toml setup.py $(wildcard tools/logs/_prefilter*.[ch])
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The MCP Inspector CLI and the Claude Code CLI, for the tests that drive the server and the plugin
# as real clients would. Without npm the tests that need them skip and say why.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json
	@if command -v npm >/dev/null 2>&1; then npm install --no-audit --no-fund --silent && touch $(NODE_STAMP); \
	else echo "npm not found: MCP Inspector and Claude Code plugin tests will be skipped" >&2; fi

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest

demo: $(STAMP)
	$(BIN)/python -m wicked_platform.agents.demo checkout-timeout $(if $(DEMO_DIR),--dest "$(DEMO_DIR)")

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_logs.py --size-mb $${SIZE_MB:-1024} --layout all
	$(BIN)/python benchmarks/bench_compose.py --size-mb $${COMPOSE_MB:-200}
	$(BIN)/python benchmarks/bench_mcp.py
	$(BIN)/python benchmarks/bench_prometheus.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache node_modules
