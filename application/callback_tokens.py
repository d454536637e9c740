"""Verify-button data that nobody can forge: whose warning it is, signed with the bot's secret.

Version 2 also carries the warning's idempotency key (the random_id it was sent with), so the bot can
recognise its own message when Telegram delivers it back after a restart (see handlers/warning_seen.py).
Version 1 buttons, posted before, stay valid. A "Why?" button carries its own prefix, so its data can never
be taken for a Verify press (nor the other way round).
"""

import hashlib
import hmac
import struct

_V1, _V2 = b"v1", b"v2"
_WHY = b"y1"
_BODY_V1 = struct.Struct(">qq")  # chat id, member id
_BODY_V2 = struct.Struct(">qqq")  # chat id, member id, idempotency key
_TAG_BYTES = 16


class CallbackTokens:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _tag(self, prefix: bytes, body: bytes) -> bytes:
        return hmac.new(self._secret, prefix + body, hashlib.sha256).digest()[:_TAG_BYTES]

    def issue(self, chat_id: int, member_id: int, key: int = 0) -> bytes:
        body = _BODY_V2.pack(chat_id, member_id, key)
        return _V2 + body + self._tag(_V2, body)  # 42 bytes, inside Telegram's 64

    def issue_why(self, chat_id: int, member_id: int) -> bytes:
        body = _BODY_V1.pack(chat_id, member_id)
        return _WHY + body + self._tag(_WHY, body)  # 34 bytes

    def read_why(self, data: bytes) -> tuple[int, int] | None:
        """(chat id, member id) from a genuine "Why?" button; None for anything else."""
        found = self._open(data, ((_WHY, _BODY_V1),))
        return None if found is None else (found[0], found[1])

    def read(self, data: bytes) -> tuple[int, int] | None:
        """(chat id, member id) from genuine data; None for anything else, however malformed."""
        found = self._open(data)
        return None if found is None else (found[0], found[1])

    def key_of(self, data: bytes) -> int | None:
        """The idempotency key a genuine version 2 button was issued with; None otherwise."""
        found = self._open(data)
        return None if found is None or len(found) < 3 else found[2]

    def _open(self, data: bytes, kinds=((_V2, _BODY_V2), (_V1, _BODY_V1))) -> tuple[int, ...] | None:
        for prefix, shape in kinds:
            if len(data) == len(prefix) + shape.size + _TAG_BYTES and data.startswith(prefix):
                body = data[len(prefix) : len(prefix) + shape.size]
                if hmac.compare_digest(self._tag(prefix, body), data[len(prefix) + shape.size :]):
                    return shape.unpack(body)
        return None
