"""Telegram updates, translated into application commands and handed to a sink.

Which source reports a join, so that each join is reported once:
- a service message (events.ChatAction: joined by link / added; raw MessageActionChatJoinedByRequest)
  is the usual source and says how the member came in;
- with "hidden members" on there is no service message, only the raw UpdateChannelParticipant. That
  update is therefore also translated, and both sources pass through a short memory of recent joins, so
  whichever of the two arrives second is dropped. Telethon's own ChatAction built from that raw update
  (it has no action_message) is ignored for the same reason. Only the raw update says what the member's
  place in the group is (prior restrictions, admin); a join reported from it carries that, which spares
  the gate asking Telegram. Telegram promises no order between the two, so a join whose service message
  came first carries none and the gate asks.
Leaving a channel often produces no service message at all, so channel memberships come only from the
raw UpdateChannelParticipant. In a group that update also tells every other change of someone's place:
a leave, kick or ban (MemberLeft, always, whoever did it) and, while the person stays inside, a restriction,
its lifting, a promotion or a demotion (MemberStandingChanged; dropped when the bot made the change itself,
which Telegram reports like anyone else's). The bot's own messages are never gated; one carrying a button
to press reaches it only through a catch-up after a restart, and is reported as WarningSeen. A message
someone writes to the bot in a private chat is a PrivateMessage (the application answers /why there).
Every handler catches and logs whatever goes wrong with one update: Telethon would swallow it anyway, and
one odd object must not stop the next update.
"""

import logging
import time
from collections.abc import Awaitable, Callable

from telethon import events, types, utils

from adapters.telethon.messages import (
    callback_data,
    chat_of,
    classify_sender,
    is_bot,
    language_of,
    to_group_message,
)
from adapters.telethon.participants import status_of, to_participant
from adapters.telethon.peers import plain_id
from application.commands import (
    BotRightsChanged,
    ChannelChanged,
    ChannelMembershipChanged,
    Command,
    JoinRequested,
    MemberJoined,
    MemberLeft,
    MemberStandingChanged,
    PrivateMessage,
    VerifyPressed,
    WarningSeen,
)
from application.ports.telegram import Participant
from domain import subscription as sub

log = logging.getLogger(__name__)

Sink = Callable[[Command], Awaitable[None]]
_JOIN_MEMORY_SECONDS = 120.0


