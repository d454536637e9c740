"""The update state a bot process left in its session file, read as Telethon reads it, beside the world's."""

import sqlite3
from pathlib import Path

from adapters.simulated_telegram.remote.server import WorldServer


def saved_state(folder: Path) -> tuple[int, int, dict[int, int]]:
    """(pts, qts, {channel: pts}) saved in the bot's session file; zeros before its first save."""
    path = folder / "bot.session"
    if not path.exists():
        return 0, 0, {}
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as db:
            rows = db.execute("select id, pts, qts from update_state").fetchall()
    except sqlite3.Error:
        return 0, 0, {}  # not written yet, or being written: asked again
    account = next(((pts, qts) for entity, pts, qts in rows if entity == 0), (0, 0))
    return account[0], account[1], {entity: pts for entity, pts, _ in rows if entity != 0}


def world_state(server: WorldServer, channels: list[int]) -> tuple[int, int, dict[int, int]]:
    """The numbers a bot that handled everything would have saved."""
    log = server.updates
    return log.pts, log.qts, {c: log.channel_pts(c) for c in channels if log.channel_pts(c)}


def caught_up(folder: Path, server: WorldServer, channels: list[int]) -> bool:
    pts, qts, saved_channels = saved_state(folder)
    want_pts, want_qts, want_channels = world_state(server, channels)
    return (pts, qts) == (want_pts, want_qts) and all(saved_channels.get(c) == p for c, p in want_channels.items())
