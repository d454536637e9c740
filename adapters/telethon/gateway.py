"""TelegramGateway over a Telethon TelegramClient, one raw MTProto request per operation.

Raw requests instead of Telethon's friendly methods: they give exact control over every field (the full
ChatBannedRights set, no hidden revocation of invite links, no retries behind our back) and fail one
request at a time. Ids follow the convention in adapters.telethon.peers. Every call runs inside
telegram_errors, so callers only ever see TelegramError.
"""

import logging
import random
from datetime import datetime

from telethon import errors, functions, types, utils

from adapters.telethon.errors import telegram_errors
from adapters.telethon.participants import admin_rights_of, banned_rights, participant_user, to_participant
from application.ports.telegram import (
    LIST_LIMIT,
    MENU_GROUP_ADMINS,
    Button,
    ChannelInfo,
    Listing,
    OutgoingMessage,
    Participant,
    ParticipantPage,
    TelegramError,
    UserInfo,
)
from domain import subscription as sub

log = logging.getLogger(__name__)

_DELETE_CHUNK = 100  # channels.deleteMessages takes at most 100 ids per call
_ADMINS_LIMIT = 200  # a chat has at most 50 admins; one page always holds them all


# channels.getParticipants filters by the port's names; Banned, Kicked and Search take a query ("": everyone).
_FILTERS = {
    Listing.RECENT: lambda q: types.ChannelParticipantsRecent(),
    Listing.ADMINS: lambda q: types.ChannelParticipantsAdmins(),
    Listing.BANNED: lambda q: types.ChannelParticipantsBanned(q),
    Listing.KICKED: lambda q: types.ChannelParticipantsKicked(q),
    Listing.SEARCH: lambda q: types.ChannelParticipantsSearch(q),
}


class _ForgetsFloodWaits(dict):
    """Telethon remembers a flood wait per request type and then refuses that type in every chat until it
    ends. Flood waits are honoured by our rate limiter, per chat and per method; this lets one group's
    wait stall nobody else."""

    def __setitem__(self, key: object, value: object) -> None:
        pass


