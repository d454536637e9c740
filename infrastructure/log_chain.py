"""The log chain: every row linked to the row before it in the whole log, and a head record anchoring its end.

Per-stream hashes (event_hashing.py) show an edited event, and a removed one in the middle of its stream. They
cannot show a stream's last events removed, a whole stream removed, or rows of two streams swapped. The log
chain does: in position order, every row chanwarden writes carries

    link = SHA-256("link" || previous link || the row's stream hash)

where the previous link is that of the last linked row before it (32 zero bytes for the first). With
CHANWARDEN_AUDIT_KEY set the link is HMAC-SHA-256(key, the same bytes), and the row's `keyed_by` column holds
the key's fingerprint (the first 8 bytes of HMAC-SHA-256(key, "chanwarden audit key fingerprint")), so an
auditor can tell a wrong key from a forged row; unkeyed rows leave it empty. The key itself is never stored.

A row is linked to the previous *row*, not to position - 1: positions may legitimately skip values
(PostgreSQL burns a bigserial value for each rolled-back insert) and those gaps stay valid, while a removed
row leaves its successor pointing at a link no row carries any more. Writers link under the write lock
(PostgreSQL's EXCLUSIVE table lock, SQLite's BEGIN IMMEDIATE), so insert order is link order.

A chain cannot see its own end cut off. Two anchors can:

- The head record: one row (position, link, keyed_by, seal) rewritten in the same transaction as every
  append, naming the last row written; when keyed, seal = HMAC-SHA-256(key, "head" || link). A cut tail
  leaves the head naming a row that is gone. Putting back an older head with the cut takes that head's seal,
  which only the key, or a copy of the head taken at that moment, can give.
- The readers' positions: the reactor's tracking position and the Redis read models' position record how far
  they have read, so none may exceed the log's last position.

Rows written without a link (before the chain existed, or by eventsourcing's own recorder, which also writes
no stream hash) are skipped by the chain and reported by the auditor for what they are.
"""

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from hashlib import sha256

from eventsourcing.persistence import StoredEvent
from pydantic import SecretStr

GENESIS = bytes(32)
MIN_KEY_LENGTH = 16  # a short key could be found by trying keys against the links anyone who reads the log sees
_FINGERPRINT = b"chanwarden audit key fingerprint"
FINGERPRINT_BYTES = 8


class KeyRefused(ValueError):
    """The configured audit key is unusable; the message never contains the key."""


@dataclass(frozen=True, slots=True)
class LoggedRow:
    """A stored row as the auditor reads it: position, event, and the evidence beside it."""

    position: int
    event: StoredEvent
    stream_hash: bytes | None
    link: bytes | None = None
    keyed_by: bytes | None = None  # the fingerprint of the key the link was made with; None: unkeyed


@dataclass(frozen=True, slots=True)
class Head:
    """The last row the writers linked, as recorded with that append."""

    position: int
    link: bytes
    keyed_by: bytes | None
    seal: bytes | None  # HMAC of the link when keyed; None when unkeyed


class Linker:
    """Makes links and head seals, keyed or not. The key stays inside: no attribute or repr shows it."""

    __slots__ = ("_mac", "fingerprint")

    def __init__(self, key: str | None = None) -> None:
        if key is None:
            self._mac = None
            self.fingerprint: bytes | None = None
            return
        if len(key) < MIN_KEY_LENGTH:
            raise KeyRefused(f"CHANWARDEN_AUDIT_KEY is too short: use at least {MIN_KEY_LENGTH} random characters")
        self._mac = hmac.new(key.encode(), digestmod=sha256)
        self.fingerprint = self._digest(_FINGERPRINT)[:FINGERPRINT_BYTES]

    @classmethod
    def of(cls, key: SecretStr | None) -> "Linker":
        """The linker for a key setting; an empty one counts as unset (compose passes unset variables as empty)."""
        return cls(key.get_secret_value() if key is not None and key.get_secret_value() else None)

    @property
    def keyed(self) -> bool:
        return self._mac is not None

    def __repr__(self) -> str:
        return f"Linker(keyed, fingerprint {self.fingerprint.hex()})" if self.fingerprint else "Linker(unkeyed)"

    def _digest(self, message: bytes) -> bytes:
        if self._mac is None:
            return sha256(message).digest()
        digest = self._mac.copy()
        digest.update(message)
        return digest.digest()

    def link(self, previous: bytes | None, stream_hash: bytes) -> bytes:
        return self._digest(b"link" + (previous or GENESIS) + stream_hash)

    def links(self, previous: bytes | None, stream_hashes: Sequence[bytes]) -> list[bytes]:
        """The links of a batch appended after the row whose link is `previous` (None: the chain's start).

        On the path of every append: one digest a row and nothing else (what `link` does, without its call).
        """
        digest, out = self._digest, []
        previous = previous or GENESIS
        for stream_hash in stream_hashes:
            previous = digest(b"link" + previous + stream_hash)
            out.append(previous)
        return out

    def seal(self, link: bytes) -> bytes | None:
        return None if self._mac is None else self._digest(b"head" + link)

    def head(self, position: int, link: bytes) -> Head:
        return Head(position, link, self.fingerprint, self.seal(link))
