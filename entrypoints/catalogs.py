"""Keeping the catalogs in step with the texts: `python -m entrypoints.catalogs` extracts every marked text of
application/messages.py (with why_messages.py and check_messages.py) and application/log_messages.py into
locale/chanwarden.pot and merges it into each language's .po (new texts appear there untranslated, for a
translator; the completeness test fails until they are translated)."""

import string
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from application.i18n import DOMAIN, LOCALE_DIR, SOURCE_LANGUAGE, catalog_path, languages

_ROOT = Path(__file__).parent.parent
# Where texts people read are marked: the application's messages, and the settings' explanations.
SOURCES = [_ROOT / "application" / "messages.py", _ROOT / "application" / "why_messages.py",
           _ROOT / "application" / "check_messages.py", _ROOT / "application" / "log_messages.py",
           _ROOT / "domain" / "settings.py"]
KEYWORDS = {"_": None, "N_": None}
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"


def extracted() -> Catalog:
    """The template: every text the code marks, in English."""
    template = Catalog(project="chanwarden", domain=DOMAIN, fuzzy=False)
    for source in SOURCES:
        for _line, message, _comments, _context in extract_from_file("python", source, keywords=KEYWORDS):
            template.add(message)
    return template


def placeholders(text: str) -> list[str]:
    """The {name}s a text fills in (each as often as it appears), sorted; a translation must keep exactly the
    same ones. Raises ValueError on a lone brace, which str.format would refuse too."""
    return sorted(field for _, field, _, _ in string.Formatter().parse(text) if field is not None)


def problems(catalog: Catalog, template: Catalog) -> list[str]:
    """What keeps a catalog from being complete: a text missing or untranslated, one the code no longer has,
    a fuzzy guess, or a placeholder lost, added or broken."""
    found = []
    wanted = {m.id for m in template if m.id}
    have = {m.id: m for m in catalog if m.id}
    for msgid in sorted(wanted - set(have)):
        found.append(f"missing: {msgid!r}")
    for msgid in sorted(set(have) - wanted):
        found.append(f"no longer in the code: {msgid!r}")
    for msgid, message in have.items():
        if msgid not in wanted:
            continue
        if not message.string:
            found.append(f"untranslated: {msgid!r}")
            continue
        if message.fuzzy:
            found.append(f"fuzzy: {msgid!r}")
        try:
            if placeholders(message.string) != placeholders(msgid):
                found.append(f"placeholders differ in {message.string!r} (English: {msgid!r})")
        except ValueError:
            found.append(f"broken braces in {message.string!r}")
    return found


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