class TelethonGateway:
    def __init__(self, client, bot_id: int) -> None:
        self._client = client
        self._bot_id = bot_id
        client._flood_waited_requests = _ForgetsFloodWaits()

    @property
    def bot_id(self) -> int:
        return self._bot_id

    # -- peers ------------------------------------------------------------------------------------

    async def _input_peer(self, peer_id: int, default: type):
        """An InputPeer for a plain id, trusting the cache about its kind, else assuming `default`."""
        cached = self._client._mb_entity_cache.get(peer_id)
        if cached is not None:
            return cached._as_input_peer()
        try:
            # Telethon looks in the session, then (bots only) asks Telegram with access_hash 0.
            return await self._client.get_input_entity(default(peer_id))
        except ValueError as exc:
            raise TelegramError(TelegramError.NOT_FOUND, f"unknown peer {peer_id}") from exc

    async def _channel(self, chat_id: int):
        return utils.get_input_channel(await self._input_peer(chat_id, types.PeerChannel))

    async def _user(self, user_id: int):
        return utils.get_input_user(await self._input_peer(user_id, types.PeerUser))

    # -- reading ----------------------------------------------------------------------------------

    async def get_participant(self, chat_id: int, user_id: int) -> Participant:
        with telegram_errors("get_participant"):
            channel = await self._channel(chat_id)
            member = await self._input_peer(user_id, types.PeerUser)
            try:
                answer = await self._client(functions.channels.GetParticipantRequest(channel, member))
            except errors.UserNotParticipantError:
                return Participant(sub.NONE)  # a definite answer, not a failure: never joined or gone
            return to_participant(answer.participant)

    async def my_rights(self, chat_id: int) -> frozenset[str] | None:
        with telegram_errors("my_rights"):
            answer = await self._client(
                functions.channels.GetParticipantRequest(await self._channel(chat_id), types.InputPeerSelf())
            )
        return admin_rights_of(answer.participant)

    async def get_admins(self, chat_id: int) -> frozenset[int]:
        with telegram_errors("get_admins"):
            request = functions.channels.GetParticipantsRequest(
                await self._channel(chat_id), types.ChannelParticipantsAdmins(), offset=0, limit=_ADMINS_LIMIT, hash=0
            )
            answer = await self._client(request)
            found = getattr(answer, "participants", [])  # ChannelParticipantsNotModified has none
            return frozenset(p.user_id for p in found if getattr(p, "user_id", None) is not None)

    async def list_participants(
        self, chat_id: int, listing: Listing, offset: int = 0, limit: int = LIST_LIMIT, query: str = ""
    ) -> ParticipantPage:
        with telegram_errors("list_participants"):
            request = functions.channels.GetParticipantsRequest(
                await self._channel(chat_id), _FILTERS[listing](query), offset=offset, limit=min(limit, LIST_LIMIT),
                hash=0,
            )
            answer = await self._client(request)
            found = getattr(answer, "participants", [])  # ChannelParticipantsNotModified has none
            self._client._mb_entity_cache.extend(getattr(answer, "users", []), getattr(answer, "chats", []))
            members = tuple((user, to_participant(p)) for p in found if (user := participant_user(p)) is not None)
            return ParticipantPage(getattr(answer, "count", len(members)), members)

    async def resolve_channel(self, ref: str | int) -> ChannelInfo:
        with telegram_errors("resolve_channel"):
            if isinstance(ref, str):
                username = _username(ref)
                answer = await self._client(functions.contacts.ResolveUsernameRequest(username))
                wanted = answer.peer.channel_id if isinstance(answer.peer, types.PeerChannel) else None
            else:
                # A bot may name a channel it has never seen with access hash 0; asking through
                # get_input_entity first would send the same request twice.
                cached = self._client._mb_entity_cache.get(ref)
                channel = utils.get_input_channel(cached._as_input_peer()) if cached else types.InputChannel(ref, 0)
                answer = await self._client(functions.channels.GetChannelsRequest([channel]))
                wanted = ref
            # Remember the hashes now, so every later call on this channel resolves offline.
            self._client._mb_entity_cache.extend(getattr(answer, "users", []), answer.chats)
            for chat in answer.chats:
                if isinstance(chat, types.Channel) and chat.id == wanted:
                    return ChannelInfo(chat.id, chat.title, _public_username(chat))
            raise TelegramError(TelegramError.NOT_FOUND, f"{ref!r} is not a channel")

    async def resolve_user(self, username: str) -> UserInfo:
        with telegram_errors("resolve_user"):
            answer = await self._client(functions.contacts.ResolveUsernameRequest(_username(username)))
            self._client._mb_entity_cache.extend(answer.users, answer.chats)  # later calls about them resolve offline
            if isinstance(answer.peer, types.PeerUser):
                for user in answer.users:
                    if user.id == answer.peer.user_id:
                        return UserInfo(user.id, utils.get_display_name(user))
            raise TelegramError(TelegramError.NOT_FOUND, f"{username!r} is not a person")

    async def export_invite_link(self, channel_id: int) -> str:
        with telegram_errors("export_invite_link"):
            # No legacy_revoke_permanent: that flag would revoke the primary link people already use.
            peer = await self._input_peer(channel_id, types.PeerChannel)
            answer = await self._client(functions.messages.ExportChatInviteRequest(peer))
            return answer.link

    # -- moderating -------------------------------------------------------------------------------

    async def restrict(
        self, chat_id: int, member_id: int, restrictions: frozenset[str], until: datetime | None = None
    ) -> None:
        rights = banned_rights(restrictions, until)  # a bad name is a programming error, raised before any call
        with telegram_errors("restrict"):
            # The member may be a send-as channel: the cache knows its kind; EditBanned takes any InputPeer.
            member = await self._input_peer(member_id, types.PeerUser)
            await self._client(functions.channels.EditBannedRequest(await self._channel(chat_id), member, rights))

    async def kick(self, chat_id: int, member_id: int) -> None:
        with telegram_errors("kick"):
            channel = await self._channel(chat_id)
            member = await self._input_peer(member_id, types.PeerUser)
            await self._client(functions.channels.EditBannedRequest(channel, member, banned_rights({"view_messages"})))
            # Lift the ban at once: a kick removes the member but lets them come back after subscribing.
            await self._client(functions.channels.EditBannedRequest(channel, member, banned_rights(frozenset())))

    # -- messages ---------------------------------------------------------------------------------

    async def send_message(self, chat_id: int, message: OutgoingMessage, key: int | None = None) -> int:
        with telegram_errors("send_message"):
            # The key is the idempotency key: Telegram refuses a second message with the same random_id.
            random_id = key if key is not None else random.randrange(-(2**63), 2**63)
            request = functions.messages.SendMessageRequest(
                await self._input_peer(chat_id, types.PeerChannel),
                message.text,
                no_webpage=True,
                random_id=random_id,
                reply_to=types.InputReplyToMessage(message.reply_to) if message.reply_to else None,
                reply_markup=_markup(message.buttons),
                entities=await self._mentions(message),
            )
            return _sent_id(await self._client(request), random_id)

    async def _mentions(self, message: OutgoingMessage) -> list | None:
        """The message's text mentions as Telegram takes them from a bot; one of a person the client cannot
        name (no access_hash known) is left out rather than costing the message."""
        entities = []
        for mention in message.mentions:
            try:
                user = await self._user(mention.user_id)
            except (TelegramError, TypeError):
                continue
            entities.append(types.InputMessageEntityMentionName(mention.offset, mention.length, user))
        return entities or None

    async def set_commands(self, scope: str, language: str, commands: list[tuple[str, str]]) -> None:
        with telegram_errors("set_bot_commands"):
            where = types.BotCommandScopeChatAdmins() if scope == MENU_GROUP_ADMINS else types.BotCommandScopeUsers()
            listed = [types.BotCommand(command, description) for command, description in commands]
            await self._client(functions.bots.SetBotCommandsRequest(where, language, listed))

    async def send_private(self, user_id: int, text: str, key: int | None = None) -> None:
        with telegram_errors("send_message"):
            request = functions.messages.SendMessageRequest(
                await self._input_peer(user_id, types.PeerUser),
                text,
                no_webpage=True,
                random_id=key if key is not None else random.randrange(-(2**63), 2**63),
            )
            await self._client(request)

    async def edit_message(self, chat_id: int, message_id: int, message: OutgoingMessage) -> None:
        with telegram_errors("edit_message"):
            request = functions.messages.EditMessageRequest(
                await self._input_peer(chat_id, types.PeerChannel),
                message_id,
                no_webpage=True,
                message=message.text,
                reply_markup=_markup(message.buttons),
                entities=await self._mentions(message),
            )
            try:
                await self._client(request)
            except errors.MessageNotModifiedError:
                pass  # the message already reads like this: the edit's goal is met

    async def delete_messages(self, chat_id: int, message_ids: list[int]) -> None:
        with telegram_errors("delete_messages"):
            channel = await self._channel(chat_id)
            for start in range(0, len(message_ids), _DELETE_CHUNK):
                chunk = list(message_ids[start : start + _DELETE_CHUNK])
                await self._client(functions.channels.DeleteMessagesRequest(channel, chunk))

    async def answer_callback(self, query_id: int, text: str, alert: bool = False) -> None:
        with telegram_errors("answer_callback"):
            request = functions.messages.SetBotCallbackAnswerRequest(
                query_id, cache_time=0, alert=alert or None, message=text or None
            )
            await self._client(request)

    async def decide_join_request(self, chat_id: int, user_id: int, approve: bool) -> None:
        with telegram_errors("decide_join_request"):
            request = functions.messages.HideChatJoinRequestRequest(
                await self._input_peer(chat_id, types.PeerChannel), await self._user(user_id), approved=approve or None
            )
            await self._client(request)


