"""A protected group's settings: typed, validated, and explained to admins when wrong."""

import re
import string
from dataclasses import asdict, dataclass, replace
from typing import Any

from domain.errors import GateRuleError
from domain.escalation import DEFAULT_STEPS, EscalationProblem, format_steps, parse_duration, parse_steps

MAX_CHANNELS = 10  # channels one group can require (domain/protected_group.py checks it)

ACTIONS = ("mute", "delete-only", "kick", "escalate")
JOIN_REQUEST_POLICIES = ("off", "approve", "approve-or-decline")
MAX_WARNING_TTL = 7 * 24 * 3600

_ON = ("on", "true", "yes", "1")
_OFF = ("off", "false", "no", "0")


@dataclass(frozen=True)
class GroupSettings:
    action: str = "mute"  # what happens to a non-subscriber
    strict: bool = True  # when a check fails for a transient reason: restrict (True) or let write (False)
    warning_ttl: int = 300  # seconds before a warning deletes itself; 0 keeps it until release
    quiet: bool = False  # post no warnings at all, rely on the mute alone
    verify_on_join: bool = True
    join_requests: str = "approve"  # off | approve subscribed requesters | also decline the others
    gate_bots: bool = False  # other bots cannot join channels, so by default they are not gated
    language: str = "en"  # for group-wide texts, and for members whose language Telegram does not tell
    warning_text: str = ""  # the admins' own warning, with placeholders; empty: the catalog's text
    escalate: str = DEFAULT_STEPS  # the steps of the `escalate` action, one per offence (domain/escalation.py)
    grace: int = 0  # seconds after /protect during which members from before it are only warned; 0: none

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "GroupSettings":
        known = {k: v for k, v in data.items() if k in SETTING_HELP}
        return cls(**known)

    def with_value(self, key: str, raw: str) -> "GroupSettings":
        return replace(self, **{key: parse_setting(key, raw)})


def N_(text: str) -> str:
    """Marks an explanation for the application's message catalogs (application/i18n), which translate it
    when it is shown; the domain itself keeps the English."""
    return text


# What each setting takes, told to admins; {max} is MAX_WARNING_TTL (see help_for).
SETTING_HELP: dict[str, str] = {
    # (escalate is told by its own setting's help: this text is matched whole by existing scenarios)
    "action": N_("mute | delete-only | kick"),
    "strict": N_("on | off (when Telegram cannot answer a check: on restricts, off lets the member write)"),
    "warning_ttl": N_("seconds from 0 to {max} (0 keeps warnings until the member is released)"),
    "quiet": N_("on | off (on posts no warnings)"),
    "verify_on_join": N_("on | off"),
    "join_requests": N_("off | approve | approve-or-decline"),
    "gate_bots": N_("on | off (on gates other bots like people; they cannot join channels, so off by default)"),
    "language": N_(
        "a language code such as en, ru, es, id (members whose language Telegram tells read their own)"
    ),
    "warning_text": N_(
        "your own warning with {{name}}, {{channels}}, {{group}}; 'default' restores the standard text"
    ),
    "escalate": N_(
        "steps for the escalate action, one per message written while a channel is missing, such as "
        "warn,mute:1h,kick (mute lengths from 30s to 366d; the last step repeats)"
    ),
    "grace": N_(
        "a duration such as 2d, from 30s to 366d, or 0 for none: members who were in the group before /protect "
        "are only warned until it ends"
    ),
}


def help_for(key: str, text: str | None = None) -> str:
    """A setting's explanation filled in: `text` is SETTING_HELP's, or a translation of it."""
    return (text if text is not None else SETTING_HELP[key]).format(max=MAX_WARNING_TTL)


def _shown(raw: str) -> str:
    """What the admin typed, shortened: echoed whole, a huge value would make the reply longer than the
    4096 characters Telegram accepts, and the admin would get no answer at all."""
    return raw if len(raw) <= 64 else raw[:64] + "…"


def _choices(key: str) -> str:
    return f"Valid values for {key}: {help_for(key)}."


def _invalid(key: str, raw: str) -> "SettingProblem":
    return SettingProblem("invalid_value", f"'{_shown(raw)}' is not a valid value for {key}. {_choices(key)}",
                          value=_shown(raw), key=key)


