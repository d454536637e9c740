"""A member asks why they are muted: the "Why?" button on their warning, or /why in a private chat with the bot.

The answer comes from the member's own log (when the restriction began, what found it, why) and a fresh
check of the channels (what is missing now, so the advice is what would free them). Only the member is
told: a press by anyone else is answered without reading anything about the member. Nothing is recorded
and nothing changes: asking is not verifying. Answered at Verify's priority, since a person waits.
"""

from typing import Protocol

from application import messages, why_messages
from application.commands import PrivateMessage, VerifyPressed
from application.handlers.welcome import is_welcome_command, welcome
from application.languages import for_member
from application.needs import UsesChecker, UsesGateway, UsesReadModels, UsesRepository, UsesTokens
from application.ports.read_models import GroupView
from application.ports.telegram import TelegramError
from application.urgency import Urgency, urgency
from application.warnings import ANYONE, message_key
from domain import why
from domain.ids import verdict_stream_id


class Needs(UsesGateway, UsesReadModels, UsesChecker, UsesTokens, UsesRepository, Protocol):
    """What this handler uses of the context (with what the helpers it calls use)."""


WHY_COMMAND = "/why"


def is_why_press(ctx: Needs, cmd: VerifyPressed) -> bool:
    return ctx.tokens.read_why(cmd.data) is not None


async def handle_why_pressed(ctx: Needs, cmd: VerifyPressed) -> str:
    with urgency(Urgency.USER), messages.speaking(await for_member(ctx, cmd.chat_id, cmd.language)):
        return await _answer_press(ctx, cmd)


async def _answer_press(ctx: Needs, cmd: VerifyPressed) -> str:
    token = ctx.tokens.read_why(cmd.data)
    if token is None or token[0] != cmd.chat_id:
        await ctx.gateway.answer_callback(cmd.query_id, messages.BUTTON_INVALID, alert=True)
        return "invalid"
    member = cmd.user_id if token[1] == ANYONE else token[1]  # a raid notice's button explains the presser
    group = await ctx.read_models.group(cmd.chat_id)
    answer = await _explain(ctx, group, cmd.user_id, member)
    if answer.asked == why.Asked.NOT_YOURS:
        await ctx.gateway.answer_callback(cmd.query_id, messages.WHY_NOT_YOURS, alert=True)
        return "not_yours"
    title = group.title if group is not None and group.title else messages.THIS_GROUP
    text = _in_words(group, title, answer)
    if len(text) <= messages.ALERT_LIMIT:
        await ctx.gateway.answer_callback(cmd.query_id, text, alert=True)
        return answer.asked.value
    # Too long for an alert: the whole answer privately, keyed by the press so a repeat is not sent twice.
    try:
        await ctx.gateway.send_private(cmd.user_id, text, message_key("why", cmd.chat_id, cmd.query_id))
    except TelegramError:
        # The member never opened a chat with the bot, so Telegram refuses: the short answer must do.
        short = _short(group, answer)
        await ctx.gateway.answer_callback(cmd.query_id, short, alert=True)
        return answer.asked.value + "_short"
    await ctx.gateway.answer_callback(cmd.query_id, messages.WHY_SENT_PRIVATELY, alert=True)
    return answer.asked.value + "_private"


def is_why_command(text: str) -> bool:
    head = text.strip().split(maxsplit=1)[0].lower() if text.strip() else ""
    return head == WHY_COMMAND or head.startswith(WHY_COMMAND + "@")


async def handle_private_message(ctx: Needs, cmd: PrivateMessage) -> str:
    """/why in a private chat: the sender's answer for every protected group where the log holds them muted.
    /start and /help there are welcomed (handlers/welcome.py)."""
    if is_welcome_command(cmd.text):
        return await welcome(ctx, cmd)
    if not is_why_command(cmd.text):
        return "ignored"
    with urgency(Urgency.USER), messages.speaking(await for_member(ctx, None, cmd.language)):
        texts = []
        for view in await ctx.read_models.restricted_member(cmd.user_id):
            group = await ctx.read_models.group(view.chat_id)
            if group is None or not group.protected:
                continue
            answer = await _explain(ctx, group, cmd.user_id, cmd.user_id)
            if answer.asked == why.Asked.MUTED:
                texts.append(_in_words(group, group.title or str(group.chat_id), answer))
        text = _within_message(texts) or messages.WHY_NONE_MUTED
        try:
            await ctx.gateway.send_private(cmd.user_id, text, message_key("why-private", cmd.user_id, cmd.message_id))
        except TelegramError:
            return "not_answered"
        return "answered" if texts else "none_muted"


async def _explain(ctx: Needs, group: GroupView | None, presser: int, member: int) -> why.WhyAnswer:
    if presser != member:
        return why.explain(presser, member, None, None)  # nothing about the member is read, so nothing can leak
    restriction = None
    if group is not None and group.protected:
        restriction = why.restriction_in_force(await ctx.repository.events(verdict_stream_id(group.chat_id, member)))
    missing_now = None
    if restriction is not None:
        channels = [c for c in group.channel_ids if c not in group.blind]
        checked = await ctx.checker.check(member, channels, fresh=True)
        missing = checked.missing(channels)
        missing_now = missing if missing or not checked.failures else None
    return why.explain(presser, member, restriction, missing_now)


def _in_words(group: GroupView | None, title: str, answer: why.WhyAnswer) -> str:
    if answer.asked == why.Asked.NOT_MUTED or answer.restriction is None or group is None:
        return messages.WHY_NOT_MUTED.format(group=title)
    found = answer.restriction
    recorded = ", ".join(_name(group, c) for c in found.missing)
    reason = why_messages.why_reason(found.reason, recorded)
    return why_messages.why_muted(title, found.action, found.since, found.trigger, reason, answer.next_step.value,
                              _channels(group, answer.missing_now))


def _short(group: GroupView | None, answer: why.WhyAnswer) -> str:
    if answer.restriction is None or group is None:
        return messages.WHY_NOT_MUTED.format(group=group.title if group else messages.THIS_GROUP)
    missing = _channels(group, answer.missing_now)
    return why_messages.why_short(answer.restriction.since, answer.next_step.value, missing)


def _within_message(texts: list[str]) -> str:
    """The answers that fit one Telegram message, and how many more groups there are."""
    shown = list(texts)
    while shown:
        more = len(texts) - len(shown)
        text = "\n\n".join(shown) + (messages.WHY_MORE_GROUPS.format(count=more) if more else "")
        if len(text) <= messages.MESSAGE_LIMIT:
            return text
        shown.pop()
    return texts[0][: messages.MESSAGE_LIMIT] if texts else ""


def _channels(group: GroupView, ids: tuple[int, ...]):
    return [c for c in group.channels if c.id in ids]


def _name(group: GroupView, channel_id: int) -> str:
    found = next((c for c in group.channels if c.id == channel_id), None)
    if found is None:
        return messages.UNLINKED_CHANNEL.format(channel_id=channel_id)
    return messages.channel_name(found)
