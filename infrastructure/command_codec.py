"""Gate commands to JSON text and back, for the spool: each value as its type's name and its fields.

Generic on purpose: commands gain types and fields often, so nothing here names one. The codec knows every
frozen dataclass reachable from the `Command` union through the field types (a `Sender` inside a
`GroupMessage`, a `Participant` inside a `MemberJoined`), and only those: text read back from a file never
names what gets built.

Every JSON object in the output is a tagged value, so plain data and tags cannot be confused:
{"$type": name, "fields": {...}}, {"$frozenset": [...]}, {"$set": [...]}, {"$tuple": [...]},
{"$dict": [[key, value], ...]}, {"$datetime": iso}, {"$date": iso}, {"$bytes": base64}, {"$uuid": hex}.
"""

import base64
import dataclasses
import json
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from application.commands import Command


class CommandCodecError(ValueError):
    """The text is not a command this version knows (a spool from another version, or damaged)."""


def dataclasses_in(root: Any) -> dict[str, type]:
    """Every dataclass named by `root` (a type or a union) or by the fields of those, by name."""
    found: dict[str, type] = {}
    pending = [root]
    while pending:
        hint = pending.pop()
        if not (isinstance(hint, type) and dataclasses.is_dataclass(hint)):
            pending.extend(typing.get_args(hint))  # unions, optionals, frozenset[...], Literal values
            continue
        known = found.get(hint.__qualname__)
        if known is None:
            found[hint.__qualname__] = hint
            pending.extend(typing.get_type_hints(hint).values())
        elif known is not hint:
            raise TypeError(f"two command types are called {hint.__qualname__}: {known} and {hint}")
    return found


class CommandCodec:
    def __init__(self, root: Any = Command) -> None:
        self._types = dataclasses_in(root)

    def encode(self, command: Any) -> str:
        return json.dumps(self._pack(command), separators=(",", ":"))

    def decode(self, text: str) -> Any:
        try:
            return self._unpack(json.loads(text))
        except CommandCodecError:
            raise
        except (ValueError, TypeError, KeyError) as error:
            raise CommandCodecError(f"not a command: {error}") from error

    def _pack(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            name = type(value).__qualname__
            if self._types.get(name) is not type(value):
                raise TypeError(f"{name} is not a command type (nor part of one)")
            return {"$type": name, "fields": {f.name: self._pack(getattr(value, f.name))
                                              for f in dataclasses.fields(value) if f.init}}
        if isinstance(value, frozenset | set):
            # Sorted by their encoding, so equal sets give equal text.
            items = sorted((self._pack(item) for item in value), key=lambda packed: json.dumps(packed))
            return {"$frozenset" if isinstance(value, frozenset) else "$set": items}
        if isinstance(value, tuple):
            return {"$tuple": [self._pack(item) for item in value]}
        if isinstance(value, list):
            return [self._pack(item) for item in value]
        if isinstance(value, dict):
            return {"$dict": [[self._pack(k), self._pack(v)] for k, v in value.items()]}
        if isinstance(value, datetime):
            return {"$datetime": value.isoformat()}
        if isinstance(value, date):
            return {"$date": value.isoformat()}
        if isinstance(value, bytes | bytearray):
            return {"$bytes": base64.b64encode(value).decode("ascii")}
        if isinstance(value, UUID):
            return {"$uuid": value.hex}
        raise TypeError(f"cannot keep a {type(value).__name__} in the spool")

    def _unpack(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self._unpack(item) for item in value]
        if not isinstance(value, dict):
            return value
        if "$type" in value:
            cls = self._types.get(value["$type"])
            if cls is None:
                raise CommandCodecError(f"unknown command type {value['$type']!r}")
            return cls(**{name: self._unpack(field) for name, field in value["fields"].items()})
        (tag, body), = value.items()
        return _TAGS[tag](self._unpack, body)


# How each tag is read back; `unpack` reads the values inside.
_TAGS: dict[str, Callable[[Callable[[Any], Any], Any], Any]] = {
    "$frozenset": lambda unpack, items: frozenset(map(unpack, items)),
    "$set": lambda unpack, items: set(map(unpack, items)),
    "$tuple": lambda unpack, items: tuple(map(unpack, items)),
    "$dict": lambda unpack, pairs: {unpack(k): unpack(v) for k, v in pairs},
    "$datetime": lambda _, text: datetime.fromisoformat(text),
    "$date": lambda _, text: date.fromisoformat(text),
    "$bytes": lambda _, text: base64.b64decode(text.encode("ascii"), validate=True),
    "$uuid": lambda _, text: UUID(hex=text),
}
