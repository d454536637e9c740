"""Events to bytes and back, in eventsourcing's own stored-event format so its tools can read our log."""

from typing import Any

from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Mapper, StoredEvent, UUIDAsHex


class EventCodec:
    def __init__(self) -> None:
        transcoder = JSONTranscoder()
        transcoder.register(UUIDAsHex())
        transcoder.register(DatetimeAsISO())
        self._mapper = Mapper(transcoder=transcoder)

    def encode(self, event: Any) -> StoredEvent:
        return self._mapper.to_stored_event(event)

    def decode(self, stored: StoredEvent) -> Any:
        return self._mapper.to_domain_event(stored)