class Inbound:
    def __init__(self, client, sink: Sink, bot_id: int) -> None:
        self._client = client
        self._sink = sink
        self._bot_id = bot_id
        self._recent_joins: dict[tuple[int, int], float] = {}

    def register(self) -> "Inbound":
        add = self._client.add_event_handler
        add(self._guard(self._message), events.NewMessage())
        add(self._guard(self._message), events.MessageEdited())
        add(self._guard(self._action), events.ChatAction())
        add(self._guard(self._callback), events.CallbackQuery())
        raw_types = [
            types.UpdateChannelParticipant,
            types.UpdateBotChatInviteRequester,
            types.UpdateNewChannelMessage,
            types.UpdateChannel,
        ]
        add(self._guard(self._raw), events.Raw(types=raw_types))
        return self

    def _guard(self, translate: Callable[..., Awaitable[list[Command]]]):
        async def handler(event) -> None:
            try:
                for command in await translate(event):
                    await self._sink(command)
            except Exception:
                log.exception("dropped an update that could not be handled: %s", type(event).__name__)

        return handler

    # -- messages ---------------------------------------------------------------------------------

    async def _message(self, event) -> list[Command]:
        message = event.message
        if isinstance(message.peer_id, types.PeerUser):
            return self._private(event)
        chat_id = chat_of(message)
        if chat_id is None or not self._is_megagroup(chat_id, message.chat, message.post):
            return []
        edited = isinstance(event, events.MessageEdited.Event)
        if message.out or message.sender_id == self._bot_id:
            # Its own message, which it never gates. Edits of it say nothing new: the bot knew the message.
            data = None if edited else callback_data(message.reply_markup)
            return [WarningSeen(chat_id, message.id, data)] if data is not None else []
        sender = classify_sender(message, chat_id)
        if sender is None:
            log.warning("message %s in %s names no sender; ignored", message.id, chat_id)
            return []
        bot = sender.kind == "user" and is_bot(self._client, message.sender, sender.peer_id)
        return [await to_group_message(message, chat_id, sender, sender_is_bot=bot, edited=edited)]

    def _private(self, event) -> list[Command]:
        """Someone wrote to the bot in a private chat (/why); its own messages there and edits say nothing."""
        message = event.message
        if message.out or isinstance(event, events.MessageEdited.Event) or not message.message:
            return []
        user_id = message.peer_id.user_id
        if user_id == self._bot_id:
            return []
        user = event._entities.get(user_id) if getattr(event, "_entities", None) else None
        name = utils.get_display_name(user) if user is not None else ""
        return [PrivateMessage(user_id, message.id, message.message, name, language_of(user))]

    def _is_megagroup(self, chat_id: int, chat, post: bool | None) -> bool:
        if isinstance(chat, types.Channel):
            return bool(chat.megagroup)
        cached = self._client._mb_entity_cache.get(chat_id)
        if cached is not None:
            return cached.is_group
        return not post  # only broadcast channels carry "post" messages

    # -- joins ------------------------------------------------------------------------------------

    async def _action(self, event) -> list[Command]:
        service = event.action_message
        if service is None or not isinstance(service.peer_id, types.PeerChannel):
            return []  # built from UpdateChannelParticipant (handled raw) or a basic group
        if not (event.user_joined or event.user_added):
            return []
        via = "link" if event.user_joined else "added"
        # A service message naming nobody (no from_id) has user_ids None: there is no one to check.
        user_ids = event.user_ids or []
        joins = [self._joined(service.peer_id.channel_id, uid, via, event._entities) for uid in user_ids]
        return [j for j in joins if j is not None]

    def _joined(
        self, chat_id: int, user_id: int, via: str, entities, participant: Participant | None = None
    ) -> MemberJoined | None:
        now = time.monotonic()
        if len(self._recent_joins) > 10_000:
            self._recent_joins = {k: t for k, t in self._recent_joins.items() if now - t < _JOIN_MEMORY_SECONDS}
        seen = self._recent_joins.get((chat_id, user_id))
        self._recent_joins[(chat_id, user_id)] = now
        if seen is not None and now - seen < _JOIN_MEMORY_SECONDS:
            return None
        user = entities.get(user_id) if entities else None
        bot = is_bot(self._client, user, user_id)
        return MemberJoined(chat_id, user_id, via, _name(entities, user_id), participant, is_bot=bot,
                            language=language_of(user))

    # -- raw updates ------------------------------------------------------------------------------

    async def _raw(self, update) -> list[Command]:
        entities = getattr(update, "_entities", None) or {}
        if isinstance(update, types.UpdateBotChatInviteRequester):
            chat_id = plain_id(update.peer)
            requester = update.user_id
            return [JoinRequested(chat_id, requester, _name(entities, requester), _language(entities, requester))] \
                if chat_id else []
        if isinstance(update, types.UpdateChannelParticipant):
            return [c for c in [self._participant(update, entities)] if c is not None]
        if isinstance(update, types.UpdateChannel):
            # A title, a username removed or set: only a channel's matter (a group's own details are not).
            chat = entities.get(utils.get_peer_id(types.PeerChannel(update.channel_id)))
            return [] if self._is_megagroup(update.channel_id, chat, post=True) else [ChannelChanged(update.channel_id)]
        message = update.message
        if isinstance(message, types.MessageService) and isinstance(
            message.action, types.MessageActionChatJoinedByRequest
        ):
            user_id = plain_id(message.from_id)
            chat_id = chat_of(message)
            if user_id is not None and chat_id is not None:
                return [c for c in [self._joined(chat_id, user_id, "request", entities)] if c is not None]
        return []

    def _participant(self, update, entities) -> Command | None:
        chat_id, user_id, actor = update.channel_id, update.user_id, update.actor_id
        was_in = sub.is_subscribed(status_of(update.prev_participant))
        is_in = sub.is_subscribed(status_of(update.new_participant))
        if was_in and is_in and actor == self._bot_id and user_id != self._bot_id:
            return None  # the bot's own mute or release, told back as Telegram tells every change: dropped first
        new_status = status_of(update.new_participant)
        if user_id == self._bot_id:
            return BotRightsChanged(chat_id, new_status in (sub.ADMIN, sub.CREATOR))
        chat = entities.get(utils.get_peer_id(types.PeerChannel(chat_id)))
        # An unknown chat is reported as a channel change: the application ignores channels it does not
        # protect, and a missed group join is caught when the member next writes.
        if not self._is_megagroup(chat_id, chat, post=True):
            return ChannelMembershipChanged(chat_id, user_id, new_status, _name(entities, user_id))
        if is_in and not was_in:
            return self._joined(chat_id, user_id, _via(update.invite), entities, to_participant(update.new_participant))
        if is_in:
            return MemberStandingChanged(chat_id, user_id, actor, to_participant(update.new_participant))
        banned = new_status == sub.KICKED
        if was_in or (banned and status_of(update.prev_participant) != sub.KICKED):
            # A leave, a kick, or a ban of someone already gone (who must not be let back in by the bot either).
            self._recent_joins.pop((chat_id, user_id), None)  # a later re-join is news again
            return MemberLeft(chat_id, user_id, banned, actor, to_participant(update.new_participant))
        return None  # someone outside stays outside (an unban, a departed member's restrictions changed)

    # -- buttons ----------------------------------------------------------------------------------

    async def _callback(self, event) -> list[Command]:
        query = event.query
        if not isinstance(query, types.UpdateBotCallbackQuery):
            return []  # a press on an inline-mode message belongs to no chat
        chat_id = plain_id(query.peer)
        if chat_id is None:
            return []
        # The data is untrusted bytes from the client; the application validates it.
        entities = getattr(event, "_entities", None) or {}
        return [VerifyPressed(query.query_id, chat_id, query.user_id, bytes(query.data or b""),
                              _language(entities, query.user_id))]


def _via(invite) -> str:
    """How a member the participant update reports came in: no invite means someone added them."""
    if invite is None:
        return "added"
    # A public group with join requests on names no link: its requests come through the username.
    if isinstance(invite, types.ChatInvitePublicJoinRequests) or getattr(invite, "request_needed", False):
        return "request"
    return "link"


def _name(entities, user_id: int) -> str:
    user = entities.get(user_id) if entities else None
    return utils.get_display_name(user) if user is not None else ""


def _language(entities, user_id: int) -> str:
    """The person's app language (User.lang_code), which Telegram tells bots in the users of an update."""
    user = entities.get(user_id) if entities else None
    return language_of(user)
