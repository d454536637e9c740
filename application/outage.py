"""What the gate may still do while the event store is away: only what needs no record.

Deleting a message from a member the cache already knows is not subscribed takes nothing from anyone
that the later, recorded decision would not take too, so a strict group gets it at once. Mutes,
releases and warnings wait for the store, so the log stays the whole truth.
"""


from typing import Protocol

from application import commands as c
from application import messages
from application.i18n import supported
from application.needs import UsesAdmins, UsesChecker, UsesGateway, UsesReadModels
from application.ports.telegram import TelegramError
from domain.senders import USER, exemption
from domain.settings import GroupSettings


class Needs(UsesGateway, UsesReadModels, UsesChecker, UsesAdmins, Protocol):
    """What enforcing without the event store uses of the context."""


async def enforce_unrecorded(ctx: Needs, command: object) -> None:
    try:
        if isinstance(command, c.VerifyPressed):
            # The presser's language if Telegram told it; the group's default would need the store's read models.
            with messages.speaking(supported(command.language)):
                text = messages.CHECK_UNAVAILABLE
            await ctx.gateway.answer_callback(command.query_id, text, alert=True)
        elif isinstance(command, c.GroupMessage):
            await _delete_if_known_outsider(ctx, command)
    except TelegramError:
        pass  # best effort: the recorded decision follows when the store is back


async def _delete_if_known_outsider(ctx: Needs, cmd: c.GroupMessage) -> None:
    group = await ctx.read_models.group(cmd.chat_id)
    if group is None or not group.protected or not GroupSettings.from_dict(group.settings).strict:
        return
    admins = await ctx.admins.admins(cmd.chat_id) if cmd.sender.kind == USER else frozenset()
    if cmd.sender.kind != USER or exemption(cmd.sender, admins, frozenset(group.channel_ids), frozenset(group.exempt)):
        return
    cached = await ctx.checker.cached(cmd.sender.peer_id, group.channel_ids)
    if cached.missing(group.channel_ids):
        await ctx.gateway.delete_messages(cmd.chat_id, [cmd.message_id])
