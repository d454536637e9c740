"""/settings: shows the group's settings, or changes one (recorded in the group's log like every setting).

Two settings are the admins' own words: `language` (the group's default, one of the shipped catalogs) and
`warning_text` (their warning, with {name}, {channels}, {group}; shown back as a preview with example
values; `default` restores the catalog's). A refused value gets a clear answer and changes nothing.
"""

import re
from collections.abc import Awaitable, Callable

from babel import Locale

from application import messages
from application.i18n import languages, supported
from application.ports.read_models import GroupView
from domain.channel import Channel
from domain.errors import GateRuleError
from domain.settings import SETTING_HELP, SettingProblem, help_for, parse_setting

# The whole text after the key, spaces and line breaks as the admin typed them (the warning is one).
_REST = re.compile(r"^\s*\S+\s+\S+\s?(?P<rest>.*)$", re.DOTALL)
EXAMPLE_NAME = "Alice"
EXAMPLE_CHANNELS = [Channel(id=1, title="News", username="news")]

_PROBLEMS = {
    "unknown_setting": lambda v: messages.UNKNOWN_SETTING.format(**v),
    "invalid_value": lambda v: messages.INVALID_SETTING_VALUE.format(
        choices=help_for(v["key"], messages.translated(SETTING_HELP[v["key"]])), **v
    ),
    "language_unknown": lambda v: messages.LANGUAGE_UNKNOWN.format(languages=", ".join(languages()), **v),
    "warning_text_braces": lambda v: messages.WARNING_TEXT_BRACES.format(**v),
    "warning_text_placeholder": lambda v: messages.WARNING_TEXT_PLACEHOLDER.format(**v),
    "warning_text_markup": lambda v: messages.WARNING_TEXT_MARKUP.format(**v),
    "warning_text_too_long": lambda v: messages.WARNING_TEXT_TOO_LONG.format(**v),
    "duration_shape": lambda v: messages.DURATION_REFUSED.format(**v),
    "duration_short": lambda v: messages.DURATION_REFUSED.format(**v),
    "duration_long": lambda v: messages.DURATION_REFUSED.format(**v),
    "steps_empty": lambda v: messages.STEPS_REFUSED.format(value="", **v),
    "steps_many": lambda v: messages.STEPS_REFUSED.format(value="…", key=v["key"]),
    "step_unknown": lambda v: messages.STEPS_REFUSED.format(**v),
}

Change = Callable[[str, str], Awaitable[None]]


def value_of(text: str, key: str, args: list[str]) -> str:
    """The value as typed: the warning text whole (from the command's text), any other value one word."""
    if key != "warning_text":
        return args[1]
    match = _REST.match(text)
    return match["rest"] if match else args[1]


async def settings_command(group: GroupView | None, text: str, args: list[str], change: Change) -> str:
    """The answer to /settings [key value]; `change(key, value)` records the change in the group's log."""
    if not args:
        if group is None or not group.protected:
            raise GateRuleError(messages.not_protected(group.title if group and group.title else messages.THIS_GROUP))
        return messages.settings_list(group.settings, SETTING_HELP)
    key = args[0].lower()
    if len(args) < 2 or (len(args) > 2 and key != "warning_text"):
        raise GateRuleError(messages.SETTINGS_USAGE.format())
    raw = value_of(text, key, args)
    try:
        value = parse_setting(key, raw)
        if key == "language" and supported(value) is None:
            raise SettingProblem("language_unknown", f"No catalog for '{value}'.", value=value)
        if key == "language":
            value = raw = supported(value)
    except SettingProblem as problem:
        raise GateRuleError(_PROBLEMS[problem.code](problem.values)) from None
    await change(key, raw)
    if key == "language":
        with messages.speaking(value):  # told in the language just chosen, named in it by Babel's locale data
            return messages.LANGUAGE_CHANGED.format(language=Locale.parse(value).get_display_name(value))
    if key == "warning_text":
        return _preview(group, value)
    return messages.SETTING_CHANGED.format(key=key, value=messages.show_value(value))


def _preview(group: GroupView | None, template: str) -> str:
    """The warning as a member would read it, filled with example values."""
    channels = list(group.channels) if group is not None and group.channels else EXAMPLE_CHANNELS
    title = group.title if group is not None and group.title else messages.THIS_GROUP
    head = messages.WARNING_TEXT_PREVIEW if template else messages.WARNING_TEXT_DEFAULT
    # Within one message: the text fits on its own (domain/settings.py made sure), the heading may not.
    return (head + "\n\n" + messages.warning(EXAMPLE_NAME, channels, title, template or None))[:messages.MESSAGE_LIMIT]
