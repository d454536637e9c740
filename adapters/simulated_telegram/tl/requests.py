"""Telegram's side of each TL request the bot makes, played on the simulated world.

One method per API method, named as the simulated gateway counts it. Each checks what Telegram checks
(access hashes, admin rights, who may be restricted) and raises the RPC error Telegram would answer.
"""

from collections.abc import Callable

from telethon import errors, functions, types

from adapters.simulated_telegram import listing as listing_rules
from adapters.simulated_telegram.model import Chat, Participant
from adapters.simulated_telegram.tl.entities import (
    UnsimulatedRequest,
    access_hash,
    chat_entity,
    entities,
    participant,
    rights_names,
    until_seconds,
    user_entity,
    when,
)
from adapters.simulated_telegram.tl.messages import ButtonError, buttons_of, encode_message
from adapters.simulated_telegram.tl.update_log import DIFFERENCE_LIMIT, UpdateLog
from adapters.simulated_telegram.world import World
from domain import subscription as sub


class WorldRequests:
    def __init__(self, world: World, now: Callable[[], float], callback_answers: list[tuple[int, str]],
                 log: UpdateLog | None = None) -> None:
        self.world = world
        self._now = now
        self._answers = callback_answers
        self.log = log if log is not None else UpdateLog(now)

    # -- peers: Telegram accepts a peer only with its access hash (bots may pass 0 to a few lookups) ------

    def _id(self, request, peer, allow_zero: bool = False) -> int:
        if isinstance(peer, types.InputPeerSelf | types.InputUserSelf):
            return self.world.bot_id
        channel = getattr(peer, "channel_id", None)
        peer_id = channel if channel is not None else getattr(peer, "user_id", None)
        given = getattr(peer, "access_hash", None)
        if peer_id is None or (given != access_hash(peer_id) and not (allow_zero and given == 0)):
            raise (errors.ChannelInvalidError if channel is not None else errors.PeerIdInvalidError)(request)
        return peer_id

    def _chat(self, request, peer) -> Chat:
        chat = self.world.chats.get(self._id(request, peer))
        if chat is None:
            raise errors.ChannelInvalidError(request)
        if not chat.bot_present:
            raise errors.ChannelPrivateError(request)  # the bot was removed: the chat is closed to it
        return chat

    def _admin_of(self, request, peer, right: str | None = None) -> Chat:
        chat = self._chat(request, peer)
        if not chat.bot_admin or (right is not None and not chat.bot_may(right)):
            raise errors.ChatAdminRequiredError(request)
        return chat

    def _updates(self, updates: list, chat: Chat) -> types.Updates:
        users, chats = entities(self.world, [self.world.bot_id], [chat.id])
        return types.Updates(updates, users, chats, when(self._now()), 0)

    def _kept(self, answer: types.Updates) -> types.Updates:
        """The bot's own doings are in its update sequences too, as a catch-up delivers them back."""
        self.log.keep(answer.updates, answer.users, answer.chats)
        return answer

    # -- reading -------------------------------------------------------------------------------------------

    def get_participant(self, r: functions.channels.GetParticipantRequest):
        chat = self._chat(r, r.channel)
        user_id, bot = self._id(r, r.participant), self.world.bot_id
        if user_id == bot:
            found = Participant(sub.ADMIN if chat.bot_admin else sub.MEMBER)
        elif chat.kind == "channel" and not chat.bot_admin:
            raise errors.ChatAdminRequiredError(r)  # only a channel's admins may look at its subscribers
        else:
            found = self.world.participant(chat.id, user_id)
        answer = participant(self.world, chat, user_id, found)
        if answer is None:
            raise errors.UserNotParticipantError(r)
        users, chats = entities(self.world, [user_id])
        return types.channels.ChannelParticipant(answer, chats, users)

    def get_participants(self, r: functions.channels.GetParticipantsRequest):
        listing = _LISTINGS.get(type(r.filter))
        if listing is None:
            raise UnsimulatedRequest(f"the simulated Telegram does not list by {type(r.filter).__name__}")
        chat = self._chat(r, r.channel)
        if listing_rules.needs_admin(listing) and not chat.bot_admin:
            raise errors.ChatAdminRequiredError(r)
        if listing == listing_rules.ADMINS:  # every admin in one answer, as the bot has always been told them
            total, page = self.world.listed(chat.id, listing, 0, listing_rules.PAGE_LIMIT)
        else:
            total, page = self.world.listed(chat.id, listing, r.offset, r.limit, getattr(r.filter, "q", "") or "")
        found = [participant(self.world, chat, user, p) for user, p in page]
        users, chats = entities(self.world, [user for user, _ in page])
        return types.channels.ChannelParticipants(total, found, chats, users)

    def resolve_username(self, r: functions.contacts.ResolveUsernameRequest):
        wanted = r.username.lower()
        for chat in self.world.chats.values():
            if (chat.username or "").lower() == wanted:
                return types.contacts.ResolvedPeer(types.PeerChannel(chat.id), [chat_entity(self.world, chat.id)], [])
        for person in self.world.people.values():
            if (person.username or "").lower() == wanted:
                return types.contacts.ResolvedPeer(types.PeerUser(person.id), [], [user_entity(self.world, person.id)])
        raise errors.UsernameNotOccupiedError(r)

    def get_channels(self, r: functions.channels.GetChannelsRequest):
        found = []
        for peer in r.id:
            chat_id = self._id(r, peer, allow_zero=True)
            if chat_id not in self.world.chats:
                raise errors.ChannelInvalidError(r)
            found.append(chat_entity(self.world, chat_id))
        return types.messages.Chats(found)

    def get_messages(self, r):
        if not isinstance(r, functions.channels.GetMessagesRequest):
            raise UnsimulatedRequest("the simulated Telegram has supergroups and channels only")
        chat = self._chat(r, r.channel)
        found, senders = [], []
        for wanted in r.id:
            number = getattr(wanted, "id", 0)
            if isinstance(wanted, types.InputMessageReplyTo):
                # "The message that message `id` replies to", as get_reply_message() asks for it.
                asking = chat.messages.get(number)
                number = asking.reply_to if asking is not None and asking.reply_to else 0
            message = chat.messages.get(number)
            if message is None or message.deleted:
                found.append(types.MessageEmpty(number))
                continue
            found.append(encode_message(self.world, message))
            senders.append(message.sender.peer_id)
        users, chats = entities(self.world, senders, [chat.id])
        return types.messages.ChannelMessages(self.log.channel_pts(chat.id), len(found), found, [], chats, users)

    def get_users(self, r: functions.users.GetUsersRequest):
        return [user_entity(self.world, self._id(r, u, allow_zero=True)) for u in r.id]

    def get_state(self, r: functions.updates.GetStateRequest):
        return self.log.state()

    def get_difference(self, r: functions.updates.GetDifferenceRequest):
        return self.log.difference(r.pts, r.qts, min(r.pts_total_limit or DIFFERENCE_LIMIT, DIFFERENCE_LIMIT))

    def get_channel_difference(self, r: functions.updates.GetChannelDifferenceRequest):
        chat = self._chat(r, r.channel)
        return self.log.channel_difference(chat.id, r.pts, r.limit)

    # -- moderating ----------------------------------------------------------------------------------------

    def export_chat_invite(self, r: functions.messages.ExportChatInviteRequest):
        chat = self._admin_of(r, r.peer, "invite_users")
        chat.invite_links_exported += 1
        link = f"https://t.me/+sim{chat.id}x{chat.invite_links_exported}"
        return types.ChatInviteExported(link, self.world.bot_id, when(self._now()), permanent=True)

    def edit_banned(self, r: functions.channels.EditBannedRequest):
        chat = self._admin_of(r, r.channel, "ban_users")
        member = self._id(r, r.participant)
        # The world applies Telegram's rules (standing.edited); its Refused becomes the RPC error in WorldSender.
        self.world.edit_banned(chat.id, member, rights_names(r.banned_rights), until_seconds(r.banned_rights),
                               actor=self.world.bot_id)
        return self._updates([], chat)

    def hide_chat_join_request(self, r: functions.messages.HideChatJoinRequestRequest):
        chat = self._admin_of(r, r.peer, "invite_users")
        user_id = self._id(r, r.user_id)
        if chat.join_requests.get(user_id) != "pending":
            raise errors.HideRequesterMissingError(r)
        if r.approved:
            self.world.admit(chat.id, user_id)
        else:
            chat.join_requests[user_id] = "declined"
        return self._updates([], chat)

    # -- messages ------------------------------------------------------------------------------------------

    def send_message(self, r: functions.messages.SendMessageRequest):
        if isinstance(r.peer, types.InputPeerUser):
            return self._send_private(r)
        chat = self._chat(r, r.peer)
        reply_to = r.reply_to.reply_to_msg_id if isinstance(r.reply_to, types.InputReplyToMessage) else None
        posted = self.world.bot_post(chat.id, r.message, self._buttons(r), reply_to, self._now(), r.random_id,
                                     self._mentions(r))
        # Without UpdateMessageID(random_id) Telethon cannot tell which new message is the one it sent.
        new = types.UpdateNewChannelMessage(encode_message(self.world, posted), self.log.next_pts(chat.id), 1)
        return self._kept(self._updates([types.UpdateMessageID(posted.id, r.random_id), new], chat))

    def _send_private(self, r: functions.messages.SendMessageRequest):
        user_id = r.peer.user_id
        if user_id not in self.world.people or r.peer.access_hash != access_hash(user_id):
            raise errors.PeerIdInvalidError(r)
        self.world.private_post(user_id, r.message, r.random_id)  # its Refused becomes the RPC error
        message = types.Message(id=len(self.world.private_messages[user_id]), peer_id=types.PeerUser(user_id),
                                date=when(self._now()), message=r.message, out=True,
                                from_id=types.PeerUser(self.world.bot_id))
        users, _ = entities(self.world, [self.world.bot_id, user_id], [])
        new = types.UpdateNewMessage(message, self.log.next_pts(), 1)
        updates = [types.UpdateMessageID(message.id, r.random_id), new]
        return self._kept(types.Updates(updates, users, [], when(self._now()), 0))

    def _mentions(self, r) -> list[tuple[int, int, int]]:
        """The text mentions a bot may send (InputMessageEntityMentionName), checked as Telegram checks them:
        a person it can name (their access_hash) and a span inside the text, in UTF-16 code units."""
        found = []
        size = len((r.message or "").encode("utf-16-le")) // 2
        for entity in r.entities or []:
            if not isinstance(entity, types.InputMessageEntityMentionName):
                continue
            user = entity.user_id
            if not isinstance(user, types.InputUser) or user.access_hash != access_hash(user.user_id):
                raise errors.UserIdInvalidError(r)
            if entity.offset < 0 or entity.length <= 0 or entity.offset + entity.length > size:
                raise errors.EntityBoundsInvalidError(r)
            found.append((entity.offset, entity.length, user.user_id))
        return found

    def edit_message(self, r: functions.messages.EditMessageRequest):
        chat = self._chat(r, r.peer)
        found = chat.messages.get(r.id)
        if found is None or found.deleted or not found.from_bot:
            raise errors.MessageIdInvalidError(r)
        text = found.text if r.message is None else r.message
        buttons = self._buttons(r)
        if text == found.text and buttons == found.buttons:
            raise errors.MessageNotModifiedError(r)
        found.text, found.buttons = text, buttons
        if r.entities is not None:
            found.mentions = self._mentions(r)
        edited = types.UpdateEditChannelMessage(encode_message(self.world, found), self.log.next_pts(chat.id), 1)
        return self._kept(self._updates([edited], chat))

    def delete_messages(self, r: functions.channels.DeleteMessagesRequest):
        chat = self._chat(r, r.channel)
        found = [chat.messages[i] for i in r.id if i in chat.messages and not chat.messages[i].deleted]
        if not chat.bot_may("delete_messages") and any(not m.from_bot for m in found):
            raise errors.MessageDeleteForbiddenError(r)  # only admins delete other people's messages
        for message in found:
            message.deleted = True
        # Deletions take no number of the channel's here, so the bot's view of its pts stays whole.
        return types.messages.AffectedMessages(self.log.channel_pts(chat.id), len(found))

    def set_bot_commands(self, r: functions.bots.SetBotCommandsRequest):
        scopes = {types.BotCommandScopeChatAdmins: "group_admins", types.BotCommandScopeUsers: "private"}
        scope = scopes.get(type(r.scope))
        if scope is None:
            raise UnsimulatedRequest(f"the simulated Telegram keeps no menu for {type(r.scope).__name__}")
        for command in r.commands:
            # Telegram's rules for a menu entry: a lowercase name of up to 32 characters, a 1-256 character text.
            if not (command.command.isascii() and command.command.replace("_", "").isalnum()
                    and command.command == command.command.lower() and len(command.command) <= 32):
                raise errors.BotCommandInvalidError(r)
            if not 1 <= len(command.description) <= 256:
                raise errors.BotCommandDescriptionInvalidError(r)
        self.world.command_menus[(scope, r.lang_code)] = [(c.command, c.description) for c in r.commands]
        return True

    def set_bot_callback_answer(self, r: functions.messages.SetBotCallbackAnswerRequest):
        self._answers.append((r.query_id, r.message or ""))
        return True

    def _buttons(self, r) -> list:
        try:
            return buttons_of(r.reply_markup)
        except ButtonError:
            raise errors.ButtonDataInvalidError(r) from None


# channels.getParticipants filters, as the shared listing rules name them.
_LISTINGS = {
    types.ChannelParticipantsRecent: listing_rules.RECENT,
    types.ChannelParticipantsAdmins: listing_rules.ADMINS,
    types.ChannelParticipantsBanned: listing_rules.BANNED,
    types.ChannelParticipantsKicked: listing_rules.KICKED,
    types.ChannelParticipantsSearch: listing_rules.SEARCH,
}
