"""The wire between a world server and a bot process: length-prefixed frames over a local TCP socket.

Frame: 4-byte big-endian length, then a 1-byte tag, an 8-byte id and the body.
- REQUEST (bot -> world): the body is the TL request exactly as `bytes(request)` gives it.
- ANSWER / ERROR (world -> bot): the TL answer, or a JSON error naming the Telethon exception.
- POLL (bot -> world): "every update after N" (8 bytes N, 4 bytes most wanted, 4 bytes wait in ms).
- UPDATES (world -> bot): numbered entries, each 8 bytes number, 4 bytes length, a TL `Updates`.
- PUSH (world -> bot): a TL `Updates` as Telegram pushes it, with pts/qts/seq, to a bot that asked for
  updates.getState or updates.getDifference (the "telegram" way of handing out updates).
TL is kept as TL on the wire so both sides prove, on every call, that what they exchange is valid TL.
"""

import asyncio
import json
import struct
from typing import Any

from telethon import errors
from telethon.extensions import BinaryReader
from telethon.tl.tlobject import TLObject

REQUEST, ANSWER, ERROR, POLL, UPDATES, PUSH = b"R", b"A", b"E", b"P", b"U", b"N"
_HEAD = struct.Struct(">I")
_ID = struct.Struct(">Q")
_POLL = struct.Struct(">QII")
_ENTRY = struct.Struct(">QI")
_BOOL_TRUE, _BOOL_FALSE, _VECTOR = 0x997275B5, 0xBC799737, 0x1CB5C415
MAX_FRAME = 64 * 1024 * 1024  # far above any batch; a bigger length means a broken stream


async def read_frame(reader: asyncio.StreamReader) -> tuple[bytes, int, bytes]:
    (size,) = _HEAD.unpack(await reader.readexactly(_HEAD.size))
    if not 9 <= size <= MAX_FRAME:
        raise ConnectionError(f"bad frame length {size}")
    frame = await reader.readexactly(size)
    return frame[:1], _ID.unpack(frame[1:9])[0], frame[9:]


def write_frame(writer: asyncio.StreamWriter, tag: bytes, frame_id: int, body: bytes) -> None:
    writer.write(_HEAD.pack(9 + len(body)) + tag + _ID.pack(frame_id) + body)


def tl_bytes(value: Any) -> bytes:
    """An answer as Telegram sends it: TL objects, and the bare Bool and Vector the schema allows."""
    if isinstance(value, TLObject):
        return bytes(value)
    if isinstance(value, bool):
        return struct.pack("<I", _BOOL_TRUE if value else _BOOL_FALSE)
    if isinstance(value, list):
        return struct.pack("<Ii", _VECTOR, len(value)) + b"".join(tl_bytes(v) for v in value)
    raise TypeError(f"not TL: {type(value).__name__}")


def read_request(body: bytes) -> Any:
    return BinaryReader(body).tgread_object()


def read_answer(request: Any, body: bytes) -> Any:
    # The request knows its answer's type (a Vector<long>, say), exactly as in Telethon's own sender.
    return request.read_result(BinaryReader(body))


def error_body(exc: BaseException) -> bytes:
    return json.dumps({"error": type(exc).__name__, "seconds": getattr(exc, "seconds", None),
                       "text": str(exc)[:300]}).encode()


def error_from(request: Any, body: bytes) -> Exception:
    """The exception the bot's client would have raised for the world's failure."""
    found = json.loads(body)
    cls = getattr(errors, found["error"], None)
    if isinstance(cls, type) and issubclass(cls, errors.RPCError) and cls is not errors.RPCError:
        if found["seconds"] is not None:
            return cls(request, capture=found["seconds"])
        return cls(request)
    if found["error"] == "RPCError":
        return errors.RPCError(request, "INTERNAL", 500)
    if found["error"] == "TimeoutError":
        return TimeoutError(found["text"])
    return RuntimeError(f"the world could not answer: {found['error']}: {found['text']}")


def read_updates_pushed(body: bytes) -> Any:
    return BinaryReader(body).tgread_object()


def poll_body(after: int, limit: int, wait_ms: int) -> bytes:
    return _POLL.pack(after, limit, wait_ms)


def read_poll(body: bytes) -> tuple[int, int, int]:
    return _POLL.unpack(body)


def updates_body(entries: list[tuple[int, bytes]]) -> bytes:
    return b"".join(_ENTRY.pack(number, len(data)) + data for number, data in entries)


def read_updates(body: bytes) -> list[tuple[int, Any]]:
    entries, offset = [], 0
    while offset < len(body):
        number, size = _ENTRY.unpack_from(body, offset)
        offset += _ENTRY.size
        entries.append((number, BinaryReader(body[offset : offset + size]).tgread_object()))
        offset += size
    return entries
