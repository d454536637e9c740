"""The log chain checked row by row, then its end against the head record and the readers' positions.

The design is in infrastructure/log_chain.py. Links are checked against the stored link of the row before,
not a recomputed one, so one removed or altered row is reported where it is and the rest still checks.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from infrastructure.log_chain import Head, Linker, LoggedRow

Report = Callable[[str, str], None]  # (kind, detail) about the row being checked
LogReport = Callable[[int, str, str], None]  # (position, kind, detail) about the log as a whole


@dataclass
class _OtherKey:
    first: int
    last: int
    count: int = 0


@dataclass
class ChainCheck:
    """Feed rows in position order, then call `keys`, and `anchors` when the rows were a whole log; each reports
    what does not hold through the callback it is given.

    `linker` is the key the auditor has (None: no key given); unkeyed links need none. `anchor` is a row's
    (position, link) noted earlier and kept outside the database: the log must still hold it.
    """

    linker: Linker | None = None
    anchor: tuple[int, bytes] | None = None
    anchor_seen: bool = False
    linked: int = 0
    keyed: int = 0
    unchecked: int = 0  # keyed links left unchecked for want of the key
    before_chain: int = 0  # hashed rows written before the chain began
    before_span: tuple[int, int] | None = None  # their first and last positions
    began: int | None = None  # position of the first linked row
    keyed_from: int | None = None
    seen_key: bytes | None = None  # the fingerprint on the last keyed link
    last: LoggedRow | None = None  # the last linked row
    other_keys: dict[bytes, _OtherKey] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._unkeyed = Linker()
        self._previous: bytes | None = None

    @property
    def key_given(self) -> bool:
        return self.linker is not None and self.linker.keyed

    def feed(self, row: LoggedRow, report: Report) -> None:
        if self.anchor is not None and row.position == self.anchor[0]:
            self.anchor_seen = True
            if row.link != self.anchor[1]:
                report("anchor", "does not carry the anchored link: the log up to here was rewritten (unless the "
                                 "anchor was taken from another log)")
        if row.link is None:
            self._unlinked(row, report)
            return
        if self.began is None:
            self.began = row.position
        self.linked += 1
        expected = self._expected(row, report)
        if row.stream_hash is None:
            report("link", "carries a link but no stream hash to check it against: its hash was removed")
        elif expected is not None and expected != row.link:
            report("link", self._broken())
        self._previous, self.last = row.link, row

    def _unlinked(self, row: LoggedRow, report: Report) -> None:
        if row.stream_hash is None:
            return  # a row from a tool that neither hashes nor links (reported unhashed): outside the chain
        if self.began is None:
            self.before_chain += 1
            self.before_span = (self.before_span[0] if self.before_span else row.position, row.position)
            return
        report("link", f"carries no link, although the log chain began at position {self.began}: it was written "
                       "around the append function, or its link was removed")

    def _expected(self, row: LoggedRow, report: Report) -> bytes | None:
        """The link the row should carry, or None when it cannot be checked here."""
        if row.keyed_by is None:
            if self.keyed_from is not None:
                report("link", f"an unkeyed link after keyed ones (keyed from position {self.keyed_from}): written "
                               "by someone without the key, or by a writer started without it")
            return self._unkeyed.link(self._previous, row.stream_hash or b"")
        self.keyed += 1
        self.seen_key = row.keyed_by
        if self.keyed_from is None:
            self.keyed_from = row.position
        if not self.key_given:
            self.unchecked += 1
            return None
        if row.keyed_by != self.linker.fingerprint:
            other = self.other_keys.setdefault(row.keyed_by, _OtherKey(row.position, row.position))
            other.last, other.count = row.position, other.count + 1
            return None
        return self.linker.link(self._previous, row.stream_hash or b"")

    def _broken(self) -> str:
        before = f"the row before it (position {self.last.position})" if self.last else "the start of the chain"
        return (f"does not link to {before}: a row was removed or moved here, or this row (its event, hash or "
                "link) was altered")

    def keys(self, report: LogReport) -> None:
        """Whether the key given was the one the links were made with; `report(position, kind, detail)`."""
        for fingerprint, other in self.other_keys.items():
            report(other.first, "key", f"{other.count} links (positions {other.first}–{other.last}) were made with "
                                       f"another key (fingerprint {fingerprint.hex()}), not the one given "
                                       f"({self.linker.fingerprint.hex()}): wrong key, so they were not checked")
        if self.key_given and self.linked and self.keyed_from is None:
            report(self.last.position, "key", "a key was given, but no link in the log is keyed: nothing here shows "
                                              "the log was not rewritten by someone without the key (if the key "
                                              "was set only now, the next append begins the keyed chain)")

    def anchors(self, head: Head | None, last_position: int, readers: dict[str, int], report: LogReport) -> None:
        """The end of the log against its head record, the readers' positions and the anchor, if one was given;
        `report(position, kind, detail)`."""
        self._head(head, report)
        if self.anchor is not None and not self.anchor_seen:
            report(self.anchor[0], "anchor", f"the log no longer holds position {self.anchor[0]}, which the anchor "
                                             "names: that row was removed, or the log's tail was cut before it")
        for reader, position in readers.items():
            if position > last_position:
                report(position, "reader", f"{reader} has read up to position {position}, past the log's last "
                                           f"position {last_position}: rows after it were removed, or the "
                                           "reader's position was altered")

    def _head(self, head: Head | None, report: LogReport) -> None:
        last = self.last
        if head is None:
            if last is not None:
                report(last.position, "head", "the log chain has no head record: it was removed")
            return
        self._seal(head, report)
        if last is None:
            report(head.position, "head", f"the head record names position {head.position}, but no row of the log "
                                          "is linked: every row the chain covered was removed")
        elif head.position > last.position:
            report(head.position, "head", f"the log chain ends at position {last.position}, but the head record "
                                          f"names position {head.position}: the rows after {last.position} were "
                                          "removed (the log's tail was cut)")
        elif head.position < last.position:
            report(last.position, "head", f"rows after position {head.position} are linked, but the head record "
                                          "was not moved with them: they were added around the append function")
        elif head.link != last.link:
            report(head.position, "head", "the head record's link is not the last row's: one of them was altered")

    def _seal(self, head: Head, report: LogReport) -> None:
        if head.keyed_by is None:
            if self.keyed_from is not None:
                report(head.position, "head", "the head record is unkeyed although the chain is keyed: it was "
                                              "rewritten by someone without the key")
            return
        if self.key_given and head.keyed_by == self.linker.fingerprint and head.seal != self.linker.seal(head.link):
            report(head.position, "head", "the head record's seal does not match its link: it was forged")

    def notes(self, readers: dict[str, int] | None, last_position: int) -> list[str]:
        """What the checks proved on this log, and what they could not, in plain words."""
        notes = []
        if self.before_chain:
            first, last = self.before_span
            notes.append(f"{self.before_chain} events (positions {first}–{last}) were written before the log chain: "
                         "they are checked per stream only, where a stream's last events, or a whole stream, could "
                         "be removed unseen.")
        if self.linked and not self.keyed:
            notes.append(UNKEYED)
        elif self.keyed and self.key_given:
            earlier = (f" (its links before position {self.keyed_from} were made before the key was set, unkeyed)"
                       if self.keyed_from != self.began else "")
            notes.append(f"The log chain is keyed (key fingerprint {self.linker.fingerprint.hex()}) and was checked "
                         f"with the key{earlier}: an event forged, removed or moved by someone without the key shows.")
        elif self.keyed:
            notes.append(f"The log chain is keyed (key fingerprint {self.seen_key.hex()}), but no key was given "
                         f"(CHANWARDEN_AUDIT_KEY): its {self.unchecked} keyed links were not checked, so events "
                         "removed, moved or forged would not show. Versions, the streams' hashes and the head's "
                         "position were checked.")
        if readers:
            where = ", ".join(f"{name} at {position}" for name, position in readers.items())
            notes.append(f"Projections' tracking positions are checked against the log's last position "
                         f"({last_position}): {where}.")
        return notes


UNKEYED = ("The log chain is unkeyed: it shows events removed, moved or altered, and a cut tail, unless whoever "
           "did it also recomputed the hashes, links and head from the documented formula, which anyone with "
           "write access to the database can. Set CHANWARDEN_AUDIT_KEY to key the chain against that.")
