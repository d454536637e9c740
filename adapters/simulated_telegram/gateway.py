"""The bot's Telegram API onto the simulated world, counting every call as Telegram would bill it."""

import asyncio
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from adapters.simulated_telegram import listing as listing_rules
from adapters.simulated_telegram import model
from adapters.simulated_telegram.faults import FaultPlan
from adapters.simulated_telegram.world import Refused, World
from application.ports.clock import Clock
from application.ports.telegram import (
    LIST_LIMIT,
    ChannelInfo,
    Listing,
    OutgoingMessage,
    Participant,
    ParticipantPage,
    TelegramError,
    UserInfo,
)
from domain import subscription as sub

# Telegram's RPC errors as the bot's port names them (adapters.telethon.errors maps the same ones).
_REFUSALS = {
    Refused.ADMIN: TelegramError.TARGET_IS_ADMIN,
    Refused.NOT_PARTICIPANT: TelegramError.NOT_PARTICIPANT,
    Refused.DUPLICATE: TelegramError.DUPLICATE,
    Refused.ADMIN_REQUIRED: TelegramError.NOT_ADMIN,
}


class SimulatedTelegram:
    def __init__(self, world: World, clock: Clock, rtt: float = 0.0, jitter: float = 0.0, seed: int = 0) -> None:
        self.world = world
        self.clock = clock
        self.calls: Counter[str] = Counter()
        self.faults = FaultPlan()
        self.callback_answers: list[tuple[int, str]] = []
        self._rtt = rtt
        self._jitter = jitter
        self._random = random.Random(seed)

    @property
    def bot_id(self) -> int:
        return self.world.bot_id

    async def _call(self, method: str, chat: int | None = None) -> None:
        self.calls[method] += 1
        if self._rtt:
            await asyncio.sleep(max(0.0, self._rtt + self._random.uniform(-self._jitter, self._jitter)))
        self.faults.check(method, chat)

    def _chat(self, chat_id: int):
        if chat_id not in self.world.chats:
            raise TelegramError(TelegramError.NOT_FOUND, f"chat {chat_id}")
        chat = self.world.chats[chat_id]
        if not chat.bot_present:
            # CHANNEL_PRIVATE: a chat the bot was removed from answers nothing, which the port calls not_admin.
            raise TelegramError(TelegramError.NOT_ADMIN, f"bot is not in {chat_id}")
        return chat

    def _require_admin(self, chat_id: int, right: str | None = None) -> None:
        chat = self._chat(chat_id)
        if not chat.bot_admin or (right is not None and not chat.bot_may(right)):
            raise TelegramError(TelegramError.NOT_ADMIN, f"bot lacks {right or 'admin rights'} in {chat_id}")

    async def get_participant(self, chat_id: int, user_id: int) -> Participant:
        await self._call("get_participant", chat_id)
        chat = self._chat(chat_id)
        if user_id != self.bot_id and chat.kind == "channel":
            self._require_admin(chat_id)  # only admins may look at a channel's subscribers
        if user_id == self.bot_id:
            return Participant(sub.ADMIN if chat.bot_admin else sub.MEMBER)
        return to_port(self.world.participant(chat_id, user_id))

    async def my_rights(self, chat_id: int) -> frozenset[str] | None:
        await self._call("get_participant", chat_id)
        chat = self._chat(chat_id)
        return frozenset(chat.bot_rights) if chat.bot_admin else None

    async def get_admins(self, chat_id: int) -> frozenset[int]:
        await self._call("get_participants", chat_id)
        return frozenset(self._chat(chat_id).admins())

    async def list_participants(
        self, chat_id: int, listing: Listing, offset: int = 0, limit: int = LIST_LIMIT, query: str = ""
    ) -> ParticipantPage:
        await self._call("get_participants", chat_id)
        self._chat(chat_id)
        if listing_rules.needs_admin(listing):
            self._require_admin(chat_id)
        total, found = self.world.listed(chat_id, str(listing), offset, limit, query)
        return ParticipantPage(total, tuple((user, to_port(p)) for user, p in found))

    async def resolve_channel(self, ref: str | int) -> ChannelInfo:
        await self._call("resolve_username" if isinstance(ref, str) else "get_channels")
        # Any chat, as Telegram resolves a public group too and the Telethon gateway takes what it resolves.
        for chat in self.world.chats.values():
            if chat.id == ref or (chat.username or "").lower() == str(ref).lower():
                return ChannelInfo(chat.id, chat.title, chat.username)
        raise TelegramError(TelegramError.NOT_FOUND, f"no channel {ref}")

    async def resolve_user(self, username: str) -> UserInfo:
        await self._call("resolve_username")
        wanted = username.lstrip("@").rsplit("/", 1)[-1].lower()
        for person in self.world.people.values():
            if person.username and person.username.lower() == wanted:
                return UserInfo(person.id, person.name)
        raise TelegramError(TelegramError.NOT_FOUND, f"no person @{wanted}")

    async def export_invite_link(self, channel_id: int) -> str:
        await self._call("export_chat_invite", channel_id)
        self._require_admin(channel_id, "invite_users")
        chat = self._chat(channel_id)
        chat.invite_links_exported += 1
        return f"https://t.me/+sim{channel_id}x{chat.invite_links_exported}"

    async def restrict(
        self, chat_id: int, member_id: int, restrictions: frozenset[str], until: datetime | None = None
    ) -> None:
        await self._edit_banned(chat_id, member_id, frozenset(restrictions), until)

    async def kick(self, chat_id: int, member_id: int) -> None:
        # Two calls, as over Telethon: a ban removes the member, lifting it at once lets them come back.
        await self._edit_banned(chat_id, member_id, frozenset({"view_messages"}))
        await self._edit_banned(chat_id, member_id, frozenset())

    async def _edit_banned(
        self, chat_id: int, member_id: int, restrictions: frozenset[str], until: datetime | None = None
    ) -> None:
        await self._call("edit_banned", chat_id)
        self._require_admin(chat_id, "ban_users")
        with _answered():
            self.world.edit_banned(chat_id, member_id, restrictions, until.timestamp() if until else None,
                                   actor=self.bot_id)

    async def send_message(self, chat_id: int, message: OutgoingMessage, key: int | None = None) -> int:
        await self._call("send_message", chat_id)
        self._chat(chat_id)
        with _answered():
            posted = self.world.bot_post(chat_id, message.text, _buttons(message), message.reply_to,
                                         self.clock.time(), key, _mentions(message))
        return posted.id

    async def set_commands(self, scope: str, language: str, commands: list[tuple[str, str]]) -> None:
        await self._call("set_bot_commands")
        self.world.command_menus[(scope, language)] = list(commands)

    async def send_private(self, user_id: int, text: str, key: int | None = None) -> None:
        await self._call("send_message")
        if user_id not in self.world.people:
            raise TelegramError(TelegramError.NOT_FOUND, f"user {user_id}")
        with _answered():
            self.world.private_post(user_id, text, key)

    async def edit_message(self, chat_id: int, message_id: int, message: OutgoingMessage) -> None:
        await self._call("edit_message", chat_id)
        found = self._chat(chat_id).messages.get(message_id)
        if found is None or found.deleted or not found.from_bot:
            raise TelegramError(TelegramError.NOT_FOUND, f"message {message_id}")
        found.text = message.text
        found.buttons = _buttons(message)
        found.mentions = _mentions(message)

    async def delete_messages(self, chat_id: int, message_ids: list[int]) -> None:
        await self._call("delete_messages", chat_id)
        chat = self._chat(chat_id)
        for message_id in message_ids:
            found = chat.messages.get(message_id)
            if found is not None:
                if not found.from_bot and not chat.bot_may("delete_messages"):
                    raise TelegramError(TelegramError.NOT_ADMIN, "cannot delete others' messages")
                found.deleted = True

    async def answer_callback(self, query_id: int, text: str, alert: bool = False) -> None:
        await self._call("set_bot_callback_answer")
        self.callback_answers.append((query_id, text))

    async def decide_join_request(self, chat_id: int, user_id: int, approve: bool) -> None:
        await self._call("hide_chat_join_request", chat_id)
        self._require_admin(chat_id, "invite_users")
        chat = self._chat(chat_id)
        if chat.join_requests.get(user_id) != "pending":
            raise TelegramError(TelegramError.NOT_FOUND, "HIDE_REQUESTER_MISSING")
        if approve:
            self.world.admit(chat_id, user_id)
        else:
            chat.join_requests[user_id] = "declined"


@contextmanager
def _answered() -> Iterator[None]:
    """The world's refusal as the TelegramError the bot's port promises for it."""
    try:
        yield
    except Refused as refusal:
        raise TelegramError(_REFUSALS[refusal.rpc], str(refusal)) from None


def to_port(found: model.Participant | None) -> Participant:
    """A world participant as the port describes it: no record reads as status none."""
    if found is None:
        return Participant(sub.NONE)
    return Participant(found.status, found.restrictions, when(found.until))


def when(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _buttons(message: OutgoingMessage) -> list[list[dict]]:
    return [[{"text": b.text, "url": b.url, "data": b.data} for b in row] for row in message.buttons]


def _mentions(message: OutgoingMessage) -> list[tuple[int, int, int]]:
    return [(m.offset, m.length, m.user_id) for m in message.mentions]
