"""The simulated world: people, groups and channels, with Telegram's rules about who may do what."""

from typing import Any

from adapters.simulated_telegram import updates
from adapters.simulated_telegram.model import Chat, Message, Participant, Person, Sender
from domain import rights
from domain import subscription as sub


class WorldError(Exception):
    """A world action Telegram would not allow; the scenario step records it."""


class World:
    def __init__(self, bot_id: int) -> None:
        self.bot_id = bot_id
        self.people: dict[int, Person] = {}
        self.chats: dict[int, Chat] = {}
        self.outbox: list[Any] = []  # updates waiting for the bot
        self.peak_live: dict[int, int] = {}  # most bot messages alive at once, per chat
        # The bot's messages not yet seen deleted, per chat: counting them must not scan a busy group's history.
        self._bot_live: dict[int, list[Message]] = {}
        self.private_messages: dict[int, list[str]] = {}  # direct messages the bot sent, per person
        self._next_query = 1

    # Reading.

    def chat(self, chat_id: int) -> Chat:
        if chat_id not in self.chats:
            raise WorldError(f"no chat {chat_id}")
        return self.chats[chat_id]

    def name(self, peer_id: int) -> str:
        if peer_id in self.people:
            return self.people[peer_id].name
        return self.chats[peer_id].title if peer_id in self.chats else str(peer_id)

    def can_write(self, chat_id: int, user_id: int, kind: str = "text") -> bool:
        participant = self.chat(chat_id).status_of(user_id)
        if participant is None or not participant.inside:
            return False
        if participant.status in (sub.ADMIN, sub.CREATOR):
            return True
        return rights.may_send(participant.restrictions, kind)

    def live_bot_messages(self, chat_id: int) -> list[Message]:
        return [m for m in self.chat(chat_id).messages.values() if m.from_bot and not m.deleted]

    # People acting.

    def post(self, chat_id: int, sender: Sender, kind: str = "text", text: str = "", forwarded_from: int | None = None,
             now: float = 0.0) -> Message:
        chat = self.chat(chat_id)
        if sender.kind == "user" and not self.can_write(chat_id, sender.peer_id, kind):
            raise WorldError(f"{self.name(sender.peer_id)} cannot send a {kind} in {chat.title}")
        message = self._store(chat, Message(0, chat_id, sender, kind, text, forwarded_from_channel=forwarded_from,
                                            sent_at=now))
        self.outbox.append(updates.NewMessage(chat_id, message))
        return message

    def join(self, chat_id: int, user_id: int, via: str = "link") -> None:
        chat = self.chat(chat_id)
        previous = chat.status_of(user_id)
        if previous is not None and previous.status == sub.KICKED:
            raise WorldError(f"{self.name(user_id)} is banned from {chat.title}")
        if previous is not None and previous.inside:
            return
        if via == "request":
            chat.join_requests[user_id] = "pending"
            if chat.kind == "group":
                self.outbox.append(updates.JoinRequest(chat_id, user_id))
            return
        keep = previous.restrictions if previous is not None else frozenset()
        self._set(chat, user_id, Participant(sub.RESTRICTED if keep else sub.MEMBER, keep), actor=user_id, via=via)

    def admit(self, chat_id: int, user_id: int) -> None:
        """A join request was approved: the requester becomes a member."""
        chat = self.chat(chat_id)
        chat.join_requests[user_id] = "approved"
        self._set(chat, user_id, Participant(sub.MEMBER), actor=self.bot_id, via="request")

    def leave(self, chat_id: int, user_id: int) -> None:
        chat = self.chat(chat_id)
        previous = chat.status_of(user_id)
        if previous is None or not previous.inside:
            return
        # Telegram keeps a restricted member's restrictions after they leave (ChannelParticipantBanned left=True).
        keep = previous.restrictions
        self._set(chat, user_id, Participant(sub.LEFT, keep) if keep else None, actor=user_id)

    def ban(self, chat_id: int, user_id: int, by: int) -> None:
        chat = self.chat(chat_id)
        self._set(chat, user_id, Participant(sub.KICKED, frozenset({"view_messages"})), actor=by)

    def unban(self, chat_id: int, user_id: int, by: int) -> None:
        chat = self.chat(chat_id)
        if (p := chat.status_of(user_id)) is not None and p.status == sub.KICKED:
            self._set(chat, user_id, None, actor=by)

    def restrict_by(self, chat_id: int, user_id: int, by: int, banned: frozenset[str]) -> None:
        chat = self.chat(chat_id)
        if by not in chat.admins():
            raise WorldError(f"{self.name(by)} is not an admin of {chat.title}")
        previous = chat.status_of(user_id)
        if previous is None or not previous.inside:
            raise WorldError(f"{self.name(user_id)} is not in {chat.title}")
        self._set(chat, user_id, Participant(sub.RESTRICTED if banned else sub.MEMBER, banned), actor=by)

    def press(self, chat_id: int, user_id: int, message_id: int, data: bytes) -> int:
        query_id = self._next_query
        self._next_query += 1
        self.outbox.append(updates.CallbackQuery(query_id, chat_id, user_id, message_id, data))
        return query_id

    def set_bot_admin(self, chat_id: int, admin: bool) -> None:
        chat = self.chat(chat_id)
        chat.bot_admin = admin
        chat.participants[self.bot_id] = Participant(sub.ADMIN if admin else sub.MEMBER)
        self.outbox.append(updates.BotRights(chat_id, admin))

    # Changes the bot makes (through the gateway) or people make.

    def _set(self, chat: Chat, user_id: int, new: Participant | None, actor: int, via: str = "link") -> None:
        previous = chat.status_of(user_id)
        if new is None:
            chat.participants.pop(user_id, None)
        else:
            chat.participants[user_id] = new
        if chat.kind == "group" or chat.bot_admin:
            # Telegram tells only a channel's admins who joined or left it.
            self.outbox.append(updates.ParticipantChanged(chat.id, user_id, actor, previous, new, via))

    def set_restrictions(self, chat_id: int, member_id: int, banned: frozenset[str]) -> None:
        chat = self.chat(chat_id)
        previous = chat.status_of(member_id)
        if previous is not None and previous.status in (sub.LEFT, sub.KICKED):
            chat.participants[member_id] = Participant(previous.status, banned)
            return
        chat.participants[member_id] = Participant(sub.RESTRICTED if banned else sub.MEMBER, banned)

    def _store(self, chat: Chat, message: Message) -> Message:
        message.id = chat.next_message_id
        chat.next_message_id += 1
        chat.messages[message.id] = message
        return message

    def bot_post(self, chat_id: int, text: str, buttons: list[list[dict[str, Any]]], reply_to: int | None,
                 now: float) -> Message:
        chat = self.chat(chat_id)
        sender = Sender("user", self.bot_id)
        posted = self._store(chat, Message(0, chat_id, sender, "text", text, buttons, True, reply_to=reply_to,
                                           sent_at=now))
        live = [m for m in self._bot_live.get(chat_id, []) if not m.deleted] + [posted]
        self._bot_live[chat_id] = live
        self.peak_live[chat_id] = max(self.peak_live.get(chat_id, 0), len(live))
        return posted

