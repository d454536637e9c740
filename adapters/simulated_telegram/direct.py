"""Hands the simulated world's updates straight to the application, as commands.

The translation mirrors adapters.telethon.inbound rule for rule (the transport contract in tests/transport
plays every scenario through both and compares): a group participant change is a join, a leave (a kick or a
ban included) or, while the person stays inside, a standing change, which is dropped when the bot made it.
"""

from adapters.simulated_telegram import updates as u
from adapters.simulated_telegram.gateway import to_port
from adapters.simulated_telegram.model import Message, Participant
from adapters.simulated_telegram.world import World
from application import commands as c
from domain import senders
from domain import subscription as sub

_SENDER_KINDS = {
    "user": senders.USER,
    "anonymous_admin": senders.ANONYMOUS_ADMIN,
    "linked_channel": senders.LINKED_CHANNEL,
    "channel": senders.SEND_AS_CHANNEL,
}


def status_of(participant: object) -> str:
    return sub.NONE if participant is None else participant.status  # type: ignore[attr-defined]


def to_command(update: object, world: World) -> object | None:
    match update:
        case u.ParticipantChanged():
            return _participant(update, world)
        case u.NewMessage(chat_id=chat_id, message=m) if m.from_bot:
            return _own(chat_id, m)
        case u.NewMessage(chat_id=chat_id, message=m):
            return _message(world, chat_id, m, edited=False)
        case u.MessageEdited(chat_id=chat_id, message=m) if not m.from_bot:
            return _message(world, chat_id, m, edited=True)
        case u.JoinRequest(chat_id=chat_id, user_id=user_id):
            return c.JoinRequested(chat_id, user_id, name=world.name(user_id), language=world.language(user_id))
        case u.CallbackQuery(query_id=q, chat_id=chat_id, user_id=user_id, data=data):
            return c.VerifyPressed(q, chat_id, user_id, data, language=world.language(user_id))
        case u.BotRights(chat_id=chat_id, is_admin=admin):
            return c.BotRightsChanged(chat_id, admin)
        case u.ChatChanged(chat_id=chat_id) if world.chat(chat_id).kind == "channel":
            return c.ChannelChanged(chat_id)
        case u.PrivateMessage(user_id=user_id, message_id=message_id, text=text):
            return c.PrivateMessage(user_id, message_id, text, world.name(user_id), language=world.language(user_id))
    return None


def _message(world: World, chat_id: int, m: Message, edited: bool) -> c.GroupMessage | None:
    chat = world.chat(chat_id)
    if chat.kind != "group":
        return None
    replied = chat.messages.get(m.reply_to) if m.reply_to else None
    return c.GroupMessage(
        chat_id=chat_id,
        message_id=m.id,
        sender=senders.Sender(_SENDER_KINDS[m.sender.kind], m.sender.peer_id),
        kind=m.kind,
        text=m.text,
        sender_name=world.name(m.sender.peer_id),
        chat_title=chat.title,
        forwarded_from_channel=m.forwarded_from_channel,
        reply_to_forwarded_channel=replied.forwarded_from_channel if replied else None,
        sender_is_bot=m.sender.kind == "user" and world.is_bot(m.sender.peer_id),
        edited=edited,
        sender_language=world.language(m.sender.peer_id) if m.sender.kind == "user" else "",
    )


def _own(chat_id: int, m: Message) -> c.WarningSeen | None:
    """The bot's own message, delivered back (Telegram's catch-up does): a warning if it has a button to press."""
    for row in m.buttons:
        for button in row:
            if button.get("data"):
                return c.WarningSeen(chat_id, m.id, button["data"])
    return None


def _participant(update: u.ParticipantChanged, world: World) -> object | None:
    chat_id, user_id, actor = update.chat_id, update.user_id, update.actor_id
    was_in, is_in = _inside(update.previous), _inside(update.current)
    if was_in and is_in and actor == world.bot_id and user_id != world.bot_id:
        return None  # the bot's own mute or release, first and cheapest: the busiest kind of update
    chat = world.chat(chat_id)
    new = update.current
    if user_id == world.bot_id:
        return c.BotRightsChanged(chat_id, new is not None and new.status in (sub.ADMIN, sub.CREATOR))
    if chat.kind == "channel":
        return c.ChannelMembershipChanged(chat_id, user_id, status_of(new), world.name(user_id))
    if is_in and not was_in:
        return c.MemberJoined(chat_id, user_id, via=update.via, name=world.name(user_id), participant=to_port(new),
                              is_bot=world.is_bot(user_id), language=world.language(user_id))
    if is_in:
        return c.MemberStandingChanged(chat_id, user_id, actor, to_port(new))
    banned = status_of(new) == sub.KICKED
    if was_in or (banned and status_of(update.previous) != sub.KICKED):
        # A leave, a kick, or a ban of someone already gone (who must not be let back in by the bot either).
        return c.MemberLeft(chat_id, user_id, kicked=banned, actor_id=actor, participant=to_port(new))
    return None  # someone outside stays outside (an unban, a departed member's restrictions changed)


def _inside(found: Participant | None) -> bool:
    return found is not None and found.inside
