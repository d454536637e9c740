"""The names of everything one log owns in PostgreSQL: quoted, schema-qualified, safe to put into SQL."""

import re
from dataclasses import dataclass

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@dataclass(frozen=True)
class Tables:
    """Quoted, schema-qualified names of everything one log owns."""

    name: str
    schema: str = "public"

    def __post_init__(self) -> None:
        for part in (self.name, self.schema):
            if not _NAME.match(part) or len(part) > 48:
                raise ValueError(f"not a usable identifier: {part!r}")

    def _qualified(self, suffix: str) -> str:
        return f"{quote(self.schema)}.{quote(self.name + suffix)}"

    @property
    def events(self) -> str:
        return self._qualified("_events")

    @property
    def tracking(self) -> str:
        return self._qualified("_tracking")

    @property
    def versions(self) -> str:
        return self._qualified("_schema_version")

    @property
    def snapshots(self) -> str:
        return self._qualified("_snapshots")

    @property
    def head(self) -> str:
        return self._qualified("_log_head")

    @property
    def append(self) -> str:
        return self._qualified("_append")

    @property
    def channel(self) -> str:
        # eventsourcing notifies on the bare events-table name, whatever the schema.
        return f"{self.name}_events"
