"""Slow packaging checks (a fresh virtualenv installing the wheel and its dependencies) run only when asked:
CHANWARDEN_SLOW=1, or `make install-check`."""

import os

import pytest


def pytest_collection_modifyitems(config, items) -> None:
    if os.environ.get("CHANWARDEN_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: set CHANWARDEN_SLOW=1 (make install-check) to run it")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
