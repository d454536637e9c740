"""Message catalogs: which languages the bot speaks, and the gettext translations for each.

The catalogs are the `.po` files under locale/ (one per language, domain "chanwarden"); English is the source
language, written in application/messages.py itself. A catalog is compiled in memory with Babel the first time
its language is asked for, so the `.po` source is the only file shipped: no compiled `.mo` can go stale, and a
plain `pip install .` works the same as an editable install (both ship the `.po` files as package data).
"""

from functools import cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

DOMAIN = "chanwarden"
LOCALE_DIR = Path(__file__).parent / "locale"
SOURCE_LANGUAGE = "en"


def N_(text: str) -> str:
    """Marks a text for the catalogs (extracted by Babel under this name) without translating it here."""
    return text


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def languages() -> tuple[str, ...]:
    """Every language the bot speaks: English and each shipped catalog."""
    shipped = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (SOURCE_LANGUAGE, *(lang for lang in shipped if lang != SOURCE_LANGUAGE))


def supported(code: str | None) -> str | None:
    """The shipped language a Telegram `lang_code` (an IETF tag such as "ru", "pt-br", "es-419") asks for, or
    None when the bot does not speak it. A regional tag falls back to its language."""
    if not code:
        return None
    tag = code.strip().replace("-", "_")
    for candidate in (tag, tag.split("_")[0].lower()):
        if candidate in languages():
            return candidate
    return None


@cache
def translations(language: str) -> NullTranslations:
    """The language's translations; English (the texts as written) for the source language or an unknown one."""
    if language == SOURCE_LANGUAGE or language not in languages():
        return NullTranslations()
    with catalog_path(language).open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)
