"""/start (and /help) in a private chat with the bot: what it does, /why, and how to protect a group, in the
sender's language."""

from typing import Protocol

from application import messages
from application.commands import PrivateMessage
from application.languages import for_member
from application.needs import UsesGateway, UsesReadModels
from application.ports.telegram import TelegramError
from application.warnings import message_key

WELCOME_COMMANDS = ("/start", "/help")


def is_welcome_command(text: str) -> bool:
    # "/start" may carry a deep-link payload ("/start abc"); "/start@bot" is how a client addresses a bot.
    head = text.strip().split(maxsplit=1)[0].lower() if text.strip() else ""
    return head.split("@", 1)[0] in WELCOME_COMMANDS


class Needs(UsesGateway, UsesReadModels, Protocol):
    """What this handler uses of the context (with what the helpers it calls use)."""


async def welcome(ctx: Needs, cmd: PrivateMessage) -> str:
    with messages.speaking(await for_member(ctx, None, cmd.language)):
        text = messages.PRIVATE_WELCOME
    try:
        # Keyed by the message: handled again after a crash, the welcome is not sent twice.
        await ctx.gateway.send_private(cmd.user_id, text, message_key("welcome", cmd.user_id, cmd.message_id))
    except TelegramError:
        return "not_answered"
    return "welcomed"