def _parse_bool(key: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    raise _invalid(key, raw)


def _parse_choice(key: str, raw: str, choices: tuple[str, ...]) -> str:
    value = raw.strip().lower()
    if value not in choices:
        raise _invalid(key, raw)
    return value


def _parse_ttl(key: str, raw: str) -> int:
    text = raw.strip().lower().removesuffix("s")
    # isdecimal, not isdigit: isdigit also accepts "²", which int() refuses; and the length bounded (leading
    # zeros aside), since int() refuses more than 4300 digits. Either crashed the command unanswered.
    number = text.lstrip("0") or "0"
    if not text.isdecimal() or len(number) > len(str(MAX_WARNING_TTL)):
        raise _invalid(key, raw)
    if int(number) > MAX_WARNING_TTL:
        raise _invalid(key, raw)
    return int(number)


def parse_setting(key: str, raw: str) -> Any:
    if key not in SETTING_HELP:
        keys = ", ".join(SETTING_HELP)
        raise SettingProblem("unknown_setting", f"There is no setting called '{_shown(key)}'. Settings: {keys}.",
                             key=_shown(key), keys=keys)
    if key == "action":
        return _parse_choice(key, raw, ACTIONS)
    if key == "join_requests":
        return _parse_choice(key, raw, JOIN_REQUEST_POLICIES)
    if key == "warning_ttl":
        return _parse_ttl(key, raw)
    if key == "language":
        return parse_language(raw)
    if key == "warning_text":
        return parse_warning_text(raw)
    if key in ("escalate", "grace"):
        try:
            return format_steps(parse_steps(raw)) if key == "escalate" else parse_duration(raw, allow_zero=True)
        except EscalationProblem as problem:
            raise SettingProblem(problem.code, str(problem), key=key, **problem.values) from None
    return _parse_bool(key, raw)


# The admins' own words: /settings language xx and /settings warning_text ...

_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
WARNING_PLACEHOLDERS = ("name", "channels", "group")
WARNING_DEFAULT = "default"
# The longest each placeholder can become: a person's first and last names (64 characters each and a space),
# a group's title (128), and every linked channel by its title (128 each), commas between.
LONGEST_NAME = 129
LONGEST_GROUP = 128
LONGEST_CHANNELS = MAX_CHANNELS * 128 + (MAX_CHANNELS - 1) * 2
MESSAGE_LIMIT = 4096  # characters in one Telegram message
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?>")


class SettingProblem(GateRuleError):
    """A value refused for a reason the application tells in the group's language: `code` names the reason,
    `values` fill its text; the English below is for logs and callers that translate nothing."""

    def __init__(self, code: str, english: str, **values: Any) -> None:
        super().__init__(english)
        self.code = code
        self.values = values


def parse_language(raw: str) -> str:
    """A language code's shape (en, pt_BR, pt-br); whether the bot speaks it is the application's to say,
    since only it knows the shipped catalogs."""
    text = raw.strip().replace("-", "_")
    head, sep, region = text.partition("_")
    code = head.lower() + (sep + region.upper() if sep else "")
    if not _LANGUAGE.match(code):
        raise SettingProblem("language_unknown", f"'{_shown(raw)}' is not a language code.", value=_shown(raw))
    return code


def parse_warning_text(raw: str) -> str:
    """The admins' warning: only known placeholders, whole braces, no markup tags (the bot sends plain text,
    where a tag would show as typed), and within one Telegram message however long the names it is filled
    with. "default" (or nothing) is the catalog's text again, stored as empty."""
    text = raw.strip()
    if text.lower() in ("", WARNING_DEFAULT):
        return ""
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(text) if field is not None]
    except ValueError:
        raise SettingProblem("warning_text_braces", "The warning text has a stray { or }.") from None
    for field in fields:
        if field not in WARNING_PLACEHOLDERS:
            raise SettingProblem(
                "warning_text_placeholder", f"Unknown placeholder {{{_shown(field)}}}.", placeholder=_shown(field)
            )
    tag = _TAG.search(text)
    if tag:
        raise SettingProblem("warning_text_markup", f"Markup {tag[0]} would show as typed.", tag=_shown(tag[0]))
    longest = len(text.format(name="x" * LONGEST_NAME, channels="x" * LONGEST_CHANNELS, group="x" * LONGEST_GROUP))
    if longest > MESSAGE_LIMIT:
        raise SettingProblem(
            "warning_text_too_long", f"The warning could reach {longest} characters.", length=longest,
            limit=MESSAGE_LIMIT,
        )
    return text
