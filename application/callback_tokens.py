"""Verify-button data that nobody can forge: whose warning it is, signed with the bot's secret."""

import hashlib
import hmac
import struct

_PREFIX = b"v1"
_BODY = struct.Struct(">qq")  # chat id, member id
_TAG_BYTES = 16


class CallbackTokens:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _tag(self, body: bytes) -> bytes:
        return hmac.new(self._secret, _PREFIX + body, hashlib.sha256).digest()[:_TAG_BYTES]

    def issue(self, chat_id: int, member_id: int) -> bytes:
        body = _BODY.pack(chat_id, member_id)
        return _PREFIX + body + self._tag(body)  # 34 bytes, inside Telegram's 64

    def read(self, data: bytes) -> tuple[int, int] | None:
        """(chat id, member id) from genuine data; None for anything else, however malformed."""
        if len(data) != len(_PREFIX) + _BODY.size + _TAG_BYTES or not data.startswith(_PREFIX):
            return None
        body = data[len(_PREFIX) : len(_PREFIX) + _BODY.size]
        if not hmac.compare_digest(self._tag(body), data[len(_PREFIX) + _BODY.size :]):
            return None
        chat_id, member_id = _BODY.unpack(body)
        return chat_id, member_id
