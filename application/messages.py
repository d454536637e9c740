"""Every text the bot shows people, in one place so it can be translated."""

from datetime import datetime
from typing import Any

from domain import self_check as sc
from domain.channel import Channel


def channel_name(channel: Channel) -> str:
    return channel.name


def warning(name: str, missing: list[Channel]) -> str:
    names = ", ".join(channel_name(c) for c in missing)
    return (
        f"{name}, this group is for subscribers of {names}. "
        "Join with the button below, then press Verify to write again."
    )


def raid_notice(channels: list[Channel]) -> str:
    names = ", ".join(channel_name(c) for c in channels)
    return (
        f"Welcome, newcomers! This group is for subscribers of {names}. "
        "Join with the buttons below, then press Verify to write."
    )


def join_pending(title: str, missing: list[Channel]) -> str:
    names = ", ".join(channel_name(c) for c in missing)
    return f"To join {title}, please subscribe to {names}. Your request will then be approved automatically."


def join_declined(title: str, missing: list[Channel]) -> str:
    names = ", ".join(channel_name(c) for c in missing)
    return f"Your request to join {title} was declined: subscribe to {names}, then ask to join again."


JOIN_BUTTON = "Join {title}"
VERIFY_BUTTON = "Verify ✅"

BUTTON_INVALID = "This button is no longer valid."
BUTTON_NOT_YOURS = "This button is for another member. Only they can press it."
ALREADY_FREE = "You can already write here."
RELEASED = "Thank you! You can write in the group now."
BOT_CANNOT_ACT = "I am not an admin of this group right now, so I cannot release you yet. Please ask an admin."
RIGHTS_LOST_GROUP = (
    "I am no longer an admin of this group, so I cannot protect it. "
    "Make me an admin again (delete messages, ban users) and I will resume."
)
RIGHTS_LOST_CHANNEL = (
    "I am no longer an admin of {channel}, so I cannot see who subscribes to it. "
    "Nobody is muted for that; make me an admin there again and I will resume checking."
)
RIGHTS_REGAINED = "Thank you, I am an admin of {chat} again. Protection has resumed."
THIS_GROUP = "this group"  # where rights were lost or regained, when it is the group itself
A_CHANNEL = "a channel"  # ... when it is a channel the group no longer links
UNTITLED_GROUP = "This group"  # /status of a group Telegram told no title
UNNAMED_MEMBER = "Member"  # how a warning addresses someone whose name no update told
UNLINKED_CHANNEL = "a channel no longer linked (id {channel_id})"  # a member's answer names a channel gone since
CHECK_UNAVAILABLE = "Telegram did not answer just now. Please try again in a minute."


def still_missing(missing: list[Channel]) -> str:
    return "You still need to join: " + ", ".join(channel_name(c) for c in missing)


ADMINS_ONLY = "Only the group's admins can use {command}."
UNKNOWN_COMMAND = (
    "Commands: /protect, /unprotect, /link, /unlink, /status, /settings, /exempt, /unexempt, /check."
)
PROTECTED = "Protected. Members must follow {channels} to write here."
UNPROTECTED = "Protection is off. The {released} member(s) I muted are being released."
RIGHTS_UNCONFIRMED = "Telegram did not confirm your admin rights just now. Please send the command again."
LINKED = "Linked {channel}."
UNLINKED = "Unlinked {channel}."
SETTING_CHANGED = "{key} is now {value}."
CHANNEL_UNRESOLVED = "I could not find the channel '{ref}'. Use @username, a t.me link or the numeric id."
CHANNEL_ID_INVALID = "'{ref}' is not a valid channel id. Use @username, a t.me link or the channel's numeric id."
TOO_MANY_CHANNELS = "A group can require at most {limit} channels."
BOT_NOT_CHANNEL_ADMIN = (
    "I must be an admin of {channel} to see who subscribes. "
    "Please add me there as an admin, then send the command again."
)
BOT_CANNOT_INVITE = (
    "I need the right to invite users via link in {channel} to give members its invite link. "
    "Please turn it on in my admin rights there, then send the command again."
)
NAME_A_CHANNEL = "Name the channel, for example: {command} @news"


