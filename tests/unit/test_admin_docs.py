"""docs/admins.md tells admins the truth: its defaults table matches the settings' real defaults and allowed
values, and every /command it names is one the bot handles."""

import re
from dataclasses import fields
from pathlib import Path

from application import messages
from application.handlers.admin_command import COMMANDS
from application.handlers.welcome import WELCOME_COMMANDS
from application.handlers.why import WHY_COMMAND
from application.i18n import languages
from domain.protected_group import ProtectedGroup
from domain.settings import ACTIONS, JOIN_REQUEST_POLICIES, MAX_WARNING_TTL, GroupSettings

PAGE = Path(__file__).resolve().parents[2] / "docs" / "admins.md"
_ROW = re.compile(r"^\|\s*`(?P<key>[a-z_]+)`\s*\|\s*`(?P<default>[^`]*)`\s*\|(?P<allowed>.*)\|\s*$")
_TICKED = re.compile(r"`([^`]+)`")
# A command as the page names it: "/settings", "/settings@yourbot"; not a path ("docs/admins.md") or a link.
_COMMAND = re.compile(r"(?<![\w./:-])/([a-z_]+)\b")


def _section(title: str) -> str:
    text = PAGE.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _table() -> dict[str, tuple[str, str]]:
    rows = {}
    for line in _section("Defaults").splitlines():
        found = _ROW.match(line)
        if found:
            assert found["key"] not in rows, f"{found['key']} is in the defaults table twice"
            rows[found["key"]] = (found["default"], found["allowed"])
    return rows


def _as_written(value: object) -> str:
    """A default as the page writes it (and as /settings shows it)."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if value == "":
        return "(default)"
    return str(value)


def _real_defaults() -> dict[str, str]:
    defaults = GroupSettings()
    real = {f.name: _as_written(getattr(defaults, f.name)) for f in fields(GroupSettings)}
    # The log channel is the group's, not one of its settings: none until an admin sets one.
    assert ProtectedGroup.log_channel is None
    real["log_channel"] = "off"
    return real


def test_the_defaults_table_names_every_setting_and_nothing_else() -> None:
    assert set(_table()) == set(_real_defaults())


def test_every_default_on_the_page_is_the_codes() -> None:
    table = _table()
    wrong = {key: (table[key][0], real) for key, real in _real_defaults().items() if table.get(key, (real,))[0] != real}
    assert wrong == {}, f"the page's default differs from the code's (page, code): {wrong}"


def test_the_allowed_values_on_the_page_are_the_codes() -> None:
    table = _table()
    for key, allowed in (("action", ACTIONS), ("join_requests", JOIN_REQUEST_POLICIES), ("language", languages())):
        assert set(_TICKED.findall(table[key][1])) == set(allowed), key
    assert f"from 0 to {MAX_WARNING_TTL}" in table["warning_ttl"][1]


def _handled() -> set[str]:
    private = {c.lstrip("/") for c in (*WELCOME_COMMANDS, WHY_COMMAND)}
    menus = {command for entries in messages.COMMAND_MENUS.values() for command, _text in entries}
    assert menus <= set(COMMANDS) | private  # the menu offers only what the bot answers
    return set(COMMANDS) | private


def test_every_command_on_the_page_is_one_the_bot_handles() -> None:
    named = set(_COMMAND.findall(PAGE.read_text(encoding="utf-8")))
    assert {"check", "exempt", "why", "start"} <= named  # the pattern finds them
    assert named - _handled() == set(), "the page names commands the bot does not handle"


def test_the_pattern_tells_commands_from_paths() -> None:
    text = "send /why or /settings@bot; see docs/admins.md, tests/scenarios/raid.yaml and https://t.me/news"
    assert _COMMAND.findall(text) == ["why", "settings"]
