"""Every text the bot shows people, in one place, written in English and translated through the catalogs of
application/i18n (gettext, compiled by Babel).

Texts are spoken in the language of the moment: `with speaking(language):` around the code that answers
someone (their own language for texts to one member, the group's for texts to the whole group). A constant
below (RELEASED, BUTTON_INVALID, ...) is looked up in that language each time it is read, so callers use
`messages.RELEASED` as before; the English source of each is in _TEXTS, marked with N_ for extraction.
"""

import string
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from application.i18n import N_, SOURCE_LANGUAGE, supported, translations
from application.ports.telegram import MENU_GROUP_ADMINS, MENU_PRIVATE
from domain.channel import Channel
from domain.settings import help_for

# Per asyncio task, so two members answered at once each keep their own language.
_language: ContextVar[str] = ContextVar("language", default=SOURCE_LANGUAGE)


@contextmanager
def speaking(language: str | None) -> Iterator[None]:
    token = _language.set(language or SOURCE_LANGUAGE)
    try:
        yield
    finally:
        _language.reset(token)


def language() -> str:
    return _language.get()


def choose(member_language: str | None, group_language: str | None) -> str:
    """The member's language when Telegram told it and the bot speaks it, else the group's default."""
    return supported(member_language) or supported(group_language) or SOURCE_LANGUAGE


def group_language(settings: dict[str, Any] | None) -> str:
    return supported((settings or {}).get("language")) or SOURCE_LANGUAGE


def _(text: str) -> str:
    return translations(_language.get()).gettext(text)


def translated(text: str) -> str:
    """A text marked with N_ elsewhere, in the language of the moment."""
    return _(text)


