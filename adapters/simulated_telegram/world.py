"""The simulated world: people, groups and channels, with Telegram's rules about who may do what."""

from dataclasses import replace
from typing import Any

from adapters.simulated_telegram import listing as listing_rules
from adapters.simulated_telegram import standing, updates
from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.model import ADMIN_STATUSES, Chat, Message, Participant, Person, Sender
from adapters.simulated_telegram.refusals import Refused, WorldError
from domain import rights
from domain import subscription as sub

__all__ = ["Refused", "World", "WorldError"]

_TEXT_KINDS = ("text",)
# Ids of the messages people write to the bot privately: far from the ids of the bot's own private messages.
PRIVATE_RECEIVED_BASE = 500_000_000  # a text message stays text when edited; media may only be replaced by media


class World:
    def __init__(self, bot_id: int, clock: Any = None) -> None:
        self.bot_id = bot_id
        # Restrictions end by this clock: it must be the one the bot's Telegram runs on (the runner's).
        self.clock = clock if clock is not None else SimulatedClock()
        self.people: dict[int, Person] = {}
        self.chats: dict[int, Chat] = {}
        self.outbox: list[Any] = []  # updates waiting for the bot
        self.peak_live: dict[int, int] = {}  # most bot messages alive at once, per chat
        # The bot's messages not yet seen deleted, per chat: counting them must not scan a busy group's history.
        self._bot_live: dict[int, list[Message]] = {}
        self.private_messages: dict[int, list[str]] = {}  # direct messages the bot sent, per person
        self._private_keys: dict[int, set[int]] = {}  # the random_ids used in each person's private chat
        self._private_received = 0  # messages people wrote to the bot, numbered apart from the bot's own
        self._next_query = 1
        # The bot's command menus as it registered them: (scope, language) -> [(command, description)].
        self.command_menus: dict[tuple[str, str], list[tuple[str, str]]] = {}

    # Reading.

    def chat(self, chat_id: int) -> Chat:
        if chat_id not in self.chats:
            raise WorldError(f"no chat {chat_id}")
        return self.chats[chat_id]

    def name(self, peer_id: int) -> str:
        if peer_id in self.people:
            return self.people[peer_id].name
        return self.chats[peer_id].title if peer_id in self.chats else str(peer_id)

    def language(self, user_id: int) -> str:
        """The person's lang_code, as Telegram tells a bot; empty when unknown."""
        person = self.people.get(user_id)
        return (person.language or "") if person is not None else ""

    def is_bot(self, user_id: int) -> bool:
        return user_id == self.bot_id or (user_id in self.people and self.people[user_id].bot)

    def participant(self, chat_id: int, peer_id: int) -> Participant | None:
        """The person's standing in the chat now: restrictions whose end has passed no longer hold."""
        chat = self.chat(chat_id)
        found = chat.participants.get(peer_id)
        if found is not None and found.until is not None:
            now = standing.current(found, self.clock.time())
            if now is not found:
                self._store(chat, peer_id, now)  # Telegram tells nobody that a restriction ran out
                found = now
        return found

    def listed(self, chat_id: int, listing: str, offset: int, limit: int,
               query: str = "") -> tuple[int, list[tuple[int, Participant]]]:
        """channels.getParticipants: the count of all the filter matches, and the page Telegram lists."""
        chat = self.chat(chat_id)
        for user_id in [u for u, p in chat.participants.items() if p.until is not None]:
            self.participant(chat_id, user_id)  # restrictions whose end has passed are gone from the lists too
        return listing_rules.page(chat, listing, self.name, offset, limit, query)

    def can_write(self, chat_id: int, user_id: int, kind: str = "text") -> bool:
        return standing.may_write(self.participant(chat_id, user_id), kind)

    def may_post(self, chat_id: int, sender: Sender, kind: str) -> bool:
        if sender.kind == "user":
            return self.can_write(chat_id, sender.peer_id, kind)
        if sender.kind == "channel":
            # Someone writing as their channel: a restriction the group put on that channel holds.
            found = self.participant(chat_id, sender.peer_id)
            return found is None or rights.may_send(found.restrictions, kind)
        return True  # an anonymous admin or the linked channel's own post

    def live_bot_messages(self, chat_id: int) -> list[Message]:
        return [m for m in self.chat(chat_id).messages.values() if m.from_bot and not m.deleted]

    # People acting.

    def post(self, chat_id: int, sender: Sender, kind: str = "text", text: str = "", forwarded_from: int | None = None,
             now: float = 0.0) -> Message:
        chat = self.chat(chat_id)
        if not self.may_post(chat_id, sender, kind):
            raise WorldError(f"{self.name(sender.peer_id)} cannot send a {kind} in {chat.title}")
        message = self._keep(chat, Message(0, chat_id, sender, kind, text, forwarded_from_channel=forwarded_from,
                                           sent_at=now))
        if chat.bot_present:
            self.outbox.append(updates.NewMessage(chat_id, message))
        return message

    def edit(self, chat_id: int, message_id: int, text: str, kind: str | None = None, now: float = 0.0) -> Message:
        """The sender edits their message; Telegram refuses it while they may not send that kind."""
        chat = self.chat(chat_id)
        message = chat.messages.get(message_id)
        if message is None or message.deleted or message.from_bot:
            raise WorldError(f"no message {message_id} to edit in {chat.title}")
        kind = kind or message.kind
        if (kind in _TEXT_KINDS) != (message.kind in _TEXT_KINDS):
            raise WorldError(f"a {message.kind} cannot be edited into a {kind}")
        if not self.may_post(chat_id, message.sender, kind):
            raise WorldError(f"{self.name(message.sender.peer_id)} cannot edit into a {kind} in {chat.title}")
        # A new object: an update still waiting to be delivered keeps the message as it was when sent.
        edited = replace(message, text=text, kind=kind, edited_at=now)
        chat.messages[message_id] = edited
        if chat.bot_present:
            self.outbox.append(updates.MessageEdited(chat_id, edited))
        return edited

    def join(self, chat_id: int, user_id: int, via: str = "link") -> None:
        chat = self.chat(chat_id)
        if chat.kind == "channel" and self.is_bot(user_id):
            raise WorldError(f"{self.name(user_id)} is a bot: bots cannot join channels")
        previous = self.participant(chat_id, user_id)
        if previous is not None and previous.status == sub.KICKED:
            raise WorldError(f"{self.name(user_id)} is banned from {chat.title}")
        if previous is not None and previous.inside:
            return
        if via == "request":
            chat.join_requests[user_id] = "pending"
            if chat.kind == "group" and chat.bot_present:
                self.outbox.append(updates.JoinRequest(chat_id, user_id))
            return
        self._enter(chat, user_id, previous, actor=user_id, via=via)

    def admit(self, chat_id: int, user_id: int) -> None:
        """A join request was approved: the requester becomes a member."""
        chat = self.chat(chat_id)
        chat.join_requests[user_id] = "approved"
        self._enter(chat, user_id, self.participant(chat_id, user_id), actor=self.bot_id, via="request")

    def _enter(self, chat: Chat, user_id: int, previous: Participant | None, actor: int, via: str) -> None:
        # Restrictions Telegram kept on someone who left come back with them (until their end, if any).
        if previous is not None and previous.restrictions:
            arrived = Participant(sub.RESTRICTED, previous.restrictions, previous.until)
        else:
            arrived = Participant(sub.MEMBER)
        self._set(chat, user_id, arrived, actor=actor, via=via)

    def leave(self, chat_id: int, user_id: int) -> None:
        chat = self.chat(chat_id)
        previous = self.participant(chat_id, user_id)
        if previous is None or not previous.inside:
            return
        # Telegram keeps a restricted member's restrictions after they leave (ChannelParticipantBanned left=True).
        kept = Participant(sub.LEFT, previous.restrictions, previous.until) if previous.restrictions else None
        self._set(chat, user_id, kept, actor=user_id)

    def ban(self, chat_id: int, user_id: int, by: int, until: float | None = None) -> None:
        self._must_administer(chat_id, by)
        self.edit_banned(chat_id, user_id, frozenset({standing.BAN}), until, actor=by)

    def unban(self, chat_id: int, user_id: int, by: int) -> None:
        self._must_administer(chat_id, by)
        if (found := self.participant(chat_id, user_id)) is not None and found.status == sub.KICKED:
            self.edit_banned(chat_id, user_id, frozenset(), None, actor=by)

    def restrict_by(self, chat_id: int, user_id: int, by: int, banned: frozenset[str],
                    until: float | None = None) -> None:
        self._must_administer(chat_id, by)
        self.edit_banned(chat_id, user_id, banned, until, actor=by)

    def promote(self, chat_id: int, user_id: int, by: int) -> None:
        """`by` makes a member an admin; Telegram drops whatever restrictions they had."""
        found = self._promotable(chat_id, user_id, by)
        if found.status not in ADMIN_STATUSES:
            self._set(self.chat(chat_id), user_id, Participant(sub.ADMIN), actor=by)

    def demote(self, chat_id: int, user_id: int, by: int) -> None:
        """`by` takes an admin's rights back: a plain member again."""
        found = self._promotable(chat_id, user_id, by)
        if found.status == sub.CREATOR:
            raise WorldError(f"{self.name(user_id)} created {self.chat(chat_id).title} and cannot be demoted")
        if found.status == sub.ADMIN:
            self._set(self.chat(chat_id), user_id, Participant(sub.MEMBER), actor=by)

    def _promotable(self, chat_id: int, user_id: int, by: int) -> Participant:
        chat = self.chat(chat_id)
        if by not in chat.admins() or by == self.bot_id:
            raise WorldError(f"{self.name(by)} is not an admin of {chat.title}")
        if user_id == self.bot_id:
            raise WorldError("the bot's own rights change with bot_rights")
        found = self.participant(chat_id, user_id)
        if found is None or not found.inside:
            raise WorldError(f"{self.name(user_id)} is not in {chat.title}")
        return found

    def _must_administer(self, chat_id: int, by: int) -> None:
        chat = self.chat(chat_id)
        if by == self.bot_id and chat.bot_admin and chat.bot_present:
            return
        if by == self.bot_id or by not in chat.admins():
            raise WorldError(f"{self.name(by)} is not an admin of {chat.title}")

    def write_to_bot(self, user_id: int, text: str, now: float = 0.0) -> int:
        """`user_id` writes to the bot in a private chat (which opens it: the bot may answer there)."""
        if user_id not in self.people:
            raise WorldError(f"no person {user_id}")
        if self.is_bot(user_id):
            raise WorldError(f"{self.name(user_id)} is a bot: bots cannot write to other bots")
        self._private_received += 1
        message_id = PRIVATE_RECEIVED_BASE + self._private_received
        self.outbox.append(updates.PrivateMessage(user_id, message_id, text, now))
        return message_id

    def press(self, chat_id: int, user_id: int, message_id: int, data: bytes) -> int:
        query_id = self._next_query
        self._next_query += 1
        self.outbox.append(updates.CallbackQuery(query_id, chat_id, user_id, message_id, data))
        return query_id

    def set_bot_admin(self, chat_id: int, admin: bool, rights: frozenset[str] | None = None) -> None:
        chat = self.chat(chat_id)
        chat.bot_admin = admin
        if rights is not None:
            chat.bot_rights = rights
        chat.bot_present = True  # an admin who makes the bot admin (or takes it back) has it in the chat
        chat.participants[self.bot_id] = Participant(sub.ADMIN if admin else sub.MEMBER)
        self.outbox.append(updates.BotRights(chat_id, admin))

    def remove_bot(self, chat_id: int) -> None:
        """The bot is removed from the chat: from then on it sees nothing there and may ask nothing about it.

        It is told once, as Telegram tells a removed admin: an UpdateChannelParticipant about itself.
        """
        chat = self.chat(chat_id)
        if not chat.bot_present:
            return
        told, previous = self._reports(chat), chat.participants.pop(self.bot_id, None)
        chat.bot_admin = chat.bot_present = False
        if told:
            admins = sorted(chat.admins(), key=lambda a: chat.participants[a].status != sub.CREATOR)
            actor = admins[0] if admins else self.bot_id
            self.outbox.append(updates.ParticipantChanged(chat.id, self.bot_id, actor, previous, None))

    def make_private(self, chat_id: int) -> None:
        """The chat's username is removed: its t.me link no longer leads anywhere."""
        chat = self.chat(chat_id)
        if chat.username is None:
            raise WorldError(f"{chat.title} has no username")
        chat.username = None
        if chat.bot_present:
            self.outbox.append(updates.ChatChanged(chat.id))

    # Standing: every change to someone's place in a chat, by people or by the bot, passes here.

    def edit_banned(self, chat_id: int, peer_id: int, banned: frozenset[str], until: float | None,
                    actor: int) -> Participant | None:
        """channels.editBanned: replace the person's banned rights (see standing.edited); raises Refused."""
        chat = self.chat(chat_id)
        previous = self.participant(chat_id, peer_id)
        is_channel = peer_id in self.chats
        end = standing.until_from(until, self.clock.time())
        new = standing.edited(previous, frozenset(banned), end, self.name(peer_id), peer_is_channel=is_channel)
        if is_channel:
            # UpdateChannelParticipant names a user; what Telegram tells about a send-as channel's restriction
            # is not documented, so nothing is told and the bot cannot come to rely on it.
            self._store(chat, peer_id, new)
        else:
            self._set(chat, peer_id, new, actor=actor)
        return new

    def _set(self, chat: Chat, user_id: int, new: Participant | None, actor: int, via: str = "link") -> None:
        previous = chat.status_of(user_id)
        if new == previous:
            return  # nothing changed, nothing to tell
        self._store(chat, user_id, new)
        if self._reports(chat):
            self.outbox.append(updates.ParticipantChanged(chat.id, user_id, actor, previous, new, via))

    @staticmethod
    def _reports(chat: Chat) -> bool:
        """Whether Telegram tells the bot about changes in the chat: a group always (the bot's own changes
        too), a channel only to its admins, a chat the bot was removed from never."""
        return chat.bot_present and (chat.kind == "group" or chat.bot_admin)

    @staticmethod
    def _store(chat: Chat, user_id: int, found: Participant | None) -> None:
        if found is None:
            chat.participants.pop(user_id, None)
        else:
            chat.participants[user_id] = found

    def _keep(self, chat: Chat, message: Message) -> Message:
        message.id = chat.next_message_id
        chat.next_message_id += 1
        chat.messages[message.id] = message
        return message

    def private_post(self, user_id: int, text: str, key: int | None = None) -> None:
        """A direct message from the bot; a `key` (random_id) already used in that private chat is refused."""
        if key is not None:
            used = self._private_keys.setdefault(user_id, set())
            if key in used:
                raise Refused(Refused.DUPLICATE, f"random_id {key} was used in the chat with {user_id} already")
            used.add(key)
        self.private_messages.setdefault(user_id, []).append(text)

    def bot_post(self, chat_id: int, text: str, buttons: list[list[dict[str, Any]]], reply_to: int | None,
                 now: float, key: int | None = None, mentions: list[tuple[int, int, int]] | None = None) -> Message:
        """The bot's message; a `key` (Telegram's random_id) already used in the chat is refused, nothing posted."""
        chat = self.chat(chat_id)
        if chat.kind == "channel" and not chat.bot_may("post_messages"):
            raise Refused(Refused.ADMIN_REQUIRED, f"the bot may not post in {chat.title}")
        if key is not None:
            if key in chat.sent_keys:
                raise Refused(Refused.DUPLICATE, f"random_id {key} was used in {chat.title} already")
            chat.sent_keys.add(key)
        sender = Sender("user", self.bot_id)
        posted = self._keep(chat, Message(0, chat_id, sender, "text", text, buttons, True, reply_to=reply_to,
                                          sent_at=now, mentions=list(mentions or [])))
        live = [m for m in self._bot_live.get(chat_id, []) if not m.deleted] + [posted]
        self._bot_live[chat_id] = live
        self.peak_live[chat_id] = max(self.peak_live.get(chat_id, 0), len(live))
        return posted
