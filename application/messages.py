"""Every text the bot shows people, in one place so it can be translated."""

from typing import Any

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
CHECK_UNAVAILABLE = "Telegram did not answer just now. Please try again in a minute."


def still_missing(missing: list[Channel]) -> str:
    return "You still need to join: " + ", ".join(channel_name(c) for c in missing)


ADMINS_ONLY = "Only the group's admins can use {command}."
UNKNOWN_COMMAND = "Commands: /protect, /unprotect, /link, /unlink, /status, /settings."
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
) -> str:
    lines = [f"{title} is protected. Here: {_RIGHTS[admin_here]}."]
    lines += [f"Channel {name}: {_RIGHTS[admin]}" for name, admin in channels]
    lines.append(f"Members restricted now: {restricted}")
    for name, reason, since in recent:
        lines.append(f"  {name}: {reason.replace('_', ' ')} since {since:%Y-%m-%d %H:%M} UTC")
    lines.append("Settings: " + ", ".join(f"{k}={show_value(v)}" for k, v in settings.items()))
    return "\n".join(lines)


def settings_list(settings: dict[str, Any], help_text: dict[str, str]) -> str:
    lines = ["Settings (change with /settings key value):"]
    lines += [f"{k} = {show_value(v)}  ({help_text[k]})" for k, v in settings.items()]
    return "\n".join(lines)


def show_value(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)
