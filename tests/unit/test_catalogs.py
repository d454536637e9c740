"""The message catalogs are complete: every text the code marks is translated in every shipped language, with
exactly its placeholders, and each translation fills in without error."""

import asyncio
import copy
from io import BytesIO

import pytest
from babel.messages.pofile import read_po, write_po

from application import messages, narration, why_messages
from application.i18n import SOURCE_LANGUAGE, languages, supported, translations
from entrypoints.catalogs import TEMPLATE, extracted, load, placeholders, problems

TRANSLATED = [lang for lang in languages() if lang != SOURCE_LANGUAGE]


def test_english_and_at_least_three_more_languages_ship() -> None:
    assert languages()[0] == "en"
    assert {"ru", "es", "id"} <= set(TRANSLATED)


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalog_is_complete(language: str) -> None:
    assert problems(load(language), extracted()) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_translation_fills_in(language: str) -> None:
    for message in load(language):
        if message.id:
            values = {name: "x" for name in placeholders(message.id)}
            assert message.string.format(**values)


def test_the_template_is_up_to_date() -> None:
    # `python -m entrypoints.catalogs` writes it; a text added to messages.py without it fails here.
    with TEMPLATE.open("rb") as source:
        shipped = {m.id for m in read_po(source) if m.id}
    assert shipped == {m.id for m in extracted() if m.id}


def _doctored(language: str, change) -> list[str]:
    catalog = copy.deepcopy(load(language))
    change(catalog)
    out = BytesIO()
    write_po(out, catalog)
    out.seek(0)
    return problems(read_po(out, locale=language), extracted())


def test_a_missing_message_is_caught() -> None:
    found = _doctored("ru", lambda c: c.delete("Why?"))
    assert found == ["missing: 'Why?'"]


def test_a_lost_or_added_placeholder_is_caught() -> None:
    def lose(catalog) -> None:
        catalog["Linked {channel}."].string = "Канал подключён."
        catalog["Why?"].string = "Почему {name}?"

    found = _doctored("ru", lose)
    assert len(found) == 2 and all(f.startswith("placeholders differ") for f in found)


def test_an_untranslated_or_stale_message_is_caught() -> None:
    def stale(catalog) -> None:
        catalog["Why?"].string = ""
        catalog.add("A text the code no longer has", "Текст")

    found = _doctored("es", stale)
    assert "untranslated: 'Why?'" in found and "no longer in the code: 'A text the code no longer has'" in found


def test_member_reasons_cover_every_recorded_reason() -> None:
    assert set(why_messages.WHY_REASONS) == set(narration.REASONS)


def test_telegram_language_codes_pick_a_catalog() -> None:
    assert supported("ru") == "ru"
    assert supported("es-419") == "es"  # Latin American Spanish reads the Spanish catalog
    assert supported("ID") == "id"
    assert supported("fr") is None and supported("") is None and supported(None) is None


def test_a_member_language_wins_over_the_group_default() -> None:
    assert messages.choose("ru", "es") == "ru"
    assert messages.choose("fr", "es") == "es"  # a language the bot does not speak: the group's
    assert messages.choose(None, None) == "en"


def test_texts_follow_the_language_spoken() -> None:
    with messages.speaking("es"):
        assert messages.VERIFY_BUTTON == translations("es").gettext("Verify ✅") == "Verificar ✅"
        with messages.speaking("id"):
            assert messages.WHY_BUTTON == "Kenapa?"
        assert messages.WHY_BUTTON == "¿Por qué?"
    assert messages.WHY_BUTTON == "Why?"


async def test_members_answered_at_once_each_keep_their_language() -> None:


    async def answer(language: str) -> str:
        with messages.speaking(language):
            await asyncio.sleep(0)  # the other member's answer runs meanwhile
            return messages.RELEASED

    ru, es = await asyncio.gather(answer("ru"), answer("es"))
    assert ru.startswith("Спасибо") and es.startswith("¡Gracias")
