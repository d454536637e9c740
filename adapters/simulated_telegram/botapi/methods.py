"""The Bot API methods a channel-gate bot uses, served from the simulated world.

Each takes the request's parameters (already decoded) and returns the `result`, or raises ApiError with the
description the Bot API gives. Every change of standing goes through World.edit_banned, like the other two
transports, so Telegram's rules (admins cannot be restricted, a ban removes, ...) are the same for all three.
"""

from typing import Any

from adapters.simulated_telegram import standing
from adapters.simulated_telegram.botapi import shapes
from adapters.simulated_telegram.botapi.errors import ApiError, bad_request
from adapters.simulated_telegram.botapi.feed import KNOWN, NOT_BY_DEFAULT, UpdateFeed
from adapters.simulated_telegram.botapi.ids import api_chat_id, world_chat_id
from adapters.simulated_telegram.botapi.markup import plain
from adapters.simulated_telegram.botapi.permissions import banned_rights
from adapters.simulated_telegram.model import Chat
from adapters.simulated_telegram.world import Refused, World
from domain import subscription as sub

_REFUSED = {
    Refused.ADMIN: "user is an administrator of the chat",
    Refused.NOT_PARTICIPANT: "USER_NOT_PARTICIPANT",
}


class Methods:
    def __init__(self, world: World, feed: UpdateFeed) -> None:
        self.world = world
        self.feed = feed
        self.commands: dict[str, list[dict]] = {}
        self.callback_answers: list[tuple[str, str, bool]] = []  # (query id, text, show_alert)
        self.answered: set[str] = set()
        self.muted: set[tuple[int, int]] = set()  # (world chat, user) the bot took the right to write from

    # Parameters.

    def chat_of(self, params: dict, name: str = "chat_id", present: bool = True) -> Chat:
        """The supergroup or channel named by `chat_id` (-100... or @username)."""
        ref = params.get(name)
        if ref in (None, ""):
            raise bad_request(f"{name} is empty")
        found = self._lookup(ref)
        if found is None:
            raise bad_request("chat not found")
        if present and not found.bot_present:
            kind = "supergroup" if found.kind == "group" else "channel"
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
        return found

    def _lookup(self, ref: Any) -> Chat | None:
        text = str(ref)
        if text.startswith("@"):
            return next((c for c in self.world.chats.values() if (c.username or "").lower() == text[1:].lower()),
                        None)
        try:
            world_id = world_chat_id(int(text))
        except ValueError:
            return None
        return self.world.chats.get(world_id) if world_id is not None else None

    def user_of(self, params: dict) -> int:
        try:
            user_id = int(params["user_id"])
        except (KeyError, TypeError, ValueError):
            raise bad_request("invalid user_id specified") from None
        if user_id != self.world.bot_id and user_id not in self.world.people:
            raise bad_request("user not found")
        return user_id

    def _admin(self, chat: Chat, what: str) -> None:
        if not chat.bot_admin:
            raise bad_request(f"not enough rights to {what}")

    def _edit_banned(self, chat: Chat, user_id: int, banned: frozenset[str], until: Any) -> None:
        if user_id == self.world.bot_id:
            raise bad_request("can't restrict self")
        found = self.world.participant(chat.id, user_id)
        if found is not None and found.status == sub.CREATOR:
            raise bad_request("can't remove chat owner")
        end = float(until) if until not in (None, "", 0, "0") else None
        try:
            self.world.edit_banned(chat.id, user_id, banned, end, actor=self.world.bot_id)
        except Refused as refusal:
            raise bad_request(_REFUSED.get(refusal.rpc, refusal.rpc)) from None

    # The bot itself and its updates.

    def getMe(self, params: dict) -> Any:
        return shapes.user(self.world, self.world.bot_id) | {
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False,
            "can_connect_to_business": False, "has_main_web_app": False}

    def deleteWebhook(self, params: dict) -> Any:
        if _flag(params.get("drop_pending_updates")):
            self.feed.drop_pending()
        return True

    def setWebhook(self, params: dict) -> Any:
        raise bad_request("the simulated Bot API serves getUpdates only")

    def getWebhookInfo(self, params: dict) -> Any:
        self.feed.pump()
        return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self.feed.queue)}

    def setMyCommands(self, params: dict) -> Any:
        scope = params.get("scope") or {"type": "default"}
        self.commands[scope.get("type", "default")] = list(params.get("commands") or [])
        return True

    def getMyCommands(self, params: dict) -> Any:
        scope = params.get("scope") or {"type": "default"}
        return self.commands.get(scope.get("type", "default"), [])

    def deleteMyCommands(self, params: dict) -> Any:
        self.commands.pop((params.get("scope") or {"type": "default"}).get("type", "default"), None)
        return True

    def set_allowed(self, allowed: Any) -> None:
        if allowed is None:
            return  # the previous setting stays, as the Bot API keeps it
        wanted = frozenset(allowed)
        self.feed.allowed = wanted if wanted else KNOWN - NOT_BY_DEFAULT

    # Reading chats and members.

    def getChat(self, params: dict) -> Any:
        chat = self.chat_of(params, present=False)
        if not chat.bot_present and not chat.username:
            raise bad_request("chat not found")
        return shapes.full_chat(self.world, chat.id)

    def getChatMember(self, params: dict) -> Any:
        chat = self.chat_of(params)
        user_id = self.user_of(params)
        if chat.kind == "channel" and not chat.bot_admin and user_id != self.world.bot_id:
            raise bad_request("member list is inaccessible")
        return shapes.chat_member(self.world, chat.id, user_id, self.world.participant(chat.id, user_id))

    def getChatAdministrators(self, params: dict) -> Any:
        chat = self.chat_of(params)
        if chat.kind == "channel" and not chat.bot_admin:
            raise bad_request("member list is inaccessible")
        return [shapes.chat_member(self.world, chat.id, admin, chat.participants[admin])
                for admin in sorted(chat.admins())]

    def getChatMemberCount(self, params: dict) -> Any:
        chat = self.chat_of(params)
        return sum(1 for user in list(chat.participants) if (p := self.world.participant(chat.id, user)) and p.inside)

    # Changing members.

    def restrictChatMember(self, params: dict) -> Any:
        chat = self.chat_of(params)
        if chat.kind != "group":
            raise bad_request("method is available only for supergroups")
        user_id = self.user_of(params)
        self._admin(chat, "restrict/unrestrict chat member")
        permissions = params.get("permissions")
        if not isinstance(permissions, dict):
            raise bad_request("can't parse permissions JSON object")
        banned = banned_rights(permissions, _flag(params.get("use_independent_chat_permissions")))
        self._edit_banned(chat, user_id, banned, params.get("until_date"))
        if "send_plain" in banned or "send_messages" in banned:
            self.muted.add((chat.id, user_id))
        return True

    def banChatMember(self, params: dict) -> Any:
        chat = self.chat_of(params)
        user_id = self.user_of(params)
        self._admin(chat, "restrict/unrestrict chat member")
        self._edit_banned(chat, user_id, frozenset({standing.BAN}), params.get("until_date"))
        return True

    def unbanChatMember(self, params: dict) -> Any:
        """Unbanned, the person may join again; without only_if_banned a member is removed by it (Bot API docs)."""
        chat = self.chat_of(params)
        user_id = self.user_of(params)
        self._admin(chat, "restrict/unrestrict chat member")
        found = self.world.participant(chat.id, user_id)
        if found is not None and found.status in (sub.ADMIN, sub.CREATOR):
            raise bad_request("user is an administrator of the chat" if found.status == sub.ADMIN
                              else "can't remove chat owner")
        if found is None:
            return True
        if found.status == sub.KICKED:
            self._edit_banned(chat, user_id, frozenset(), None)
        elif found.inside and not _flag(params.get("only_if_banned")):
            self._edit_banned(chat, user_id, frozenset({standing.BAN}), None)
            self._edit_banned(chat, user_id, frozenset(), None)
        return True

    def approveChatJoinRequest(self, params: dict) -> Any:
        return self._decide(params, approve=True)

    def declineChatJoinRequest(self, params: dict) -> Any:
        return self._decide(params, approve=False)

    def _decide(self, params: dict, approve: bool) -> Any:
        chat = self.chat_of(params)
        user_id = self.user_of(params)
        self._admin(chat, "manage join requests")
        if chat.join_requests.get(user_id) != "pending":
            raise bad_request("HIDE_REQUESTER_MISSING")
        if approve:
            self.world.admit(chat.id, user_id)
        else:
            chat.join_requests[user_id] = "declined"
        return True

    def exportChatInviteLink(self, params: dict) -> Any:
        """A new primary link; the previous one stops working (why a bot must not call it per message)."""
        chat = self.chat_of(params)
        self._admin(chat, "manage invite links")
        chat.invite_links_exported += 1
        return f"https://t.me/+sim{chat.id}x{chat.invite_links_exported}"

    def createChatInviteLink(self, params: dict) -> Any:
        chat = self.chat_of(params)
        self._admin(chat, "manage invite links")
        chat.invite_links_exported += 1
        link = {"invite_link": f"https://t.me/+sim{chat.id}n{chat.invite_links_exported}",
                "creator": shapes.user(self.world, self.world.bot_id),
                "creates_join_request": _flag(params.get("creates_join_request")), "is_primary": False,
                "is_revoked": False}
        if params.get("name"):
            link["name"] = str(params["name"])
        return link

    # Messages.

    def sendMessage(self, params: dict) -> Any:
        text = plain(str(params.get("text") or ""), params.get("parse_mode"))
        ref = params.get("chat_id")
        if ref not in (None, "") and str(ref).lstrip("-").isdigit() and int(ref) > 0:
            return self._private(int(ref), text)
        chat = self.chat_of(params)
        if chat.kind == "channel" and not chat.bot_admin:
            raise bad_request("need administrator rights in the channel chat")
        reply_to = (params.get("reply_parameters") or {}).get("message_id") or params.get("reply_to_message_id")
        if reply_to is not None:
            replied = chat.messages.get(int(reply_to))
            if replied is None or replied.deleted:
                raise bad_request("message to be replied not found")
        posted = self.world.bot_post(chat.id, text, shapes.buttons_from(params.get("reply_markup")),
                                     int(reply_to) if reply_to is not None else None, self.world.clock.time())
        return shapes.message(self.world, posted)

    def _private(self, user_id: int, text: str) -> Any:
        if user_id not in self.world.people:
            raise bad_request("chat not found")
        self.world.private_post(user_id, text)
        messages = self.world.private_messages[user_id]
        return {"message_id": len(messages), "date": int(self.world.clock.time()),
                "chat": shapes.private_chat(self.world, user_id), "from": shapes.user(self.world, self.world.bot_id),
                "text": text}

    def editMessageText(self, params: dict) -> Any:
        if params.get("inline_message_id"):
            raise bad_request("inline messages are not simulated")
        chat = self.chat_of(params)
        found = chat.messages.get(_int(params.get("message_id")))
        if found is None or found.deleted:
            raise bad_request("message to edit not found")
        if not found.from_bot:
            raise bad_request("message can't be edited")
        text = plain(str(params.get("text") or ""), params.get("parse_mode"))
        buttons = shapes.buttons_from(params.get("reply_markup"))
        if text == found.text and buttons == found.buttons:
            raise bad_request("message is not modified: specified new message content and reply markup are "
                              "exactly the same as a current content and reply markup of the message")
        found.text, found.buttons = text, buttons
        found.edited_at = self.world.clock.time()
        return shapes.message(self.world, found)

    def deleteMessage(self, params: dict) -> Any:
        chat = self.chat_of(params)
        self._delete(chat, _int(params.get("message_id")))
        return True

    def deleteMessages(self, params: dict) -> Any:
        chat = self.chat_of(params)
        for message_id in params.get("message_ids") or []:
            try:
                self._delete(chat, int(message_id))
            except ApiError:
                pass  # the Bot API skips the ones it cannot delete
        return True

    def _delete(self, chat: Chat, message_id: int) -> None:
        found = chat.messages.get(message_id)
        if found is None or found.deleted:
            raise bad_request("message to delete not found")
        if not found.from_bot and not chat.bot_admin:
            raise bad_request("message can't be deleted")
        found.deleted = True

    def answerCallbackQuery(self, params: dict) -> Any:
        query = str(params.get("callback_query_id") or "")
        if query not in self.feed.queries or query in self.answered:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        self.answered.add(query)
        self.callback_answers.append((query, str(params.get("text") or ""), _flag(params.get("show_alert"))))
        return True


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request("message identifier is not specified") from None


def chat_ids(params: dict) -> tuple[int | None, int | None]:
    """(world chat, user) a request is about, for the call log; None where it names none."""
    chat = None
    ref = params.get("chat_id")
    if ref not in (None, ""):
        try:
            chat = world_chat_id(int(ref))
        except (TypeError, ValueError):
            chat = None
    user = params.get("user_id")
    try:
        user = int(user) if user not in (None, "") else None
    except (TypeError, ValueError):
        user = None
    return chat, user


__all__ = ["Methods", "api_chat_id", "chat_ids"]
