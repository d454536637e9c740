"""Auditors' tools over the event log (`chanwarden audit ...`)."""

from entrypoints.audit import files  # noqa: F401  (registers export, import and report on the same app)
from entrypoints.audit.commands import audit

__all__ = ["audit"]
