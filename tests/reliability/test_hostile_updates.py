"""Odd Telegram objects through the real Telethon client and adapter, into the real application.

Messages with no sender or a chat as sender, deleted accounts, ids up to the TL limit, participants of
types this layer does not know, button presses on anything: each update is handled or ignored cleanly.
"Cleanly" is strict here: Inbound logs and drops an update whose handling raised, so any ERROR record
(from the adapter, the application or Telethon) fails the example.
"""

import asyncio
import logging
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from telethon import types

from adapters.telethon.inbound import Inbound
from tests.reliability.harness import ADMIN, ALICE, BOB, CHANNEL, GROUP, boot
from tests.reliability.profiles import FAST

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BOT = 999
LONG = 2**63 - 1

ids = st.sampled_from([0, 1, ALICE, BOB, ADMIN, GROUP, CHANNEL, BOT, LONG, 2**31, 2**32 + 7]) | st.integers(0, LONG)
peers = st.none() | st.builds(types.PeerUser, ids) | st.builds(types.PeerChannel, ids) | st.builds(types.PeerChat, ids)
text = st.text(max_size=30) | st.sampled_from(["/protect @news", "/settings quiet on", "/status", "/unprotect"])


class UnknownParticipant:
    """A participant type from a future layer: Telethon would hand it over as an object it cannot name."""

    user_id = ALICE


participants = st.one_of(
    st.none(),
    st.builds(types.ChannelParticipant, ids, st.just(NOW)),
    st.builds(types.ChannelParticipantSelf, ids, ids, st.just(NOW)),
    st.builds(types.ChannelParticipantCreator, ids, st.just(types.ChatAdminRights(ban_users=True))),
    st.builds(types.ChannelParticipantAdmin, ids, ids, st.just(NOW), st.just(types.ChatAdminRights())),
    st.builds(types.ChannelParticipantBanned, peers.filter(lambda p: p is not None), ids, st.just(NOW),
              st.builds(types.ChatBannedRights, st.none(), send_messages=st.booleans(), view_messages=st.booleans()),
              left=st.booleans()),
    st.builds(types.ChannelParticipantLeft, peers.filter(lambda p: p is not None)),
    st.builds(UnknownParticipant),
)
actions = st.one_of(
    st.builds(types.MessageActionChatJoinedByLink, ids), st.builds(types.MessageActionChatAddUser, st.lists(ids)),
    st.builds(types.MessageActionChatJoinedByRequest), st.builds(types.MessageActionChatDeleteUser, ids),
)
chat_peer = st.sampled_from([types.PeerChannel(GROUP), types.PeerChannel(CHANNEL)]) | peers.filter(bool)
forwards = st.none() | st.builds(types.MessageFwdHeader, st.just(NOW), from_id=peers, channel_post=st.none() | ids,
                                 saved_from_peer=peers)
messages = st.builds(types.Message, st.integers(1, 2**31 - 1), chat_peer, st.just(NOW), text, from_id=peers,
                     fwd_from=forwards, post=st.none() | st.booleans())
services = st.builds(lambda i, p, a, f: types.MessageService(i, p, NOW, action=a, from_id=f),
                     st.integers(1, 2**31 - 1), chat_peer, actions, peers)
updates = st.one_of(
    st.builds(types.UpdateNewChannelMessage, messages | services, st.just(1), st.just(1)),
    st.builds(types.UpdateEditChannelMessage, messages, st.just(1), st.just(1)),
    st.builds(types.UpdateChannelParticipant, ids | st.just(GROUP), st.just(NOW), ids, ids | st.just(ALICE),
              st.just(1), prev_participant=participants, new_participant=participants),
    st.builds(types.UpdateBotCallbackQuery, ids, ids, chat_peer, st.integers(0, 2**31 - 1), ids,
              data=st.none() | st.binary(max_size=80)),
    st.builds(types.UpdateBotChatInviteRequester, chat_peer, st.just(NOW), ids, text,
              st.just(types.ChatInviteExported("https://t.me/+x", ADMIN, NOW, request_needed=True)), st.just(1)),
)
users = st.lists(st.one_of(
    st.builds(types.User, ids, deleted=st.just(True)),  # a deleted account: no name, no hash
    st.builds(types.User, ids, access_hash=ids, first_name=text, bot=st.booleans()),
), max_size=3)
chats = st.lists(st.sampled_from([
    types.Channel(GROUP, "Chat", types.ChatPhotoEmpty(), NOW, megagroup=True, access_hash=1),
    types.Channel(CHANNEL, "News", types.ChatPhotoEmpty(), NOW, broadcast=True, access_hash=2, username="news"),
    types.ChannelForbidden(GROUP, 3, "gone"),
    types.Chat(GROUP, "Old basic group", types.ChatPhotoEmpty(), 3, NOW, 1),
]), max_size=2)


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def _run(batch: list[tuple]) -> None:
    bot = await boot(protected=True, telethon=True)
    client = bot.client
    Inbound(client, bot.gate.handle, BOT).register()
    errors = Errors()
    logging.getLogger().addHandler(errors)
    try:
        for update, found_users, found_chats in batch:
            for processed in await client._preprocess_updates([update], found_users, found_chats):
                await client._dispatch_update(processed)
            await bot.gate.settle()
    finally:
        logging.getLogger().removeHandler(errors)
    failures = [f"{r.name}: {r.getMessage()} {r.exc_info[1] if r.exc_info else ''}" for r in errors.records]
    assert not failures, failures


@FAST
@given(batch=st.lists(st.tuples(updates, users, chats), min_size=1, max_size=3))
def test_odd_updates_are_handled_or_ignored_without_a_crash(batch) -> None:
    asyncio.run(_run(batch))
