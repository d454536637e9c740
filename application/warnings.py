"""The warning a restricted member sees: every missing channel with its Join button, and Verify."""

from application import messages
from application.context import GateContext
from application.ports.read_models import GroupView
from application.ports.telegram import Button, OutgoingMessage


def join_url(channel: dict) -> str | None:
    if channel.get("username"):
        return f"https://t.me/{channel['username']}"
    return channel.get("invite_link")


ANYONE = 0  # the member id in a shared notice's Verify button: the presser verifies themselves


def warning_message(ctx: GateContext, group: GroupView, member_id: int, missing: list[int]) -> OutgoingMessage:
    channels = [c for c in group.channels if c["id"] in missing] or list(group.channels)
    rows = _join_rows(channels)
    rows.append([Button(messages.VERIFY_BUTTON, data=ctx.tokens.issue(group.chat_id, member_id))])
    return OutgoingMessage(messages.warning(ctx.name_of(member_id), channels), rows)


def raid_notice(ctx: GateContext, group: GroupView) -> OutgoingMessage:
    """One notice for everyone restricted during a raid; its Verify checks whoever presses it."""
    rows = _join_rows(group.channels)
    rows.append([Button(messages.VERIFY_BUTTON, data=ctx.tokens.issue(group.chat_id, ANYONE))])
    return OutgoingMessage(messages.raid_notice(group.channels), rows)


def _join_rows(channels: list[dict]) -> list[list[Button]]:
    return [[Button(messages.JOIN_BUTTON.format(title=c["title"]), url=url)] for c in channels if (url := join_url(c))]
