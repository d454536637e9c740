"""The bot's own warning, delivered back by Telegram (its catch-up after a restart brings the messages the
bot sent but never heard the answer to).

A warning whose intent is on record without its message id (the bot was killed between Telegram posting
it and the answer arriving; sent again, it was refused as a duplicate) is adopted: its id is recorded, so
it is edited, expired and deleted like any other. A warning of the bot's that no verdict wants (the
member was released meanwhile, or a raid notice was replaced) is deleted: nothing of the bot's is left
behind in a group unaccounted for.
"""


from typing import Protocol

from application.commands import WarningSeen
from application.needs import Records, UsesClock, UsesGateway, UsesMemberLocks, UsesReadModels, UsesTokens
from application.ports.telegram import TelegramError
from application.warnings import ANYONE
from domain.ids import verdict_stream_id


class Needs(UsesGateway, UsesReadModels, UsesClock, UsesTokens, UsesMemberLocks, Records, Protocol):
    """What this handler uses of the context (with what the helpers it calls use)."""


async def handle_warning_seen(ctx: Needs, cmd: WarningSeen) -> str:
    token = ctx.tokens.read(cmd.data)
    key = ctx.tokens.key_of(cmd.data)
    if token is None or token[0] != cmd.chat_id or not key:
        return "not_ours"  # an old-style button or foreign data: nothing to match it with
    if await _known(ctx, cmd.chat_id, cmd.message_id):
        return "known"
    member = token[1]
    if member != ANYONE and await _adopt(ctx, cmd, member, key):
        return "adopted"
    try:
        await ctx.gateway.delete_messages(cmd.chat_id, [cmd.message_id])
    except TelegramError:
        return "orphan_kept"
    return "orphan_deleted"


async def _known(ctx: Needs, chat_id: int, message_id: int) -> bool:
    return any(v.chat_id == chat_id and v.warning_id == message_id for v in await ctx.read_models.live_warnings())


async def _adopt(ctx: Needs, cmd: WarningSeen, member: int, key: int) -> bool:
    adopted = []
    now = ctx.clock.now()

    def decide(verdict) -> None:
        if verdict.warning_key == key and verdict.warning_id is None and verdict.needs_warning:
            verdict.warning_posted(cmd.message_id, now)
            adopted.append(True)

    async with ctx.member_lock(verdict_stream_id(cmd.chat_id, member)):
        view = await ctx.read_models.verdict(cmd.chat_id, member)
        if view is None:
            return False
        await ctx.change(verdict_stream_id(cmd.chat_id, member), _never_new, decide)
    return bool(adopted)


def _never_new():
    raise LookupError("a warning names a member the log does not know")
