"""How urgent the Telegram calls made in the current task are, for the rate limiter to order them.

A Verify press is answered first (a person waits); re-deciding every member after a change to a group is
bulk work that may lag. The caller marks its task; the Telegram adapter behind the limiter reads the mark,
so the application never names the limiter's priorities.
"""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from enum import IntEnum


class Urgency(IntEnum):
    USER = 0  # someone is waiting for the answer
    ENFORCE = 1  # the gate's own work
    BULK = 2  # work that may wait behind the rest
    BACKGROUND = 3  # nothing waits on it: the log channel's posts, behind everything else


current: ContextVar[Urgency | None] = ContextVar("telegram_urgency", default=None)


@contextlib.contextmanager
def urgency(level: Urgency) -> Iterator[None]:
    token = current.set(level)
    try:
        yield
    finally:
        current.reset(token)