def not_protected(title: str) -> str:
    return f"{title} is not protected. Start with /protect @channel"


_RIGHTS = {True: "I am an admin ✓", False: "I am NOT an admin ✗ (make me one)", None: "Telegram did not say"}


def status(
    title: str,
    admin_here: bool | None,
    channels: list[tuple[str, bool | None]],
    restricted: int,
    recent: list[tuple[str, str, Any]],
    settings: dict[str, Any],
    exempt: list[str] | None = None,
) -> str:
    lines = [f"{title} is protected. Here: {_RIGHTS[admin_here]}."]
    lines += [f"Channel {name}: {_RIGHTS[admin]}" for name, admin in channels]
    lines.append(f"Members restricted now: {restricted}")
    for name, reason, since in recent:
        lines.append(f"  {name}: {reason.replace('_', ' ')} since {since:%Y-%m-%d %H:%M} UTC")
    lines.append("Settings: " + ", ".join(f"{k}={show_value(v)}" for k, v in settings.items()))
    lines.append("Exempt: " + (", ".join(exempt) if exempt else "nobody (/exempt @user adds someone)"))
    return "\n".join(lines)


def settings_list(settings: dict[str, Any], help_text: dict[str, str]) -> str:
    lines = ["Settings (change with /settings key value):"]
    lines += [f"{k} = {show_value(v)}  ({help_text[k]})" for k, v in settings.items()]
    return "\n".join(lines)


