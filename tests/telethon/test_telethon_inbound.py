"""Real TL updates, delivered through the client's own update processing, become the right commands.

Telethon swallows handler exceptions, so every test asserts on what the sink received.
"""

import pytest
from fake_sender import BOT_ID, deliver
from telethon import functions, types
from telethon.tl.types import messages as tl_messages
from tg_world import ADMIN, CHANNEL, CHATS, GROUP, NOW, SEND_AS, USER, USERS, msg, post

from adapters.telethon.inbound import Inbound
from application.commands import GroupMessage, VerifyPressed, WarningSeen
from domain import senders


def document(*attributes):
    return types.MessageMediaDocument(document=types.Document(1, 2, b"", NOW, "x/y", 1, 1, list(attributes)))


async def test_user_message_with_names(bot):
    client, _, received = bot
    await deliver(client, post(msg(types.PeerUser(USER))), USERS, CHATS)
    assert received == [
        GroupMessage(
            GROUP, 10, senders.Sender("user", USER), "text", "hi", sender_name="Ann Lee", chat_title="Protected"
        )
    ]


async def test_edited_message_is_checked_too(bot):
    client, _, received = bot
    await deliver(client, post(msg(types.PeerUser(USER), "edited"), edited=True), USERS, CHATS)
    await deliver(client, post(msg(types.PeerUser(USER), "new")), USERS, CHATS)
    assert [(c.text, c.sender.kind, c.edited) for c in received] == [("edited", "user", True), ("new", "user", False)]


HELPER = types.User(77, bot=True, bot_info_version=1, access_hash=78, first_name="Helper")


async def test_a_message_from_another_bot_says_so(bot):
    client, _, received = bot
    await deliver(client, post(msg(types.PeerUser(77))), [HELPER], CHATS)
    await deliver(client, post(msg(types.PeerUser(USER))), USERS, CHATS)
    assert [(c.sender.peer_id, c.sender_is_bot) for c in received] == [(77, True), (USER, False)]


async def test_a_bot_the_client_remembers_is_known_without_its_user_in_the_update(bot):
    client, _, received = bot
    client._mb_entity_cache.extend([HELPER], [])
    await deliver(client, post(msg(types.PeerUser(77))), [], CHATS)
    assert [c.sender_is_bot for c in received] == [True]


VERIFY = types.ReplyInlineMarkup([types.KeyboardInlineButtonRow([
    types.KeyboardInlineButton("Join", types.InlineButtonTypeUrl("https://t.me/news")),
    types.KeyboardInlineButton("Verify", types.InlineButtonTypeCallback(b"v:42")),
])])


def own(text="Please join", markup=VERIFY, **kw):
    return msg(types.PeerUser(BOT_ID), text, out=True, reply_markup=markup, **kw)


async def test_the_bots_own_warning_seen_in_a_catch_up_is_reported_as_such(bot):
    client, _, received = bot
    await deliver(client, post(own()), USERS, CHATS)
    assert received == [WarningSeen(GROUP, 10, b"v:42")]


@pytest.mark.parametrize(
    "update",
    [
        post(own("Protection is on", markup=None)),  # a reply to a command: nothing to press
        post(own(), edited=True),  # an edit of its own warning: it knew that message already
        # Its own message as some client shows it without the out flag: still its own, by the sender.
        post(msg(types.PeerUser(BOT_ID), "Protection is on")),
    ],
)
async def test_the_bots_other_own_messages_are_never_gated(bot, update):
    client, _, received = bot
    await deliver(client, update, USERS, CHATS)
    assert received == []


FWD = dict(channel_post=5, saved_from_peer=types.PeerChannel(CHANNEL), saved_from_msg_id=5)


@pytest.mark.parametrize(
    ("from_id", "fwd", "kind", "peer"),
    [
        (types.PeerChannel(GROUP), None, senders.ANONYMOUS_ADMIN, GROUP),
        (
            types.PeerChannel(CHANNEL),
            types.MessageFwdHeader(NOW, from_id=types.PeerChannel(CHANNEL), **FWD),
            senders.LINKED_CHANNEL,
            CHANNEL,
        ),
        (types.PeerChannel(SEND_AS), None, senders.SEND_AS_CHANNEL, SEND_AS),
        # writing as one's own channel and forwarding its post by hand is not an automatic forward
        (
            types.PeerChannel(SEND_AS),
            types.MessageFwdHeader(NOW, from_id=types.PeerChannel(SEND_AS), channel_post=3),
            senders.SEND_AS_CHANNEL,
            SEND_AS,
        ),
    ],
)
async def test_sender_is_classified(bot, from_id, fwd, kind, peer):
    client, _, received = bot
    await deliver(client, post(msg(from_id, fwd_from=fwd)), USERS, CHATS)
    assert [c.sender for c in received] == [senders.Sender(kind, peer)]


