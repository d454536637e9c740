"""A participant's standing in a chat, and how Telegram's channels.editBanned changes it.

Both simulators (the direct gateway and the TL request handlers) change a standing only through
World.edit_banned, which applies `edited` below, so the two cannot disagree about Telegram's rules:

- the rights given REPLACE the participant's banned rights, their end date included;
- an admin or the creator cannot be restricted (USER_ADMIN_INVALID);
- rights with view_messages are a ban: the person is out (status kicked) and cannot join until unbanned;
- empty rights on a banned person unban them: out, free to join again;
- other rights on a banned or departed person leave them out, holding those rights for a rejoin;
- someone the chat holds no record of is refused (USER_NOT_PARTICIPANT): a restriction never adds a member.
"""

from adapters.simulated_telegram.model import ADMIN_STATUSES, Participant
from adapters.simulated_telegram.refusals import Refused
from domain import rights as r
from domain import subscription as sub

# Telegram's rule for until_date: under 30 seconds or over 366 days from now means "forever".
SHORTEST = 30
LONGEST = 366 * 24 * 3600
BAN = "view_messages"


def until_from(until: float | None, now: float) -> int | None:
    """The end Telegram keeps for a requested until_date (world seconds); None: the rights never end."""
    if until is None or until <= 0 or until - now < SHORTEST or until - now > LONGEST:
        return None
    return int(until)  # Telegram keeps dates in whole seconds


def current(found: Participant | None, now: float) -> Participant | None:
    """The standing as it is at `now`: restrictions whose end has passed are gone.

    Telegram sends no update when a restriction runs out (none is documented, so the bot must not count
    on one); it simply no longer holds, for writing and for every later answer about the person.
    """
    if found is None or found.until is None or now < found.until:
        return found
    if found.status == sub.RESTRICTED:
        return Participant(sub.MEMBER)
    return None  # a ban or a departed person's restrictions ran out: nothing of them is left


def edited(previous: Participant | None, rights: frozenset[str], until: int | None, name: str,
           peer_is_channel: bool = False) -> Participant | None:
    """The standing after editBanned with `rights` ending at `until`; raises Refused where Telegram does.

    `peer_is_channel`: the target is a channel someone writes "as" (send-as). Telegram lets a group
    restrict or ban such a channel though it never joined; its record is never a membership (status left,
    or kicked when banned), so nothing is reported as a join and the channel's posts are checked against it.
    """
    if previous is not None and previous.status in ADMIN_STATUSES:
        raise Refused(Refused.ADMIN, f"{name} is an admin")
    if previous is None and not peer_is_channel:
        # For a ban of someone the chat never saw Telegram's answer is not documented: refused here too (the
        # stricter reading), so a bot acting on people who are not there shows in its tests.
        raise Refused(Refused.NOT_PARTICIPANT, f"{name} is not in the chat")
    if not rights:
        until = None  # nothing left to end
    if BAN in rights:
        return Participant(sub.KICKED, rights, until)
    if previous is None or not previous.inside:
        # Out of the chat (banned, departed, or a send-as channel): still out, holding the rights given.
        return Participant(sub.LEFT, rights, until) if rights else None
    return Participant(sub.RESTRICTED, rights, until) if rights else Participant(sub.MEMBER)


def may_write(found: Participant | None, kind: str) -> bool:
    """Whether Telegram lets this participant send a message of `kind` (the standing already current)."""
    if found is None or not found.inside:
        return False
    if found.status in ADMIN_STATUSES:
        return True
    return r.may_send(found.restrictions, kind)
