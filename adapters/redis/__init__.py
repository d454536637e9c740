"""Redis adapters: the membership cache and the read models, shared by every running bot instance.

Each adapter keeps its keys under its own namespace inside the configured prefix, so one deployment
prefix can hold both and clearing one never touches the other.
"""

from typing import Any

from adapters.redis.errors import bounded

_GLOB_SPECIAL = "\\*?[]"


def glob_escape(text: str) -> str:
    """A prefix as a literal SCAN pattern: a prefix containing `*` must not match other tenants' keys."""
    return "".join("\\" + ch if ch in _GLOB_SPECIAL else ch for ch in text)


async def unlink_under(client: Any, namespace: str, timeout: float, rest: str = "*") -> None:
    """Delete every key starting with `namespace` (and then matching the pattern `rest`), step by step, so
    no single call blocks Redis or us."""
    cursor = 0
    while True:
        cursor, keys = await bounded(
            client.scan(cursor, match=glob_escape(namespace) + rest, count=500), timeout, "SCAN"
        )
        if keys:
            # UNLINK frees memory in the background, unlike DEL on a large set.
            await bounded(client.unlink(*keys), timeout, "UNLINK")
        if int(cursor) == 0:
            return
