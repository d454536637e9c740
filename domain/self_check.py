"""Whether the bot can do its job in a group and its channels: a pure judgement of what Telegram said.

"Joined but still asked to join" is nearly always a missing right: the bot cannot see a channel's
subscribers unless it is that channel's admin, and cannot mute, delete or approve without its rights in
the group. Each chat gets a finding naming every missing right, so an admin knows exactly what to change.
"""

from dataclasses import dataclass
from enum import StrEnum

# Telegram's admin right names (ChatAdminRights) the bot needs, with why.
GROUP_NEEDS = ("ban_users", "delete_messages", "invite_users")  # mute, delete messages, approve join requests
PRIVATE_CHANNEL_NEEDS = ("invite_users",)  # its invite link is the only way in for members


class State(StrEnum):
    READY = "ready"
    NOT_ADMIN = "not_admin"
    MISSING_RIGHTS = "missing_rights"
    BLIND = "blind"  # an admin, yet Telegram refused to show a subscriber
    UNKNOWN = "unknown"  # Telegram did not answer


@dataclass(frozen=True)
class Look:
    """What Telegram said about the bot in one chat. `rights`: its admin rights (None: no admin; the
    look failed when `answered` is False). `sees`: whether a subscriber could be looked up (None: not tried)."""

    chat_id: int
    answered: bool
    rights: frozenset[str] | None = None
    sees: bool | None = None


@dataclass(frozen=True)
class Finding:
    chat_id: int
    state: State
    missing: tuple[str, ...] = ()


def judge_group(look: Look) -> Finding:
    return _judge(look, GROUP_NEEDS)


def judge_channel(look: Look, private: bool) -> Finding:
    finding = _judge(look, PRIVATE_CHANNEL_NEEDS if private else ())
    if finding.state == State.READY and look.sees is False:
        return Finding(look.chat_id, State.BLIND)
    return finding


def ready(findings: list[Finding]) -> bool:
    return all(f.state == State.READY for f in findings)


def _judge(look: Look, needs: tuple[str, ...]) -> Finding:
    if not look.answered:
        return Finding(look.chat_id, State.UNKNOWN)
    if look.rights is None:
        return Finding(look.chat_id, State.NOT_ADMIN, needs)
    missing = tuple(r for r in needs if r not in look.rights)
    return Finding(look.chat_id, State.MISSING_RIGHTS, missing) if missing else Finding(look.chat_id, State.READY)
