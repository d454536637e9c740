"""A remote world's bot that takes its updates as from Telegram: Telethon's own update loop, started as
`TelegramClient.connect()` starts it, on the update state the session file kept (or, the first time, on
updates.getState). Whatever happened while the bot was down comes with getDifference and getChannelDifference.
"""

import asyncio
import logging
from typing import Any

from telethon import functions, utils
from telethon._updates import ChannelState, Entity, EntityType, SessionState

log = logging.getLogger(__name__)


async def start_update_loop(client: Any) -> None:
    """What `connect()` does for updates, with no network: load the saved state, then run the loop."""
    states = await utils.maybe_async(client.session.get_update_states())
    account, channels = None, []
    for entity_id, state in states:
        if entity_id == 0:
            account = SessionState(0, 0, False, state.pts, state.qts, int(state.date.timestamp()), state.seq, None)
        else:
            channels.append(ChannelState(entity_id, state.pts))
    if account is None or not account.pts:
        # Never ran: Telegram's state now is where it starts (Telethon's own first login does the same).
        state = await client(functions.updates.GetStateRequest())
        account = SessionState(0, 0, False, state.pts, state.qts, int(state.date.timestamp()), state.seq, None)
        channels = []
    client._message_box.load(account, channels)
    for channel in channels:
        try:
            entity = await utils.maybe_async(client.session.get_input_entity(channel.channel_id))
        except ValueError:
            log.warning("no access hash kept for channel %s; it is not caught up", channel.channel_id)
        else:
            client._mb_entity_cache.put(Entity(EntityType.CHANNEL, entity.channel_id, entity.access_hash))
    client._updates_handle = asyncio.get_running_loop().create_task(client._update_loop())
