"""The texts of the log channel: one line per decision, and what admins are told about the log channel.

Written in English and translated through the catalogs like application/messages.py (extracted from here by
entrypoints/catalogs.py); each line is spoken in its group's language, so a channel several groups share
reads each group's lines in that group's language.
"""

from datetime import datetime

from application.i18n import N_
from application.messages import translated as _

# What the group did to a member (MemberRestricted.action).
ACTIONS = {
    "mute": N_("muted"),
    "delete-only": N_("messages deleted"),
    "kick": N_("removed"),
    "warn": N_("warned"),
    "escalate": N_("muted (escalation)"),
}
# Why a member was released (MemberReleased.how).
RELEASES = {
    "verify_pressed": N_("subscribed, pressed Verify"),
    "channel_join_observed": N_("subscribed"),
    "admin": N_("an admin lifted the mute"),
    "group_unprotected": N_("group unprotected"),
    "channel_unlinked": N_("channel unlinked"),
    "promoted": N_("made an admin"),
    "left_group": N_("left the group"),
    "redecided": N_("nothing missing any more"),
    "exempted": N_("exempted"),
    "admin_released": N_("released by an admin with /release"),
}

RESTRICTED = N_("{time} {group}: {member} {action}, missing {channels}")
RELEASED = N_("{time} {group}: {member} released ({why})")
REFUSED = N_("{time} {group}: {command} refused to {member} (not an admin)")
RIGHTS_LOST = N_("{time} {group}: the bot lost its admin rights in {chat}")
RIGHTS_REGAINED = N_("{time} {group}: the bot is an admin of {chat} again")
EXEMPTED = N_("{time} {group}: {member} exempted by {admin}")
UNEXEMPTED = N_("{time} {group}: {member} no longer exempt ({admin})")
SETTING = N_("{time} {group}: {admin} set {key} to {value}")
LOG_CHANNEL_SET = N_("{time} {group}: {admin} set this channel as the group's log")
THIS_GROUP_CHAT = N_("the group")
SOMEONE = N_("someone")

# /settings log_channel, /status, and the group told once when the bot may not post in its log channel.
USAGE = N_("Name the log channel, for example: /settings log_channel @mylog, /settings log_channel -1001234567890 "
           "or /settings log_channel off")
NOT_ADMIN = N_("I am not an admin of {channel}. Make me an admin there with the right to post messages, then "
               "send the command again. Nothing changed.")
CANNOT_POST = N_("I am an admin of {channel} but may not post messages there. Give me the right to post messages, "
                 "then send the command again. Nothing changed.")
SET = N_("From now on I post my decisions about this group to {channel}, several to a message.")
OFF = N_("The log channel is off: I no longer post my decisions anywhere.")
STATUS = N_("Log channel: {channel}")
STATUS_OFF = N_("Log channel: none (/settings log_channel @channel sets one)")
STATUS_BLOCKED = N_("Log channel: {channel}, posting stopped: I may not post there. {batches} message(s) wait; make "
                    "me an admin there with the right to post, then send /settings log_channel {ref}")
BLOCKED_NOTICE = N_("I may not post in the log channel {channel} any more, so I have stopped posting there. Nothing "
                    "is lost: the lines wait. Make me an admin of {channel} with the right to post messages, then "
                    "send /settings log_channel {ref}")


def line(template: str, timestamp: datetime, group: str, **values: str) -> str:
    """One decision as a log line, in the language of the moment."""
    return _(template).format(time=f"{timestamp:%H:%M}", group=group, **values)


def words(table: dict[str, str], code: str) -> str:
    """A code in words; one the table does not know is shown as it is, rather than hidden."""
    return _(table[code]) if code in table else str(code).replace("_", " ")


def text(template: str, **values: object) -> str:
    return _(template).format(**values)


def reference(channel: dict) -> str:
    """How an admin names the channel in /settings log_channel: its @username, or its id when private."""
    return f"@{channel['username']}" if channel.get("username") else str(channel["id"])
