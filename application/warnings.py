"""The warning a restricted member sees: every missing channel with its Join button, and Verify."""

from application import messages
from application.context import GateContext
from application.ports.read_models import GroupView
from application.ports.telegram import Button, OutgoingMessage


def join_url(channel: dict) -> str | None:
    if channel.get("username"):
        return f"https://t.me/{channel['username']}"
    return channel.get("invite_link")


def warning_message(ctx: GateContext, group: GroupView, member_id: int, missing: list[int]) -> OutgoingMessage:
    channels = [c for c in group.channels if c["id"] in missing] or list(group.channels)
    rows = [
        [Button(messages.JOIN_BUTTON.format(title=c["title"]), url=url)]
        for c in channels
        if (url := join_url(c))
    ]
    rows.append([Button(messages.VERIFY_BUTTON, data=ctx.tokens.issue(group.chat_id, member_id))])
    return OutgoingMessage(messages.warning(ctx.name_of(member_id), channels), rows)


async def post_warning(ctx: GateContext, group: GroupView, member_id: int, missing: list[int]) -> int:
    return await ctx.gateway.send_message(group.chat_id, warning_message(ctx, group, member_id, missing))
