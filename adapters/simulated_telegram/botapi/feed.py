"""The world's updates as Bot API Updates, queued for getUpdates with monotonic update_ids.

Translation, as Telegram does it for a bot:
- a group message is `message` (the bot's own messages are never delivered back); a channel's is `channel_post`;
- an edit is `edited_message`;
- a participant change is `chat_member` (delivered only when asked for in allowed_updates, and in a channel only
  while the bot is its admin); about the bot itself it is `my_chat_member`. A join into a group also posts the
  `new_chat_members` service message and a departure the `left_chat_member` one;
- a join request is `chat_join_request`, a button press `callback_query`.
- A chat's username being removed has no Bot API update: it is not delivered (bots notice on their next getChat).
"""

import asyncio
from collections import deque
from itertools import count
from typing import Any

from adapters.simulated_telegram import updates as u
from adapters.simulated_telegram.botapi import shapes
from adapters.simulated_telegram.model import Participant
from adapters.simulated_telegram.world import World
from domain import subscription as sub

# What a bot gets when it never named allowed_updates: everything except these (Bot API docs).
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
KNOWN = frozenset({"message", "edited_message", "channel_post", "edited_channel_post", "callback_query",
                   "chat_member", "my_chat_member", "chat_join_request", "message_reaction",
                   "message_reaction_count", "inline_query", "chosen_inline_result", "poll", "poll_answer"})


class UpdateFeed:
    def __init__(self, world: World) -> None:
        self.world = world
        self.allowed: frozenset[str] = KNOWN - NOT_BY_DEFAULT
        self.queue: deque[dict[str, Any]] = deque()
        self._ids = count(1)
        self._arrived = asyncio.Event()
        self.queries: set[str] = set()  # callback query ids delivered, which answerCallbackQuery may answer
        self.delivered = 0
        self.dropped = 0  # filtered by allowed_updates or dropped with drop_pending_updates

    def pump(self) -> int:
        """Move everything the world produced into the queue; returns how many updates were queued."""
        world, queued = self.world, 0
        while world.outbox:
            pending, world.outbox = world.outbox, []
            for update in pending:
                for kind, body in self.translate(update):
                    if kind not in self.allowed:
                        self.dropped += 1
                        continue
                    self.queue.append({"update_id": next(self._ids), kind: body})
                    queued += 1
        if queued:
            self._arrived.set()
        return queued

    def drop_pending(self) -> None:
        self.pump()
        self.dropped += len(self.queue)
        self.queue.clear()

    def confirm(self, offset: int) -> None:
        """getUpdates' offset: updates below it are confirmed and forgotten; a negative one keeps the last -offset."""
        if offset < 0:
            while len(self.queue) > -offset:
                self.queue.popleft()
            return
        while self.queue and self.queue[0]["update_id"] < offset:
            self.queue.popleft()

    def ready(self, limit: int) -> list[dict[str, Any]]:
        return list(self.queue)[:limit]

    async def wait(self, timeout: float) -> None:
        self._arrived.clear()
        if self.pump() or self.queue:
            return
        try:
            await asyncio.wait_for(self._arrived.wait(), timeout)
        except TimeoutError:
            pass

    # Translation.

    def translate(self, update: Any) -> list[tuple[str, dict[str, Any]]]:
        world = self.world
        match update:
            case u.NewMessage(chat_id=chat_id, message=m) if not m.from_bot:
                kind = "message" if world.chat(chat_id).kind == "group" else "channel_post"
                return [(kind, shapes.message(world, m))]
            case u.MessageEdited(chat_id=chat_id, message=m) if not m.from_bot:
                kind = "edited_message" if world.chat(chat_id).kind == "group" else "edited_channel_post"
                return [(kind, shapes.message(world, m))]
            case u.ParticipantChanged():
                return self._participant(update)
            case u.JoinRequest(chat_id=chat_id, user_id=user_id):
                return [("chat_join_request", {"chat": shapes.chat(world, chat_id),
                                               "from": shapes.user(world, user_id), "user_chat_id": user_id,
                                               "date": self._now()})]
            case u.CallbackQuery(query_id=q, chat_id=chat_id, user_id=user_id, message_id=message_id, data=data):
                return self._press(str(q), chat_id, user_id, message_id, data)
            case u.BotRights(chat_id=chat_id, is_admin=admin):
                old, new = (Participant(sub.MEMBER), Participant(sub.ADMIN))
                if not admin:
                    old, new = new, old
                return [("my_chat_member", self._member_update(chat_id, world.bot_id, self._creator(chat_id),
                                                                old, new))]
        return []

    def _press(self, query_id: str, chat_id: int, user_id: int, message_id: int, data: Any) -> list:
        world = self.world
        pressed = world.chat(chat_id).messages.get(message_id)
        body: dict[str, Any] = {"id": query_id, "from": shapes.user(world, user_id),
                                "chat_instance": str(chat_id)}
        self.queries.add(query_id)
        if pressed is not None and not pressed.deleted:
            body["message"] = shapes.message(world, pressed)
        else:  # a message too old or gone: the Bot API's InaccessibleMessage
            body["message"] = {"chat": shapes.chat(world, chat_id), "message_id": message_id, "date": 0}
        body["data"] = data.decode() if isinstance(data, bytes) else str(data)
        return [("callback_query", body)]

    def _participant(self, update: u.ParticipantChanged) -> list[tuple[str, dict[str, Any]]]:
        world = self.world
        chat = world.chat(update.chat_id)
        body = self._member_update(update.chat_id, update.user_id, update.actor_id, update.previous,
                                   update.current, update.via)
        if update.user_id == world.bot_id:
            return [("my_chat_member", body)]
        out = []
        was_in = update.previous is not None and update.previous.inside
        is_in = update.current is not None and update.current.inside
        if chat.kind == "group" and is_in != was_in:
            out.append(("message", self._service(update, joined=is_in)))
        out.append(("chat_member", body))
        return out

    def _service(self, update: u.ParticipantChanged, joined: bool) -> dict[str, Any]:
        """The service message a group shows for a join or a departure (it takes a message id, as in Telegram)."""
        world = self.world
        chat = world.chat(update.chat_id)
        message_id = chat.next_message_id
        chat.next_message_id += 1
        actor = update.user_id if joined and update.via != "added" else update.actor_id
        shown = {"message_id": message_id, "date": self._now(), "chat": shapes.chat(world, update.chat_id),
                 "from": shapes.user(world, actor)}
        if joined:
            shown["new_chat_members"] = [shapes.user(world, update.user_id)]
        else:
            shown["left_chat_member"] = shapes.user(world, update.user_id)
        return shown

    def _member_update(self, chat_id: int, user_id: int, actor: int, old: Participant | None,
                       new: Participant | None, via: str = "link") -> dict[str, Any]:
        world = self.world
        body = {"chat": shapes.chat(world, chat_id), "from": shapes.user(world, actor), "date": self._now(),
                "old_chat_member": shapes.chat_member(world, chat_id, user_id, old),
                "new_chat_member": shapes.chat_member(world, chat_id, user_id, new)}
        if via == "request" and new is not None and new.inside:
            body["via_join_request"] = True
        return body

    def _creator(self, chat_id: int) -> int:
        chat = self.world.chat(chat_id)
        return next((p for p, found in chat.participants.items() if found.status == sub.CREATOR), self.world.bot_id)

    def _now(self) -> int:
        return int(self.world.clock.time())
