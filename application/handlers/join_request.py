"""A request to join a protected group: approve subscribers, hold or decline the others."""


from typing import Protocol

from application.commands import JoinRequested
from application.needs import Records, UsesChecker, UsesClock, UsesGateway, UsesNames, UsesReadModels
from application.ports.read_models import GroupView
from application.verdicts import change_verdict
from domain.settings import GroupSettings


class Needs(UsesGateway, UsesReadModels, UsesChecker, UsesClock, UsesNames, Records, Protocol):
    """What this handler uses of the context (with what the helpers it calls use)."""


async def handle_join_request(ctx: Needs, cmd: JoinRequested) -> str:
    if cmd.name:
        ctx.names.remember(cmd.user_id, cmd.name)
    group = await ctx.read_models.group(cmd.chat_id)
    if group is None or not group.protected:
        return "unprotected"
    return await decide_join_request(ctx, group, cmd.user_id, fresh=False, language=cmd.language)


async def decide_join_request(
    ctx: Needs, group: GroupView, user_id: int, fresh: bool, language: str = ""
) -> str:
    """`language` is the requester's, when Telegram told it: the note the bot sends them is written in it."""
    now = ctx.clock.now()

    async def record(decide) -> None:
        def both(v) -> None:
            v.language_known(language, now)
            decide(v)

        await change_verdict(ctx, group.chat_id, user_id, both)

    policy = GroupSettings.from_dict(group.settings).join_requests
    if policy == "off":
        return "left_to_admins"
    if user_id in group.exempt:  # an exempted member who left and asks to come back
        await record(lambda v: v.decide_join_request(True, "exempted", now))
        return "approved"
    result = await ctx.checker.check(user_id, group.channel_ids, fresh=fresh)
    if result.failures:
        return "pending"  # a failed check never decides a request; it stays for a later look
    missing = result.missing(group.channel_ids)
    if not missing:
        await record(lambda v: v.decide_join_request(True, "subscribed", now))
        return "approved"
    if policy == "approve-or-decline":
        await record(lambda v: v.decide_join_request(False, "not_subscribed", now))
        return "declined"
    await record(lambda v: v.join_request_held(missing, now))
    return "pending"
