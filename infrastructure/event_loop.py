"""The event loop the bot runs on: uvloop where it is installed, asyncio's own otherwise.

Most of the bot's time is the loop's own work (sockets to Telegram, PostgreSQL and Redis, timers), which
uvloop does in C; the benchmark runs on the same loop as production, so its figures are the bot's.
"""

import asyncio
import gc
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

# The collector only has reference cycles to find: the bot's own data is freed by reference counting. With
# the default thresholds (700, 10, 10) it still walked the young objects of every update and, often, the
# long-lived ones (held aggregates, views, cached statuses): 15 % of the CPU under load, pauses up to 70 ms
# (`python -m benchmarks.stages services chanwarden steady`). Rarer collections find the same cycles later.
GC_THRESHOLDS = (50_000, 20, 100)


def name() -> str:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def run(main: Coroutine[Any, Any, T]) -> T:
    gc.set_threshold(*GC_THRESHOLDS)
    if name() == "uvloop":
        import uvloop

        return uvloop.run(main)
    return asyncio.run(main)
