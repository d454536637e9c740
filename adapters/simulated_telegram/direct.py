"""Hands the simulated world's updates straight to the application, as commands."""

from adapters.simulated_telegram import updates as u
from adapters.simulated_telegram.world import World
from application import commands as c
from application.ports.telegram import Participant
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
        case u.NewMessage(chat_id=chat_id, message=m) if not m.from_bot:
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
            )
        case u.ParticipantChanged(chat_id=chat_id, user_id=user_id, previous=prev, current=new, via=via):
            chat = world.chat(chat_id)
            if chat.kind == "channel":
                if user_id == world.bot_id:
                    return c.BotRightsChanged(chat_id, new is not None and new.status == sub.ADMIN)
                return c.ChannelMembershipChanged(chat_id, user_id, status_of(new))
            was_inside = prev is not None and prev.inside
            is_inside = new is not None and new.inside
            if is_inside and not was_inside:
                joined = Participant(new.status, new.restrictions)  # as UpdateChannelParticipant carries it
                return c.MemberJoined(chat_id, user_id, via=via, name=world.name(user_id), participant=joined)
            if was_inside and not is_inside:
                return c.MemberLeft(chat_id, user_id)
            return None
        case u.JoinRequest(chat_id=chat_id, user_id=user_id):
            return c.JoinRequested(chat_id, user_id, name=world.name(user_id))
        case u.CallbackQuery(query_id=q, chat_id=chat_id, user_id=user_id, data=data):
            return c.VerifyPressed(q, chat_id, user_id, data)
        case u.BotRights(chat_id=chat_id, is_admin=admin):
            return c.BotRightsChanged(chat_id, admin)
    return None
