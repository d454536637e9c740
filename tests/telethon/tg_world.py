"""A few Telegram entities shared by the tests: the bot, a protected group, a linked channel, people."""

from datetime import UTC, datetime

from fake_sender import BOT_ID
from telethon import types

NOW = datetime(2025, 1, 1, tzinfo=UTC)
GROUP, CHANNEL, SEND_AS, USER, ADMIN = 500, 600, 700, 42, 43


def user(uid: int = USER, first: str = "Ann", last: str | None = "Lee") -> types.User:
    return types.User(uid, access_hash=uid + 1, first_name=first, last_name=last)


def bot() -> types.User:
    return types.User(BOT_ID, bot=True, access_hash=BOT_ID + 1, first_name="Warden")


def group() -> types.Channel:
    return types.Channel(GROUP, "Protected", types.ChatPhotoEmpty(), NOW, megagroup=True, access_hash=GROUP + 1)


def channel(cid: int = CHANNEL, title: str = "News", username: str | None = "news") -> types.Channel:
    return types.Channel(
        cid, title, types.ChatPhotoEmpty(), NOW, broadcast=True, access_hash=cid + 1, username=username
    )


USERS = (user(), user(ADMIN, "Boss", None), bot())
CHATS = (group(), channel(), channel(SEND_AS, "Ann's blog", None))


def post(message, edited=False):
    cls = types.UpdateEditChannelMessage if edited else types.UpdateNewChannelMessage
    return cls(message, pts=1, pts_count=1)


def msg(from_id, text="hi", **kw):
    return types.Message(10, types.PeerChannel(GROUP), NOW, text, from_id=from_id, **kw)
