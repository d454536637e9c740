"""Every text the bot shows people on Telegram is in application/messages.py or one of the few files beside it that
the catalogs extract (so it can be read and translated): the rest of the application holds no prose but log
lines, errors and operators' reports."""

import ast
from pathlib import Path

from entrypoints.catalogs import SOURCES

ROOT = Path(__file__).resolve().parents[2]
# Texts for operators, not for the people in a group: the CLI prints them.
FOR_OPERATORS = {"application/drift.py": "read-model drift, reported by `chanwarden audit verify`"}
# The texts' own files (those the catalogs extract), and events told in plain words, shared by members' answers
# (Why?) and the audit tools.
WORD_TABLES = {str(path.relative_to(ROOT)) for path in SOURCES} | {"application/narration.py"}
NOT_SHOWN = ("Error", "Exception", "Conflict", "Full", "Unavailable")  # exception classes: their messages are logged
LOGGING = {"debug", "info", "warning", "error", "exception", "critical", "failed"}  # log lines; Health.failed


def prose(source: str) -> list[tuple[int, str]]:
    """String literals with a space in them, leaving out docstrings, log lines, health reasons and errors."""
    tree = ast.parse(source)
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skipped.add(id(first.value))
        called = node.func if isinstance(node, ast.Call) else None
        name = (called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")) if called else ""
        if isinstance(node, ast.Raise) or (called is not None and (name in LOGGING or name.endswith(NOT_SHOWN))):
            skipped |= {id(inner) for inner in ast.walk(node)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped
            and " " in node.value.strip()]


def test_no_text_for_people_outside_messages_py() -> None:
    found = {}
    for path in sorted((ROOT / "application").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        if name in WORD_TABLES or name in FOR_OPERATORS:
            continue
        if texts := prose(path.read_text(encoding="utf-8")):
            found[name] = texts
    assert found == {}, "texts people read belong in application/messages.py (or a file the catalogs extract)"


def test_the_search_finds_a_text_and_not_a_log_line_or_docstring() -> None:
    source = '''"""A module."""
def f():
    """Says hello."""
    log.warning("a log line %s", 1)
    raise ValueError("an error message")
    health.failed("spool", f"{n} update(s) wait")
    return "Hello there, friend"
'''
    assert prose(source) == [(7, "Hello there, friend")]