def _username(ref: str) -> str:
    for prefix in ("https://", "http://", "t.me/", "telegram.me/", "@"):
        ref = ref.removeprefix(prefix)
    return ref.strip("/")


def _public_username(chat) -> str | None:
    if chat.username:
        return chat.username
    active = [u.username for u in chat.usernames or [] if u.active]
    return active[0] if active else None


def _button(button: Button):
    # Layer 229 has a single inline button constructor whose `type` says what a press does.
    if button.url is not None:
        return types.KeyboardInlineButton(button.text, types.InlineButtonTypeUrl(button.url))
    data = button.data if button.data is not None else button.text.encode()
    if len(data) > 64:
        raise ValueError("callback data is limited to 64 bytes")
    return types.KeyboardInlineButton(button.text, types.InlineButtonTypeCallback(data))


def _markup(rows: list[list[Button]]):
    if not rows:
        return None
    return types.ReplyInlineMarkup([types.KeyboardInlineButtonRow([_button(b) for b in row]) for row in rows])


def _sent_id(answer, random_id: int) -> int:
    """The new message's id from the reply to messages.sendMessage.

    Returns 0 when the reply names no message: the message was sent, and raising would invite a retry
    that posts it twice; a later edit or delete of id 0 merely fails with not_found.
    """
    if isinstance(answer, types.UpdateShortSentMessage):
        return answer.id
    updates = getattr(answer, "updates", [])
    for update in updates:
        if isinstance(update, types.UpdateMessageID) and update.random_id == random_id:
            return update.id
    for update in updates:
        if isinstance(update, types.UpdateNewChannelMessage | types.UpdateNewMessage) and update.message.out:
            return update.message.id
    log.warning("sendMessage reply carried no message id: %s", type(answer).__name__)
    return 0
