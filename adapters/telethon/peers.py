"""How the application's chat and user ids map onto Telegram peers.

Convention: the application speaks plain, positive Telegram ids for users, supergroups and channels
(`Peer*.user_id` / `Peer*.channel_id`, never Telethon's "marked" -100… form). Inside this package a plain
id becomes an InputPeer through Telethon's own caches (the in-memory entity cache fed by every update,
then the session), which hold the access_hash Telegram demands. Telethon's entity cache is keyed by the
plain id alone; user and channel ids do not overlap in real Telegram, so the kind it remembers is trusted.
"""

from telethon import types


def plain_id(peer) -> int | None:
    """The positive id inside any Peer, or None for anything that is not one."""
    if isinstance(peer, types.PeerUser):
        return peer.user_id
    if isinstance(peer, types.PeerChannel):
        return peer.channel_id
    if isinstance(peer, types.PeerChat):
        return peer.chat_id
    return None