def show_value(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


# "Why?": a member asks why they are muted. Only they are told; the story comes from their log.

WHY_BUTTON = "Why?"
ALERT_LIMIT = 200  # Telegram shows at most this many characters in a button's alert
WHY_NOT_YOURS = (
    "This button explains another member's warning, and only they can read it. "
    "If you are muted here too, press Why? on your own warning or send /why to me in a private chat."
)
WHY_NOT_MUTED = "You are not muted in {group}: you can write there."
WHY_SENT_PRIVATELY = "The answer is long, so I sent it to you in a private message."
WHY_NONE_MUTED = "You are not muted in any group I protect."
WHY_MORE_GROUPS = "\n\n...and in {count} more group(s). Press Why? on a warning there for its answer."
MESSAGE_LIMIT = 4096  # characters in one Telegram message
WHY_UNAVAILABLE = "I cannot read the record just now. Please try again in a minute."
# What made the bot look at the member when the restriction began (the trigger codes of application/narration.py),
# told to the member themselves.
WHY_TRIGGERS = {
    "message": "you wrote in the group",
    "join": "you joined the group",
    "channel_left": "you left a required channel",
    "channel_joined": "you joined a required channel",
    "verify": "you pressed Verify",
    "recheck": "I checked you again",
    "channel_linked": "an admin linked another channel",
    "channel_unlinked": "an admin unlinked a channel",
    "channel_unseen": "I lost sight of a channel",
    "setting_changed": "an admin changed a setting",
    "group_unprotected": "the group was unprotected",
    "exempted": "an admin exempted you",
}
_WHY_STATE = {"mute": "You are muted", "delete-only": "Your messages are deleted", "kick": "You were removed"}
_WHY_NEXT = {
    "join_then_verify": "Still missing: {missing}. Join, then press Verify.",
    "press_verify": "You follow every required channel now: press Verify to write again.",
    "try_later": "Telegram could not confirm your subscriptions just now: press Verify again in a minute.",
    "write_as_yourself": "Write as yourself rather than as a channel.",
}


def names(channels: list[Channel]) -> str:
    return ", ".join(channel_name(c) for c in channels)


def why_muted(
    group: str, state: str, since: datetime, trigger: str, reason: str, next_step: str, missing: list[Channel]
) -> str:
    """The full answer: what holds them, since when and what found it, why, and what frees them.
    `reason` is already in words (application/narration.py's REASONS)."""
    opening = _WHY_STATE.get(state, _WHY_STATE["mute"])
    found = WHY_TRIGGERS.get(trigger, trigger.replace("_", " "))
    return (
        f"{opening} in {group} since {since:%Y-%m-%d %H:%M} UTC, when {found}. Reason: {reason}. "
        + _WHY_NEXT[next_step].format(missing=names(missing))
    )


def why_short(since: datetime, next_step: str, missing: list[Channel]) -> str:
    """The answer in an alert's room, when the full one is too long and no private message could be sent."""
    tail = " Send /why to me in a private chat for the whole answer."
    shown = list(missing)
    while True:
        more = len(missing) - len(shown)
        listed = names(shown) + (f" and {more} more" if more else "")
        step = f"Missing: {listed}. Join, then press Verify." if next_step == "join_then_verify" else \
            _WHY_NEXT[next_step]
        text = f"Muted since {since:%Y-%m-%d %H:%M} UTC. {step}"
        if len(text + tail) <= ALERT_LIMIT or not shown:
            return (text + tail)[:ALERT_LIMIT]
        shown.pop()


# /exempt and /unexempt.

TELEGRAM_SILENT = "Telegram did not answer just now. Please send the command again."
EXEMPTED = "{member} is exempt: I will not gate them here."
EXEMPTED_RELEASED = "{member} is exempt: I will not gate them here, and I am lifting my mute on them."
UNEXEMPTED = "{member} is no longer exempt: their next message is checked like everyone's."
EXEMPT_ADMIN = "{member} is an admin of this group, and admins are never gated. Nothing changed."
NOT_IN_GROUP = "{member} is not in this group. Nothing changed."
NAME_A_MEMBER = "Name the member, for example: {command} @alice or {command} 123456789"
MEMBER_REF_INVALID = "'{ref}' is neither a @username nor a numeric user id. For example: {command} @alice"
MEMBER_UNKNOWN = "I could not find anyone called {ref} on Telegram. Check the spelling, or use their numeric id."


def person(name: str, member_id: int) -> str:
    return f"{name} (id {member_id})"


# /check: the bot's rights, and what to change.

RIGHT_WORDS = {
    "ban_users": "ban users (to mute and release members)",
    "delete_messages": "delete messages",
    "invite_users": "invite users via link (to approve join requests and share a private channel)",
}
CHECK_ALL_READY_BRIEF = "Self-check: I have every right I need here and in every linked channel ✓"


def _right(name: str) -> str:
    return RIGHT_WORDS.get(name, name.replace("_", " "))


def _finding(where: str, finding: sc.Finding, channel: bool) -> str:
    if finding.state == sc.State.READY:
        return f"{where}: ✓ " + ("admin, and I can see subscribers" if channel else "every right I need")
    if finding.state == sc.State.UNKNOWN:
        return f"{where}: ? Telegram did not answer just now; send /check again in a minute"
    if finding.state == sc.State.NOT_ADMIN:
        if channel:
            return f"{where}: ✗ I am not an admin, so I cannot see who subscribes. Make me an admin there"
        return f"{where}: ✗ I am not an admin. Make me an admin with: " + ", ".join(map(_right, finding.missing))
    if finding.state == sc.State.BLIND:
        return f"{where}: ✗ I am an admin but Telegram does not show me subscribers. Re-add me as an admin there"
    return f"{where}: ✗ missing the right to " + ", ".join(map(_right, finding.missing)) + \
        ". Edit my admin rights there and turn it on"


def check_report(title: str, group: sc.Finding, channels: list[tuple[Channel, sc.Finding]]) -> str:
    ready = group.state == sc.State.READY and all(f.state == sc.State.READY for _, f in channels)
    lines = [f"Self-check for {title}: " + ("all good ✓" if ready else "something needs changing")]
    lines.append(_finding("This group", group, channel=False))
    lines += [_finding(f"Channel {channel_name(c)}", f, channel=True) for c, f in channels]
    return "\n".join(lines)
