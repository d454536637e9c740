import sys
from pathlib import Path

import pytest

# The helpers live next to the tests; make them importable however pytest was started.
sys.path.insert(0, str(Path(__file__).parent))

from fake_sender import BOT_ID, offline_client


@pytest.fixture
async def bot():
    """A fresh client with the inbound handlers registered; returns (client, sender, commands received)."""
    from adapters.telethon.inbound import Inbound

    client, sender = offline_client()
    received = []

    async def sink(command):
        received.append(command)

    Inbound(client, sink, BOT_ID).register()
    return client, sender, received
