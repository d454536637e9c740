# `make demo` and `make test` each build their own virtualenv, so they work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint scenarios install-check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The rig (the sim extra and the packages the wheel leaves out) is imported from the source tree: compat
	# mode puts the tree itself on the path instead of mapping only the packages the wheel ships.
	$(BIN)/pip install --quiet -e '.[dev,sim]' --config-settings editable_mode=compat
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/chanwarden demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest

scenarios: $(STAMP)
	$(BIN)/python -m pytest tests/scenarios

# The wheel installed alone in a fresh virtualenv: the product runs without its test rig.
install-check: $(STAMP)
	CHANWARDEN_SLOW=1 $(BIN)/python -m pytest tests/packaging

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