_TEXTS = {
    "JOIN_BUTTON": N_("Join {title}"),
    "VERIFY_BUTTON": N_("Verify ✅"),
    "BUTTON_INVALID": N_("This button is no longer valid."),
    "BUTTON_NOT_YOURS": N_("This button is for another member. Only they can press it."),
    "ALREADY_FREE": N_("You can already write here."),
    "RELEASED": N_("Thank you! You can write in the group now."),
    "BOT_CANNOT_ACT": N_(
        "I am not an admin of this group right now, so I cannot release you yet. Please ask an admin."
    ),
    "RIGHTS_LOST_GROUP": N_(
        "I am no longer an admin of this group, so I cannot protect it. "
        "Make me an admin again (delete messages, ban users) and I will resume."
    ),
    "RIGHTS_LOST_CHANNEL": N_(
        "I am no longer an admin of {channel}, so I cannot see who subscribes to it. "
        "Nobody is muted for that; make me an admin there again and I will resume checking."
    ),
    "RIGHTS_REGAINED": N_("Thank you, I am an admin of {chat} again. Protection has resumed."),
    "CHECK_UNAVAILABLE": N_("Telegram did not answer just now. Please try again in a minute."),
    "ADMINS_ONLY": N_("Only the group's admins can use {command}."),
    "UNKNOWN_COMMAND": N_(
        "Commands: /protect, /unprotect, /link, /unlink, /status, /settings, /exempt, /unexempt, /check."
    ),
    "PROTECTED": N_("Protected. Members must follow {channels} to write here."),
    "UNPROTECTED": N_("Protection is off. The {released} member(s) I muted are being released."),
    "RIGHTS_UNCONFIRMED": N_("Telegram did not confirm your admin rights just now. Please send the command again."),
    "LINKED": N_("Linked {channel}."),
    "UNLINKED": N_("Unlinked {channel}."),
    "SETTING_CHANGED": N_("{key} is now {value}."),
    "CHANNEL_UNRESOLVED": N_("I could not find the channel '{ref}'. Use @username, a t.me link or the numeric id."),
    "CHANNEL_ID_INVALID": N_(
        "'{ref}' is not a valid channel id. Use @username, a t.me link or the channel's numeric id."
    ),
    "TOO_MANY_CHANNELS": N_("A group can require at most {limit} channels."),
    "BOT_NOT_CHANNEL_ADMIN": N_(
        "I must be an admin of {channel} to see who subscribes. "
        "Please add me there as an admin, then send the command again."
    ),
    "BOT_CANNOT_INVITE": N_(
        "I need the right to invite users via link in {channel} to give members its invite link. "
        "Please turn it on in my admin rights there, then send the command again."
    ),
    "NAME_A_CHANNEL": N_("Name the channel, for example: {command} @news"),
    "GROUP_HELP": N_(
        "Members write here once they follow every channel linked to this group; I mute the others and show "
        "them a Join button for each channel they miss, then Verify.\n"
        "Commands for admins:\n"
        "/fsub @channel [@more] - protect the group with these channels, or add them\n"
        "/fsub off - stop protecting, releasing everyone I muted\n"
        "/link @channel, /unlink @channel - add or remove a channel\n"
        "/status - what is required and who is muted\n"
        "/settings - show settings; for example /settings language es\n"
        "/exempt @user, /unexempt @user - leave someone out of the check\n"
        "/release @user - lift my mute on someone now; their next message is checked again\n"
        "/check - my rights here and in each channel"
    ),
    "PRIVATE_WELCOME": N_(
        "Hello! I let members write in a group only while they follow its channels: others are muted until "
        "they join and press Verify.\n"
        "Muted somewhere? Send /why and I will tell you why and what frees you.\n"
        "To protect your own group, add me there as an admin (delete messages, ban users, invite users via "
        "link), also in each channel, then send /fsub @yourchannel in the group."
    ),
    "CHANNEL_NOT_LINKED": N_("That channel is not linked to this group."),
    "SETTINGS_USAGE": N_("Use /settings key value, for example: /settings quiet on"),
    "UNKNOWN_SETTING": N_("There is no setting called '{key}'. Settings: {keys}."),
    "INVALID_SETTING_VALUE": N_("'{value}' is not a valid value for {key}. Valid values for {key}: {choices}."),
    # /settings escalate and /settings grace
    "DURATION_REFUSED": N_(
        "'{value}' is not a length {key} can take: write one from 30s to 366d, such as 30s, 10m, 1h or 2d "
        "(Telegram makes a shorter restriction permanent). Nothing changed."
    ),
    "STEPS_REFUSED": N_(
        "'{value}' is not a step. Write up to 10 steps from warn, mute, mute:1h and kick, separated by "
        "commas, such as warn,mute:1h,kick. Nothing changed."
    ),
    # "Why?"
    "WHY_BUTTON": N_("Why?"),
    "WHY_NOT_YOURS": N_(
        "This button explains another member's warning, and only they can read it. "
        "If you are muted here too, press Why? on your own warning or send /why to me in a private chat."
    ),
    "WHY_NOT_MUTED": N_("You are not muted in {group}: you can write there."),
    "WHY_SENT_PRIVATELY": N_("The answer is long, so I sent it to you in a private message."),
    "WHY_NONE_MUTED": N_("You are not muted in any group I protect."),
    "WHY_MORE_GROUPS": N_("\n\n...and in {count} more group(s). Press Why? on a warning there for its answer."),
    "WHY_UNAVAILABLE": N_("I cannot read the record just now. Please try again in a minute."),
    "THIS_GROUP": N_("this group"),  # where rights were lost or regained, when it is the group itself
    "A_CHANNEL": N_("a channel"),  # ... when it is a channel the group no longer links
    "UNTITLED_GROUP": N_("This group"),  # /status of a group Telegram told no title
    "UNNAMED_MEMBER": N_("Member"),  # how a warning addresses someone whose name no update told
    # A member's answer names a channel gone since.
    "UNLINKED_CHANNEL": N_("a channel no longer linked (id {channel_id})"),
    # /exempt and /unexempt
    "TELEGRAM_SILENT": N_("Telegram did not answer just now. Please send the command again."),
    "EXEMPTED": N_("{member} is exempt: I will not gate them here."),
    "EXEMPTED_RELEASED": N_("{member} is exempt: I will not gate them here, and I am lifting my mute on them."),
    "UNEXEMPTED": N_("{member} is no longer exempt: their next message is checked like everyone's."),
    "EXEMPT_ADMIN": N_("{member} is an admin of this group, and admins are never gated. Nothing changed."),
    "NOT_IN_GROUP": N_("{member} is not in this group. Nothing changed."),
    # /release
    "RELEASE_DONE": N_("Released {member}. Their next message is checked with Telegram again; /exempt lets them write "
                       "regardless."),
    "RELEASE_NOT_MUTED": N_("{member} is not muted by the bot."),
    "NAME_A_MEMBER": N_("Name the member, for example: {command} @alice or {command} 123456789"),
    "MEMBER_REF_INVALID": N_("'{ref}' is neither a @username nor a numeric user id. For example: {command} @alice"),
    "MEMBER_UNKNOWN": N_(
        "I could not find anyone called {ref} on Telegram. Check the spelling, or use their numeric id."
    ),
    # /check
    "CHECK_ALL_READY_BRIEF": N_("Self-check: I have every right I need here and in every linked channel ✓"),
    # /settings language and warning_text
    "LANGUAGE_UNKNOWN": N_("I do not speak '{value}'. Languages: {languages}. Nothing changed."),
    "WARNING_TEXT_DEFAULT": N_("The warning is the standard text again:"),
    "LANGUAGE_CHANGED": N_(
        "From now on I write here in {language}. Members whose Telegram is set to a language I speak read "
        "their own warnings and answers in it."
    ),
    "WARNING_TEXT_BRACES": N_(
        "The warning text has a lone {{ or }}. Write placeholders whole, like {{name}}. Nothing changed."
    ),
    "WARNING_TEXT_PLACEHOLDER": N_(
        "I do not know the placeholder {{{placeholder}}}. Use {{name}}, {{channels}} and {{group}}. Nothing changed."
    ),
    "WARNING_TEXT_MARKUP": N_(
        "I send warnings as plain text, so {tag} would show as typed. Please remove it. Nothing changed."
    ),
    "WARNING_TEXT_TOO_LONG": N_(
        "With the longest names Telegram allows, this warning could reach {length} characters, more than the "
        "{limit} of one message. Please shorten it. Nothing changed."
    ),
    "WARNING_TEXT_PREVIEW": N_("The warning now reads, for example:"),
}

