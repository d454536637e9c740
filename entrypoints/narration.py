"""Events told in plain words, for the demo and for people reading the log."""

from datetime import datetime
from typing import Any

_HOW = {
    "verify_pressed": "pressed Verify and was re-checked",
    "channel_join_observed": "the bot saw them join the missing channel",
    "admin": "an admin released them",
    "group_unprotected": "the group was unprotected",
    "channel_unlinked": "the channel they lacked was unlinked",
    "promoted": "they were made an admin of the group",
    "redecided": "a change to the group left nothing missing",
}
_SEEN = {"read": "read from Telegram", "join": "on joining", "left": "on leaving", "kicked": "on removal"}


def restrictions_in_words(rights: list[str] | frozenset[str], until: datetime | None) -> str:
    """An admin's per-member restrictions as people say them: "no photos, videos until 2026-12-12 00:00 UTC"."""
    if not rights:
        return "no restrictions"
    if "view_messages" in rights:
        text = "banned"
    elif "send_messages" in rights:
        text = "no messages"
    else:
        text = "no " + ", ".join(sorted(r.removeprefix("send_").replace("_", " ") for r in rights))
    return text + (f" until {until:%Y-%m-%d %H:%M} UTC" if until is not None else "")


def _observed(data: dict[str, Any], by: str) -> str:
    seen = _SEEN.get(data["how"], f"changed by {by}" if data.get("actor") is not None else data["how"])
    text = f"in the group as {data['standing']} ({seen})"
    if data.get("rights") is not None:
        text += f"; the admins' restrictions: {restrictions_in_words(data['rights'], data.get('until'))}"
    return text
_WHY = {
    "not_subscribed": "not subscribed to {missing}",
    "check_failed": "Telegram could not confirm {missing} and strict mode is on",
    "send_as_channel": "wrote as a channel, which hides who is writing",
}


def describe(event: Any, name_of: Any = str) -> str:
    data = vars(event)
    kind = type(event).__name__
    actor = data.get("by", data.get("actor"))
    by = name_of(actor) if actor is not None else "someone"
    channels = ", ".join(name_of(c) for c in data.get("missing") or data.get("channels") or [] if isinstance(c, int))
    texts = {
        "Registered": lambda: "the group became known to the bot",
        "Protected": lambda: f"{by} protected the group with " + ", ".join(c["title"] for c in data["channels"]),
        "ChannelLinked": lambda: f"{by} linked {data['channel']['title']}",
        "ChannelUnlinked": lambda: f"{by} unlinked {name_of(data['channel_id'])}",
        "SettingChanged": lambda: f"{by} set {data['key']} to {data['value']}",
        "Unprotected": lambda: f"{by} switched protection off",
        "CommandRefused": lambda: f"{by} is not an admin; /{data['command']} was refused",
        "Opened": lambda: "the bot began keeping a verdict on this member",
        "SubscriptionVerified": lambda: f"verified as subscribed (on {data['trigger']})",
        "MemberRestricted": lambda: "restricted: "
        + _WHY.get(data["reason"], "{missing}").format(missing=channels)
        + f" (seen on {data['trigger']}; action {data['action']})",
        "MemberReleased": lambda: "released: " + _HOW.get(data["how"], str(data["how"])),
        "CheckFailed": lambda: f"check failed ({data['error']}); strict mode means {data['outcome']}",
        "MuteApplied": lambda: "the mute is in force on Telegram, on top of what the admins had set",
        "MuteNotApplied": lambda: f"the mute could not be applied ({data['error']})",
        "MuteLifted": lambda: "the mute was lifted"
        + (f", the admins' restrictions put back ({restrictions_in_words(data['restored'], data.get('until'))})"
           if data["restored"] else "; nothing else changed"),
        "StandingObserved": lambda: _observed(data, by),
        "MemberNamed": lambda: f"known as {data['name']}",
        "WarningIntended": lambda: "a warning is about to be sent",
        "WarningEdited": lambda: f"the warning now names only what is still missing (message {data['message_id']})",
        "ChannelUpdated": lambda: f"{data['channel']['title']}'s details changed on Telegram",
        "WarningPosted": lambda: f"a warning was posted (message {data['message_id']})",
        "WarningRemoved": lambda: f"the warning was removed (message {data['message_id']})",
        "JoinRequestHeld": lambda: "the join request waits until they subscribe",
        "JoinRequestDecided": lambda: "join request " + ("approved" if data["approved"] else "declined"),
        "MemberRemoved": lambda: "removed from the group",
    }
    text = texts[kind]() if kind in texts else kind
    member = data.get("member_id")
    return f"{name_of(member)}: {text}" if member is not None else text

