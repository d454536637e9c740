import sys
from pathlib import Path

import pytest

# The helpers live next to the tests; make them importable however pytest was started.
sys.path.insert(0, str(Path(__file__).parent))

from simulators import TRANSPORTS, Simulator


@pytest.fixture(params=TRANSPORTS)
def sim(request) -> Simulator:
    """The same small world behind either simulated Telegram: each test runs on both."""
    return Simulator(request.param)
