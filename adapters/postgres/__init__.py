"""The event log in PostgreSQL, in eventsourcing's table layout."""

from adapters.postgres.event_store import PostgresEventStore
from adapters.postgres.migrations import drop_database, ensure_database, migrate

__all__ = ["PostgresEventStore", "drop_database", "ensure_database", "migrate"]