@pytest.mark.parametrize(
    ("media", "kind"),
    [
        (types.MessageMediaPhoto(), "photo"),
        (document(types.DocumentAttributeSticker("x", types.InputStickerSetEmpty())), "sticker"),
        (document(types.DocumentAttributeAnimated(), types.DocumentAttributeVideo(1, 1, 1)), "gif"),
        (document(types.DocumentAttributeVideo(1, 1, 1)), "video"),
        (document(types.DocumentAttributeAudio(1, voice=True)), "voice"),
        (document(types.DocumentAttributeAudio(1)), "audio"),
        (document(types.DocumentAttributeFilename("a.pdf")), "document"),
        (types.MessageMediaPoll(types.Poll(1, types.TextWithEntities("q?", []), [], 0), types.PollResults()), "poll"),
        (types.MessageMediaGeo(types.GeoPointEmpty()), "other"),
    ],
)
async def test_content_kind(bot, media, kind):
    client, _, received = bot
    await deliver(client, post(msg(types.PeerUser(USER), "", media=media)), USERS, CHATS)
    assert [c.kind for c in received] == [kind]


async def test_protect_by_reply_finds_the_forwarded_channel(bot):
    client, sender, received = bot
    original = types.Message(
        9,
        types.PeerChannel(GROUP),
        NOW,
        "post",
        from_id=types.PeerChannel(CHANNEL),
        fwd_from=types.MessageFwdHeader(NOW, from_id=types.PeerChannel(CHANNEL), **FWD),
    )
    sender.answer(
        functions.channels.GetMessagesRequest,
        tl_messages.ChannelMessages(1, 1, [original], [], list(CHATS), list(USERS)),
    )
    reply = msg(types.PeerUser(ADMIN), "/protect", reply_to=types.MessageReplyHeader(reply_to_msg_id=9))
    await deliver(client, post(reply), USERS, CHATS)
    assert [c.reply_to_forwarded_channel for c in received] == [CHANNEL]


async def test_plain_reply_costs_no_request(bot):
    client, sender, received = bot
    reply = msg(types.PeerUser(USER), "thanks", reply_to=types.MessageReplyHeader(reply_to_msg_id=9))
    await deliver(client, post(reply), USERS, CHATS)
    assert [c.reply_to_forwarded_channel for c in received] == [None] and sender.requests == []


async def test_broadcast_channel_posts_are_not_group_messages(bot):
    client, _, received = bot
    news = types.Message(3, types.PeerChannel(CHANNEL), NOW, "news", post=True)
    await deliver(client, post(news), USERS, CHATS)
    assert received == []


async def test_verify_button_press(bot):
    client, _, received = bot
    update = types.UpdateBotCallbackQuery(555, USER, types.PeerChannel(GROUP), 77, 1, data=b"v:42")
    await deliver(client, update, USERS, CHATS)
    assert received == [VerifyPressed(555, GROUP, USER, b"v:42")]


async def test_odd_updates_are_dropped_and_the_next_still_arrives(bot):
    client, _, received = bot
    await deliver(client, post(msg(None)), USERS, CHATS)  # no sender at all
    deleted = types.User(77, deleted=True, access_hash=78)
    await deliver(client, post(msg(types.PeerUser(77))), [deleted], CHATS)  # deleted account, no name
    await deliver(client, post(types.Message(12, types.PeerChannel(GROUP), NOW, "x", from_id=types.PeerUser(99))))
    assert [(c.sender.peer_id, c.sender_name, c.chat_title) for c in received] == [(77, "", "Protected"), (99, "", "")]


async def test_a_failing_sink_is_logged_and_other_handlers_still_run(bot, caplog):
    client, _, received = bot

    async def broken(command):
        raise RuntimeError("sink down")

    Inbound(client, broken, BOT_ID).register()
    await deliver(client, post(msg(types.PeerUser(USER))), USERS, CHATS)
    assert len(received) == 1
    assert "could not be handled" in caplog.text
