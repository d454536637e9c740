"""The simulated world's neutral updates, as the TL updates Telegram would push to the bot.

Each world update becomes what a real supergroup or channel produces for it, entities included:
- a message: UpdateNewChannelMessage with a Message carrying media for its kind (the bot's own too, as
  Telegram's catch-up delivers it; the world itself never pushes them); an edit: UpdateEditChannelMessage;
- a join into a group: the UpdateChannelParticipant that admins get and a service message saying how
  (by link, added, by request); the bot must report that join once. Telegram promises no order between
  the two. The participant update comes first here, the order in which the reported join carries the
  member's place in the group, so the gate need not ask for it;
- any other change of place, in a group or a channel, whoever made it (the bot too): UpdateChannelParticipant
  only (Telegram sends no service message for a channel, nor for a kick, a restriction or a promotion);
- a join request: UpdateBotChatInviteRequester, whose invite is ChatInvitePublicJoinRequests in a public group
  (as is the invite of the join once the request is approved); a button press: UpdateBotCallbackQuery;
- the bot's own rights: UpdateChannelParticipant about the bot itself;
- a chat's username removed: UpdateChannel, with the chat as it now is;
- someone writing to the bot privately: UpdateNewMessage in the account's own sequence (pts), from a PeerUser.
"""

from telethon import types

from adapters.simulated_telegram import updates as u
from adapters.simulated_telegram.model import Chat, Participant
from adapters.simulated_telegram.tl.entities import entities, participant, when
from adapters.simulated_telegram.tl.messages import encode_message
from adapters.simulated_telegram.tl.update_log import UpdateLog
from adapters.simulated_telegram.world import World
from domain import subscription as sub

# Service messages take ids far above the world's own messages, which they must never collide with.
_SERVICE_BASE = 1_000_000_000


class UpdateEncoder:
    def __init__(self, world: World, now, log: UpdateLog | None = None) -> None:
        self.world = world
        self._now = now
        self.log = log if log is not None else UpdateLog(now)  # numbers each chat's pts and the bot's qts
        self._service_ids = 0

    def encode(self, update: object) -> tuple[list, list, list]:
        """(TL updates, users, chats) for one world update; no updates when Telegram would send none."""
        world = self.world
        match update:
            case u.NewMessage(chat_id=chat_id, message=m) | u.MessageEdited(chat_id=chat_id, message=m):
                peers = [m.sender.peer_id, m.forwarded_from_channel]
                edited = isinstance(update, u.MessageEdited)
                kind = types.UpdateEditChannelMessage if edited else types.UpdateNewChannelMessage
                message = kind(encode_message(world, m), self.log.next_pts(chat_id), 1)
                return [message], *entities(world, peers, [chat_id])
            case u.ParticipantChanged(chat_id=chat_id, user_id=user_id, actor_id=actor_id):
                people = [user_id, actor_id, _owner(world.chat(chat_id), world.bot_id)]
                return self._participant(update), *entities(world, people, [chat_id])
            case u.JoinRequest(chat_id=chat_id, user_id=user_id):
                chat = world.chat(chat_id)
                invite = self._invite(chat, request_needed=True)
                request = types.UpdateBotChatInviteRequester(
                    types.PeerChannel(chat_id), self._date(), user_id, "", invite, self.log.next_qts()
                )
                return [request], *entities(world, [user_id], [chat_id])
            case u.CallbackQuery(query_id=q, chat_id=chat_id, user_id=user_id, message_id=msg_id, data=data):
                press = types.UpdateBotCallbackQuery(q, user_id, types.PeerChannel(chat_id), msg_id, chat_id, data)
                return [press], *entities(world, [user_id], [chat_id])
            case u.BotRights(chat_id=chat_id, is_admin=admin):
                return [self._bot_rights(chat_id, admin)], *entities(world, [world.bot_id], [chat_id])
            case u.ChatChanged(chat_id=chat_id):
                return [types.UpdateChannel(chat_id)], *entities(world, [], [chat_id])
            case u.PrivateMessage(user_id=user_id, message_id=message_id, text=text, sent_at=sent_at):
                # Telegram names no sender on a private message to the bot: the chat (PeerUser) is the sender.
                message = types.Message(message_id, types.PeerUser(user_id), when(sent_at), text)
                return [types.UpdateNewMessage(message, self.log.next_pts(), 1)], *entities(world, [user_id], [])
        return [], [], []

    def _participant(self, update: u.ParticipantChanged) -> list:
        chat = self.world.chat(update.chat_id)
        invite = None
        if update.via in ("link", "request"):
            invite = self._invite(chat, request_needed=update.via == "request")
        change = types.UpdateChannelParticipant(
            chat.id,
            self._date(),
            update.actor_id,
            update.user_id,
            self.log.next_qts(),
            prev_participant=participant(self.world, chat, update.user_id, update.previous, update.actor_id),
            new_participant=participant(self.world, chat, update.user_id, update.current, update.actor_id),
            invite=invite if self._joined(update) else None,
        )
        if chat.kind == "group" and self._joined(update):
            return [change, self._join_service(chat, update)]
        return [change]

    @staticmethod
    def _joined(update: u.ParticipantChanged) -> bool:
        return _inside(update.current) and not _inside(update.previous)

    def _join_service(self, chat: Chat, update: u.ParticipantChanged):
        """The "X joined the group" message, whose action says how they came in."""
        user_id = update.user_id
        if update.via == "request":
            action, sender = types.MessageActionChatJoinedByRequest(), user_id
        elif update.via == "added":
            # Someone else adds a member; the world records the member as the actor, so the owner does it.
            sender = update.actor_id if update.actor_id != user_id else _owner(chat, self.world.bot_id)
            action = types.MessageActionChatAddUser([user_id])
        else:
            action, sender = types.MessageActionChatJoinedByLink(_owner(chat, self.world.bot_id)), user_id
        message = types.MessageService(
            _SERVICE_BASE + self._next("_service_ids"),
            types.PeerChannel(chat.id),
            self._date(),
            from_id=types.PeerUser(sender),
            action=action,
        )
        return types.UpdateNewChannelMessage(message, self.log.next_pts(chat.id), 1)

    def _bot_rights(self, chat_id: int, admin: bool):
        chat, bot = self.world.chat(chat_id), self.world.bot_id
        was = Participant(sub.MEMBER if admin else sub.ADMIN)
        now = Participant(sub.ADMIN if admin else sub.MEMBER)
        actor = _owner(chat, bot)
        return types.UpdateChannelParticipant(
            chat_id, self._date(), actor, bot, self.log.next_qts(),
            prev_participant=participant(self.world, chat, bot, was, actor),
            new_participant=participant(self.world, chat, bot, now, actor),
        )

    def _invite(self, chat: Chat, request_needed: bool):
        if request_needed and chat.username:
            # A public group with join requests on: people ask through its username, not through a link.
            return types.ChatInvitePublicJoinRequests()
        link = f"https://t.me/+sim{chat.id}{'r' if request_needed else 'l'}"
        return types.ChatInviteExported(link, _owner(chat, self.world.bot_id), when(0), permanent=True,
                                        request_needed=request_needed or None)

    def _date(self):
        return when(self._now())

    def _next(self, counter: str) -> int:
        setattr(self, counter, getattr(self, counter) + 1)
        return getattr(self, counter)


def _inside(found: Participant | None) -> bool:
    return found is not None and found.inside


def _owner(chat: Chat, fallback: int) -> int:
    creators = [p for p, found in chat.participants.items() if found.status == sub.CREATOR]
    return creators[0] if creators else fallback
