"""The simulated world's people, chats and participants as Telegram's own TL objects.

Kept independent of adapters.telethon on purpose: if both sides shared one translation, a mistake in it
would cancel out and the Telethon adapter would look right while speaking to Telegram wrongly.
"""

from datetime import UTC, datetime

from telethon import types

from adapters.simulated_telegram.model import Chat, Participant
from adapters.simulated_telegram.world import World
from domain import subscription as sub

# What an admin may do; the gate only reads whether someone is an admin, not which rights they hold.
ADMIN_RIGHTS = types.ChatAdminRights(
    change_info=True, delete_messages=True, ban_users=True, invite_users=True, pin_messages=True
)


def access_hash(peer_id: int) -> int:
    """Telegram's per-peer secret, made deterministic so a wrong or missing hash is caught."""
    return (peer_id * 2654435761) % (2**62) + 1


def when(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def is_chat(world: World, peer_id: int) -> bool:
    return peer_id in world.chats


def peer_of(world: World, peer_id: int):
    """Users and chats share the world's id space; a chat id names a channel or supergroup."""
    return types.PeerChannel(peer_id) if is_chat(world, peer_id) else types.PeerUser(peer_id)


def user_entity(world: World, user_id: int) -> types.User:
    bot = world.is_bot(user_id) or None
    # TL ties the bot flag to bot_info_version: a bot without one is not valid TL.
    person = world.people.get(user_id)
    return types.User(user_id, bot=bot, access_hash=access_hash(user_id), first_name=world.name(user_id),
                      bot_info_version=1 if bot else None, username=person.username if person else None,
                      lang_code=(person.language or None) if person else None)


def chat_entity(world: World, chat_id: int) -> types.Channel:
    chat = world.chats.get(chat_id)
    if chat is None:  # a channel the world does not model (e.g. someone's own blog): a plain broadcast channel
        return types.Channel(chat_id, str(chat_id), types.ChatPhotoEmpty(), when(0), broadcast=True,
                             access_hash=access_hash(chat_id))
    group = chat.kind == "group"
    return types.Channel(
        chat.id,
        chat.title,
        types.ChatPhotoEmpty(),
        when(0),
        megagroup=group or None,
        broadcast=(not group) or None,
        access_hash=access_hash(chat.id),
        username=chat.username,
    )


def entities(world: World, user_ids=(), chat_ids=()) -> tuple[list, list]:
    """The users and chats an update or answer must carry so Telethon can resolve every peer in it."""
    users = {i: user_entity(world, i) for i in user_ids if i is not None and not is_chat(world, i)}
    chats = {i: chat_entity(world, i) for i in chat_ids if i is not None}
    # A "user" id that is really a chat (a send-as channel) travels as a chat.
    chats.update({i: chat_entity(world, i) for i in user_ids if i is not None and is_chat(world, i)})
    return list(users.values()), list(chats.values())


def banned_rights(restrictions: frozenset[str], until: int | None = None) -> types.ChatBannedRights:
    # An unknown name raises TypeError here: the world may only hold rights Telegram knows.
    end = when(until) if until is not None else None
    return types.ChatBannedRights(until_date=end, **dict.fromkeys(restrictions, True))


def rights_names(rights) -> frozenset[str]:
    """The rights a ChatBannedRights takes away, read from the TL object itself."""
    return frozenset(k for k, v in rights.to_dict().items() if v is True)


def until_seconds(rights) -> float | None:
    """A ChatBannedRights' until_date in seconds; None for none (a request read from bytes has a date, 1970
    for 0: the world's own rule makes that "forever")."""
    until = rights.until_date
    if isinstance(until, datetime):
        return until.timestamp()
    return float(until) if until else None


def participant(world: World, chat: Chat, peer_id: int, found: Participant | None, actor: int | None = None):
    """The ChannelParticipant* Telegram shows for this person's place in the chat (None: not in it)."""
    if found is None:
        return None
    date, actor = when(0), actor or world.bot_id
    peer = peer_of(world, peer_id)
    match found.status:
        case sub.CREATOR:
            return types.ChannelParticipantCreator(peer_id, ADMIN_RIGHTS)
        case sub.ADMIN if peer_id == world.bot_id:
            # TL ties is_self to inviter_id: the bot's own admin entry says who brought it in.
            rights = types.ChatAdminRights(**{name: True for name in sorted(chat.bot_rights)})
            return types.ChannelParticipantAdmin(peer_id, actor, date, rights, is_self=True, inviter_id=actor)
        case sub.ADMIN:
            return types.ChannelParticipantAdmin(peer_id, actor, date, ADMIN_RIGHTS)
        case sub.MEMBER if peer_id == world.bot_id:
            return types.ChannelParticipantSelf(peer_id, actor, date)
        case sub.MEMBER:
            return types.ChannelParticipant(peer_id, date)
        case sub.RESTRICTED:
            return types.ChannelParticipantBanned(peer, actor, date, banned_rights(found.restrictions, found.until))
        case sub.KICKED:
            rights = banned_rights(found.restrictions | {"view_messages"}, found.until)
            return types.ChannelParticipantBanned(peer, actor, date, rights, left=True)
        case sub.LEFT if found.restrictions:
            # Telegram keeps a restricted member's restrictions after they leave.
            rights = banned_rights(found.restrictions, found.until)
            return types.ChannelParticipantBanned(peer, actor, date, rights, left=True)
        case sub.LEFT:
            return types.ChannelParticipantLeft(peer)
    raise ValueError(f"no Telegram participant for status {found.status!r}")


class UnsimulatedRequest(Exception):
    """A request the simulated Telegram does not model; loud, so it never passes as an empty answer."""
