"""Keeping the catalogs in step with the texts: `python -m application.i18n.catalogs` extracts every marked text
of application/messages.py into locale/chanwarden.pot and merges it into each language's .po (new texts
appear there untranslated, for a translator; the completeness test fails until they are translated)."""

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from application.i18n import DOMAIN, LOCALE_DIR, SOURCE_LANGUAGE, catalog_path, languages

SOURCES = [Path(__file__).parent.parent / "messages.py"]
KEYWORDS = {"_": None, "N_": None}
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


def extracted() -> Catalog:
    """The template: every text the code marks, in English."""
    template = Catalog(project="chanwarden", domain=DOMAIN, fuzzy=False)
    for source in SOURCES:
        for _line, message, _comments, _context in extract_from_file("python", source, keywords=KEYWORDS):
            template.add(message)
    return template


def placeholders(text: str) -> list[str]:
    """The {name}s a text fills in, sorted; a translation must keep exactly the same ones."""
    return sorted(_PLACEHOLDER.findall(text))


def load(language: str) -> Catalog:
    with catalog_path(language).open("rb") as source:
        return read_po(source, locale=language, domain=DOMAIN)


def update() -> None:
    template = extracted()
    with TEMPLATE.open("wb") as out:
        write_po(out, template, omit_header=True, sort_output=False)
    for language in languages():
        if language == SOURCE_LANGUAGE:
            continue
        catalog = load(language)
        catalog.update(template, no_fuzzy_matching=True)
        with catalog_path(language).open("wb") as out:
            write_po(out, catalog, sort_output=False, ignore_obsolete=True)
        print(f"{language}: {sum(1 for m in catalog if m.id and not m.string)} text(s) to translate")


if __name__ == "__main__":
    update()
    sys.exit(0)
