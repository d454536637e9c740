"""Events told in plain words, for the demo, for people reading the log and for members asking why.

The log records codes (a trigger, a reason, a way out, an error); the tables below are the one place that
turns each into words, so the timeline, an explanation and a report never say the same code differently.
"""

from datetime import datetime
from typing import Any

# How a member was released (MemberReleased.how).
RELEASES = {
    "verify_pressed": "pressed Verify and was re-checked",
    "channel_join_observed": "the bot saw them join the missing channel",
    "admin": "an admin released them",
    "group_unprotected": "the group was unprotected",
    "channel_unlinked": "the channel they lacked was unlinked",
    "promoted": "they were made an admin of the group",
    "left_group": "they left the group",
    "redecided": "a change to the group left nothing missing",
    "exempted": "an admin exempted them",
    "admin_released": "an admin freed them with /release",
}
# What made the bot look at a member (the trigger of a verification or restriction), after "when".
TRIGGERS = {
    "message": "they wrote in the group",
    "join": "they joined the group",
    "channel_left": "they left a required channel",
    "channel_joined": "they joined a required channel",
    "verify": "they pressed Verify",
    "recheck": "the bot checked them again",
    "channel_linked": "an admin linked another channel",
    "channel_unlinked": "an admin unlinked a channel",
    "channel_unseen": "the bot lost sight of a channel",
    "setting_changed": "an admin changed a setting",
    "group_unprotected": "the group was unprotected",
    "exempted": "an admin exempted them",
}
# Why a member was restricted (MemberRestricted.reason); {missing} names the channels.
REASONS = {
    "not_subscribed": "not subscribed to {missing}",
    "check_failed": "Telegram could not confirm {missing} and strict mode is on",
    "send_as_channel": "wrote as a channel, which hides who is writing",
}
# The same reasons as a report's short headings.
REASON_HEADINGS = {"not_subscribed": "not subscribed", "check_failed": "check failed (strict mode)",
                   "send_as_channel": "wrote as a channel"}
# What the group does to a non-subscriber (the `action` setting).
ACTIONS = {
    "mute": "muted", "delete-only": "their messages deleted", "kick": "removed from the group",
    "warn": "warned, their messages deleted", "escalate": "muted",
}
# Why Telegram gave no answer (CheckFailed.error, MuteNotApplied.error).
FAILURES = {
    "flood_wait": "Telegram asked the bot to wait (flood wait)",
    "timeout": "Telegram did not answer in time",
    "internal": "Telegram had an internal error",
    "not_admin": "the bot is not an admin there",
    "not_found": "Telegram did not find the member or channel",
}
# How the bot learnt a member's place in the group (StandingObserved.how).
SEEN = {"read": "read from Telegram", "listed": "from the group's lists of restricted members and admins",
        "join": "on joining", "left": "on leaving", "kicked": "on removal"}


def words(table: dict[str, str], code: Any) -> str:
    """A code in words; a code the table does not know is shown as it is, rather than hidden."""
    return table.get(code, str(code).replace("_", " ")) if isinstance(code, str) else str(code)


def channel_name(channel: dict[str, Any]) -> str:
    """A channel as its event recorded it: "@news (Daily News)", or "Daily News (id -100…)" when it has no
    public username."""
    username, title = channel.get("username"), channel.get("title")
    return f"@{username} ({title})" if username else f"{title} (id {channel.get('id')})"


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
    seen = SEEN.get(data["how"], f"changed by {by}" if data.get("actor") is not None else words({}, data["how"]))
    text = f"in the group as {data['standing']} ({seen})"
    if data.get("rights") is not None:
        text += f"; the admins' restrictions: {restrictions_in_words(data['rights'], data.get('until'))}"
    return text


def _restricted(data: dict[str, Any], channels: str) -> str:
    why = REASONS.get(data["reason"], "{missing}").format(missing=channels)
    return f"restricted: {why}, found when {words(TRIGGERS, data['trigger'])}; {words(ACTIONS, data['action'])}"


def _check_failed(data: dict[str, Any]) -> str:
    outcome = "they stay restricted" if data["outcome"] == "restricted" else "they may write meanwhile"
    return f"check failed: {words(FAILURES, data['error'])}; strict mode is {'on' if data['strict'] else 'off'}, " \
           f"so {outcome}"


def describe(event: Any, name_of: Any = str) -> str:
    data = vars(event)
    kind = type(event).__name__
    actor = data.get("by", data.get("actor"))
    by = name_of(actor) if actor is not None else "someone"
    channels = ", ".join(name_of(c) for c in data.get("missing") or data.get("channels") or [] if isinstance(c, int))
    texts = {
        "Registered": lambda: "the group became known to the bot",
        "Protected": lambda: f"{by} protected the group with " + ", ".join(map(channel_name, data["channels"])),
        "ChannelLinked": lambda: f"{by} linked {channel_name(data['channel'])}",
        "ChannelUnlinked": lambda: f"{by} unlinked {name_of(data['channel_id'])}",
        "SettingChanged": lambda: f"{by} set {data['key']} to {data['value']}",
        "Unprotected": lambda: f"{by} switched protection off",
        "MemberExempted": lambda: f"exempted by {by}: the gate leaves them alone",
        "MemberUnexempted": lambda: f"no longer exempt ({by} lifted the exemption)",
        "CommandRefused": lambda: f"{by} is not an admin; /{data['command']} was refused",
        "LogChannelSet": lambda: f"{by} set the log channel to {channel_name(data['channel'])}" if data["channel"]
        else f"{by} switched the log channel off",
        "Opened": lambda: "the bot began keeping a verdict on this member",
        "SubscriptionVerified": lambda: f"verified as subscribed, when {words(TRIGGERS, data['trigger'])}",
        "MemberRestricted": lambda: _restricted(data, channels),
        "MemberReleased": lambda: "released: " + words(RELEASES, data["how"])
        + (f" ({by})" if data["how"] in ("admin", "admin_released") and actor is not None else ""),
        "CheckFailed": lambda: _check_failed(data),
        "MuteApplied": lambda: "the mute is in force on Telegram, on top of what the admins had set",
        "MuteNotApplied": lambda: f"the mute could not be applied: {words(FAILURES, data['error'])}",
        "MuteLifted": lambda: "the mute was lifted"
        + (f", the admins' restrictions put back ({restrictions_in_words(data['restored'], data.get('until'))})"
           if data["restored"] else "; nothing else changed"),
        "StandingObserved": lambda: _observed(data, by),
        "MemberNamed": lambda: f"known as {data['name']}",
        "MemberLanguageKnown": lambda: f"reads {data['language']}",
        "WarningIntended": lambda: "a warning is about to be sent",
        "WarningEdited": lambda: f"the warning now names only what is still missing (message {data['message_id']})",
        "ChannelUpdated": lambda: f"the channel's details changed on Telegram: now {channel_name(data['channel'])}",
        "WarningPosted": lambda: f"a warning was posted (message {data['message_id']})",
        "WarningRemoved": lambda: f"the warning was removed (message {data['message_id']})",
        "JoinRequestHeld": lambda: "the join request waits until they subscribe",
        "JoinRequestDecided": lambda: "join request " + ("approved" if data["approved"] else "declined"),
        "MemberRemoved": lambda: "removed from the group",
        "BotRightsLost": lambda: f"the bot lost its admin rights in {name_of(data['chat_id'])}",
        "BotRightsRegained": lambda: f"the bot has its admin rights in {name_of(data['chat_id'])} again",
    }
    text = texts[kind]() if kind in texts else kind
    member = data.get("member_id")
    return f"{name_of(member)}: {text}" if member is not None else text