ALERT_LIMIT = 200  # Telegram shows at most this many characters in a button's alert
MESSAGE_LIMIT = 4096  # characters in one Telegram message


def __getattr__(name: str) -> str:
    # A constant text, in the language of the moment (PEP 562: called only for names not defined above).
    if name in _TEXTS:
        return _(_TEXTS[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def channel_name(channel: Channel) -> str:
    return channel.name


def names(channels: list[Channel]) -> str:
    return ", ".join(channel_name(c) for c in channels)


# The command menu Telegram's apps show on "/" (application/command_menu.py registers it): per scope, each
# command with what it does.
COMMAND_MENUS = {
    MENU_GROUP_ADMINS: [
        ("fsub", N_("protect with channels: /fsub @channel, or /fsub off")),
        ("status", N_("what is required and who is muted")),
        ("stats", N_("figures: members checked, muted, released, Telegram calls")),
        ("settings", N_("show or change settings")),
        ("link", N_("add a required channel")),
        ("unlink", N_("remove a required channel")),
        ("exempt", N_("leave a member out of the check")),
        ("unexempt", N_("check an exempted member again")),
        ("release", N_("lift my mute on a member now")),
        ("check", N_("check my admin rights here and in each channel")),
        ("help", N_("how I work and my commands")),
    ],
    MENU_PRIVATE: [
        ("start", N_("what I do and how to protect a group")),
        ("why", N_("why I muted you, and what frees you")),
    ],
}


# The warning's own words, as admins may shape them (/settings warning_text): these are its placeholders.
WARNING_PLACEHOLDERS = ("name", "channels", "group")
WARNING_DEFAULT = N_(
    "{name}, this group is for subscribers of {channels}. Join with the button below, then press Verify to write again."
)


def warning(name: str, missing: list[Channel], group: str = "", template: str | None = None) -> str:
    """The member's warning: the admins' own text when they set one (shown as they wrote it, in every
    language), else the catalog's."""
    return warning_spans(name, missing, group, template)[0]


def warning_spans(
    name: str, missing: list[Channel], group: str = "", template: str | None = None
) -> tuple[str, list[tuple[int, int]]]:
    """The warning, and where the member's name stands in it as (offset, length) in UTF-16 code units (how
    Telegram counts a text mention's place), so the name can mention them."""
    values = {"name": name, "channels": names(missing), "group": group}
    formatter = string.Formatter()
    text, spans = "", []
    for literal, field, spec, conversion in formatter.parse(template or _(WARNING_DEFAULT)):
        text += literal
        if field is None:
            continue
        value = formatter.format_field(formatter.convert_field(values[field], conversion), spec or "")
        if field == "name" and value:
            spans.append((utf16_length(text), utf16_length(value)))
        text += value
    return text, spans


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def raid_notice(channels: list[Channel]) -> str:
    return _(
        "Welcome, newcomers! This group is for subscribers of {channels}. "
        "Join with the buttons below, then press Verify to write."
    ).format(channels=names(channels))


def join_pending(title: str, missing: list[Channel]) -> str:
    return _(
        "To join {title}, please subscribe to {channels}. Your request will then be approved automatically."
    ).format(title=title, channels=names(missing))


def join_declined(title: str, missing: list[Channel]) -> str:
    return _(
        "Your request to join {title} was declined: subscribe to {channels}, then ask to join again."
    ).format(title=title, channels=names(missing))


def still_missing(missing: list[Channel]) -> str:
    return _("You still need to join: {channels}").format(channels=names(missing))


def not_protected(title: str) -> str:
    return _("{title} is not protected. Start with /protect @channel").format(title=title)


# Why members are restricted, as /status lists them (the reason codes of application/narration.py).
STATUS_REASONS = {
    "not_subscribed": N_("not subscribed"),
    "check_failed": N_("check failed (strict mode)"),
    "send_as_channel": N_("wrote as a channel"),
}

_RIGHTS = {
    True: N_("I am an admin ✓"),
    False: N_("I am NOT an admin ✗ (make me one)"),
    None: N_("Telegram did not say"),
}


def status(
    title: str,
    admin_here: bool | None,
    channels: list[tuple[str, bool | None]],
    restricted: int,
    recent: list[tuple[str, str, Any]],
    settings: dict[str, Any],
    exempt: list[str] | None = None,
    figures: Any = None,
) -> str:
    lines = [_("{title} is protected. Here: {rights}.").format(title=title, rights=_(_RIGHTS[admin_here]))]
    lines += [_("Channel {name}: {rights}").format(name=name, rights=_(_RIGHTS[admin])) for name, admin in channels]
    lines.append(_("Members restricted now: {count}").format(count=restricted))
    for name, reason, since in recent:
        heading = _(STATUS_REASONS[reason]) if reason in STATUS_REASONS else reason.replace("_", " ")
        lines.append(
            "  " + _("{name}: {reason} since {since} UTC").format(
                name=name, reason=heading, since=f"{since:%Y-%m-%d %H:%M}"
            )
        )
    shown_settings = ", ".join(f"{k}={show_value(v)}" for k, v in settings.items())
    lines.append(_("Settings: {settings}").format(settings=shown_settings))
    shown = ", ".join(exempt) if exempt else _("nobody (/exempt @user adds someone)")
    lines.append(_("Exempt: {members}").format(members=shown))
    if figures is not None:
        lines.append(stats_line(figures))
    return "\n".join(lines)


def stats(title: str, figures: Any) -> str:
    """/stats: the group's figures (application/handlers/stats.py), one a line."""
    lines = [
        _("Figures for {title}:").format(title=title),
        _("Members checked: {count}").format(count=figures.checked),
        _("Muted now: {count}").format(count=figures.muted),
        _("Released in the last 7 days: {count}").format(count=figures.released),
    ]
    if figures.missing is None:
        lines.append(_("Most common missing channel: none (nobody is muted)"))
    else:
        lines.append(_("Most common missing channel: {channel} ({count} of the muted)").format(
            channel=figures.missing, count=figures.missing_count))
    lines.append(_("Telegram calls today (UTC) for the group and its channels: {count}").format(count=figures.calls))
    return "\n".join(lines)


def stats_line(figures: Any) -> str:
    """The same figures as one line of /status."""
    return _("Figures: {checked} checked, {muted} muted, {released} released this week, {calls} Telegram calls "
             "today (/stats)").format(checked=figures.checked, muted=figures.muted, released=figures.released,
                                      calls=figures.calls)


def settings_list(settings: dict[str, Any], help_text: dict[str, str]) -> str:
    lines = [_("Settings (change with /settings key value):")]
    lines += [f"{k} = {show_value(v)}  ({help_for(k, _(help_text[k]))})" for k, v in settings.items()]
    return "\n".join(lines)


def show_value(value: Any) -> str:
    if isinstance(value, bool):
        return _("on") if value else _("off")
    if value == "":
        return _("(default)")
    text = str(value).replace("\n", " ")
    # An admin's own warning text can be long: lists show its start on one line, the preview shows it whole.
    return text if len(text) <= 64 else text[:64] + "…"


def person(name: str, member_id: int) -> str:
    return _("{name} (id {id})").format(name=name, id=member_id)
