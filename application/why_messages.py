"""The answer to a member's "Why?": what holds them, since when, what found it, why, and what frees them.

Texts in English, translated through the catalogs like every text of application/messages.py.
"""

from datetime import datetime

from application.i18n import N_
from application.messages import ALERT_LIMIT, _, names
from domain.channel import Channel

# Only the member is told; the story comes from their log.

# What made the bot look at the member when the restriction began (the trigger codes of application/narration.py),
# told to the member themselves.
WHY_TRIGGERS = {
    "message": N_("you wrote in the group"),
    "join": N_("you joined the group"),
    "channel_left": N_("you left a required channel"),
    "channel_joined": N_("you joined a required channel"),
    "verify": N_("you pressed Verify"),
    "recheck": N_("I checked you again"),
    "channel_linked": N_("an admin linked another channel"),
    "channel_unlinked": N_("an admin unlinked a channel"),
    "channel_unseen": N_("I lost sight of a channel"),
    "setting_changed": N_("an admin changed a setting"),
    "group_unprotected": N_("the group was unprotected"),
    "exempted": N_("an admin exempted you"),
}
# Why the member is held, told to them (the reason codes of application/narration.py's REASONS).
WHY_REASONS = {
    "not_subscribed": N_("not subscribed to {missing}"),
    "check_failed": N_("Telegram could not confirm {missing} and strict mode is on"),
    "send_as_channel": N_("wrote as a channel, which hides who is writing"),
}


def why_reason(code: str, missing: str) -> str:
    return _(WHY_REASONS[code]).format(missing=missing) if code in WHY_REASONS else code.replace("_", " ")


_WHY_STATE = {
    "mute": N_("You are muted in {group} since {since} UTC, when {found}."),
    "delete-only": N_("Your messages are deleted in {group} since {since} UTC, when {found}."),
    "kick": N_("You were removed from {group} since {since} UTC, when {found}."),
    "warn": N_("You were warned in {group} since {since} UTC, when {found}; your messages are deleted."),
}
_WHY_NEXT = {
    "join_then_verify": N_("Still missing: {missing}. Join, then press Verify."),
    "press_verify": N_("You follow every required channel now: press Verify to write again."),
    "try_later": N_("Telegram could not confirm your subscriptions just now: press Verify again in a minute."),
    "write_as_yourself": N_("Write as yourself rather than as a channel."),
}


def why_muted(
    group: str, state: str, since: datetime, trigger: str, reason: str, next_step: str, missing: list[Channel]
) -> str:
    """The full answer: what holds them, since when and what found it, why, and what frees them.
    `reason` is already in words (application/narration.py's REASONS)."""
    found = _(WHY_TRIGGERS[trigger]) if trigger in WHY_TRIGGERS else trigger.replace("_", " ")
    opening = _(_WHY_STATE.get(state, _WHY_STATE["mute"])).format(
        group=group, since=f"{since:%Y-%m-%d %H:%M}", found=found
    )
    return (
        opening + " " + _("Reason: {reason}.").format(reason=reason) + " "
        + _(_WHY_NEXT[next_step]).format(missing=names(missing))
    )


def why_short(since: datetime, next_step: str, missing: list[Channel]) -> str:
    """The answer in an alert's room, when the full one is too long and no private message could be sent."""
    tail = " " + _("Send /why to me in a private chat for the whole answer.")
    shown = list(missing)
    while True:
        more = len(missing) - len(shown)
        listed = names(shown) + (" " + _("and {count} more").format(count=more) if more else "")
        if next_step == "join_then_verify":
            step = _("Missing: {missing}. Join, then press Verify.").format(missing=listed)
        else:
            step = _(_WHY_NEXT[next_step])
        text = _("Muted since {since} UTC.").format(since=f"{since:%Y-%m-%d %H:%M}") + " " + step
        if len(text + tail) <= ALERT_LIMIT or not shown:
            return (text + tail)[:ALERT_LIMIT]
        shown.pop()
