"""The admins' own warning (/settings warning_text) and the group's language (/settings language), as the
domain validates them."""

import pytest

from domain.settings import (
    LONGEST_CHANNELS,
    LONGEST_GROUP,
    LONGEST_NAME,
    MESSAGE_LIMIT,
    GroupSettings,
    SettingProblem,
    parse_language,
    parse_setting,
    parse_warning_text,
)


def test_known_placeholders_are_kept_as_written() -> None:
    text = "Hi {name}!\nJoin {channels} to write in {group}."
    assert parse_warning_text("  " + text + "  ") == text


@pytest.mark.parametrize("raw", ["default", "DEFAULT", "", "   "])
def test_default_restores_the_catalog_text(raw: str) -> None:
    assert parse_warning_text(raw) == ""


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("Hi {nick}", "warning_text_placeholder"),
        ("Hi {}", "warning_text_placeholder"),  # positional: nothing to fill it with
        ("Hi {0}", "warning_text_placeholder"),
        ("Hi {name.__class__}", "warning_text_placeholder"),  # no attribute lookups on what we fill in
        ("Hi {name", "warning_text_braces"),
        ("Hi name}", "warning_text_braces"),
        ("<b>{name}</b>", "warning_text_markup"),
        ('<a href="https://t.me/x">x</a> {name}', "warning_text_markup"),
        ("{name:>5000}", "warning_text_too_long"),  # a format spec that pads past Telegram's limit
    ],
)
def test_a_bad_text_is_refused_with_its_reason(raw: str, code: str) -> None:
    with pytest.raises(SettingProblem) as refused:
        parse_warning_text(raw)
    assert refused.value.code == code


def test_the_limit_is_checked_with_the_longest_names_telegram_allows() -> None:
    filled = LONGEST_NAME + LONGEST_CHANNELS + LONGEST_GROUP
    room = MESSAGE_LIMIT - filled
    fits = "{name}{channels}{group}" + "x" * room
    assert parse_warning_text(fits) == fits
    with pytest.raises(SettingProblem) as refused:
        parse_warning_text(fits + "x")
    assert refused.value.values == {"length": MESSAGE_LIMIT + 1, "limit": MESSAGE_LIMIT}


def test_plain_angle_brackets_are_not_markup() -> None:
    assert parse_warning_text("{name}: 1 < 2 > 0") == "{name}: 1 < 2 > 0"


@pytest.mark.parametrize(("raw", "code"), [("ru", "ru"), ("ES", "es"), ("pt-br", "pt_BR"), ("zh_tw", "zh_TW")])
def test_language_codes_are_normalised(raw: str, code: str) -> None:
    assert parse_language(raw) == code


@pytest.mark.parametrize("raw", ["russian", "r", "12", "en-", "e n"])
def test_a_malformed_language_code_is_refused(raw: str) -> None:
    with pytest.raises(SettingProblem):
        parse_language(raw)


def test_both_are_settings_with_defaults() -> None:
    settings = GroupSettings()
    assert settings.language == "en" and settings.warning_text == ""
    assert parse_setting("warning_text", "Hi {name}") == "Hi {name}"
    assert GroupSettings.from_dict({"language": "ru"}).with_value("language", "es").language == "es"
