"""A protected group's settings: typed, validated, and explained to admins when wrong."""

from dataclasses import asdict, dataclass, replace
from typing import Any

from domain.errors import GateRuleError

ACTIONS = ("mute", "delete-only", "kick")
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "GroupSettings":
        known = {k: v for k, v in data.items() if k in SETTING_HELP}
        return cls(**known)

    def with_value(self, key: str, raw: str) -> "GroupSettings":
        return replace(self, **{key: parse_setting(key, raw)})


SETTING_HELP: dict[str, str] = {
    "action": "mute | delete-only | kick",
    "strict": "on | off (when Telegram cannot answer a check: on restricts, off lets the member write)",
    "warning_ttl": f"seconds from 0 to {MAX_WARNING_TTL} (0 keeps warnings until the member is released)",
    "quiet": "on | off (on posts no warnings)",
    "verify_on_join": "on | off",
    "join_requests": "off | approve | approve-or-decline",
    "gate_bots": "on | off (on gates other bots like people; they cannot join channels, so off by default)",
}


def _shown(raw: str) -> str:
    """What the admin typed, shortened: echoed whole, a huge value would make the reply longer than the
    4096 characters Telegram accepts, and the admin would get no answer at all."""
    return raw if len(raw) <= 64 else raw[:64] + "…"


def _choices(key: str) -> str:
    return f"Valid values for {key}: {SETTING_HELP[key]}."


def _parse_bool(key: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    raise GateRuleError(f"'{_shown(raw)}' is not a valid value for {key}. {_choices(key)}")


def _parse_choice(key: str, raw: str, choices: tuple[str, ...]) -> str:
    value = raw.strip().lower()
    if value not in choices:
        raise GateRuleError(f"'{_shown(raw)}' is not a valid value for {key}. {_choices(key)}")
    return value


def _parse_ttl(key: str, raw: str) -> int:
    text = raw.strip().lower().removesuffix("s")
    # isdecimal, not isdigit: isdigit also accepts "²", which int() refuses; and the length bounded (leading
    # zeros aside), since int() refuses more than 4300 digits. Either crashed the command unanswered.
    number = text.lstrip("0") or "0"
    if not text.isdecimal() or len(number) > len(str(MAX_WARNING_TTL)):
        raise GateRuleError(f"'{_shown(raw)}' is not a valid value for {key}. {_choices(key)}")
    if int(number) > MAX_WARNING_TTL:
        raise GateRuleError(f"'{_shown(raw)}' is not a valid value for {key}. {_choices(key)}")
    return int(number)


def parse_setting(key: str, raw: str) -> Any:
    if key not in SETTING_HELP:
        keys = ", ".join(SETTING_HELP)
        raise GateRuleError(f"There is no setting called '{_shown(key)}'. Settings: {keys}.")
    if key == "action":
        return _parse_choice(key, raw, ACTIONS)
    if key == "join_requests":
        return _parse_choice(key, raw, JOIN_REQUEST_POLICIES)
    if key == "warning_ttl":
        return _parse_ttl(key, raw)
    return _parse_bool(key, raw)
