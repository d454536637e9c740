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

# Most of the suite waits (on killed and restarted processes, on the services), so two pytest processes take
# about half the wall time of one; each test makes its own database, key prefix or stream, so they do not meet.
TEST_PROCESSES ?= 2

test: lint
	$(BIN)/python -m pytest -n $(TEST_PROCESSES)

scenarios: $(STAMP)
	$(BIN)/python -m pytest tests/scenarios

# The wheel installed alone in a fresh virtualenv: the product runs without its test rig.
install-check: $(STAMP)
	CHANWARDEN_SLOW=1 $(BIN)/python -m pytest tests/packaging

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
