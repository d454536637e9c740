"""/stats: the group's figures for its admins, from the read models and this process's call counts (never a
scan of the log per command), and the same figures as one line of /status."""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from application import messages
from application.commands import GroupMessage
from application.needs import UsesCallCounts, UsesClock, UsesReadModels
from application.ports.read_models import GroupView

WEEK = timedelta(days=7)


class Needs(UsesReadModels, UsesClock, UsesCallCounts, Protocol):
    """What this handler uses of the context."""


@dataclass(frozen=True)
class Figures:
    checked: int  # distinct members the gate decided about in the group
    muted: int  # members restricted now
    released: int  # distinct members released in the last 7 days
    missing: str | None  # the channel most of the muted members miss (None: nobody muted)
    missing_count: int  # how many of the muted miss it
    calls: int  # Telegram calls on the group and its linked channels since 00:00 UTC, in this process


async def figures(ctx: Needs, group: GroupView) -> Figures:
    restricted = await ctx.read_models.restricted(group.chat_id)
    missing = Counter(channel for verdict in restricted for channel in set(verdict.missing))
    top, top_count = _most_common(missing, group)
    return Figures(
        checked=await ctx.read_models.checked(group.chat_id),
        muted=len(restricted),
        released=await ctx.read_models.released_since(group.chat_id, ctx.clock.now() - WEEK),
        missing=top,
        missing_count=top_count,
        # A channel linked to several groups counts its calls toward each of them: its checks serve them all.
        calls=ctx.calls.today(group.chat_id, *group.channel_ids),
    )


def _most_common(missing: Counter, group: GroupView) -> tuple[str | None, int]:
    """The channel missed by most; a tie goes to the one linked first (then the lowest id, for one unlinked)."""
    if not missing:
        return None, 0
    order = {channel: index for index, channel in enumerate(group.channel_ids)}
    channel = min(missing, key=lambda c: (-missing[c], order.get(c, len(order)), c))
    names = {c.id: c.name for c in group.channels}
    return names.get(channel, str(channel)), missing[channel]


async def stats_text(ctx: Needs, cmd: GroupMessage) -> str:
    group = await ctx.read_models.group(cmd.chat_id)
    title = (group.title if group else "") or cmd.chat_title or messages.UNTITLED_GROUP
    if group is None or not group.protected:
        return messages.not_protected(title)
    return messages.stats(title, await figures(ctx, group))
