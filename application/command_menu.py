"""The command menu Telegram's apps show when someone types "/": the admin commands for group admins, /start
and /why in private chats, each described in every shipped language (English for any other). Registered once
at start, best effort: a bot without its menu still works."""

import logging

from application import messages
from application.i18n import N_, SOURCE_LANGUAGE, languages
from application.ports.telegram import MENU_GROUP_ADMINS, MENU_PRIVATE, TelegramError, TelegramGateway

log = logging.getLogger(__name__)

MENUS = {
    MENU_GROUP_ADMINS: [
        ("fsub", N_("protect with channels: /fsub @channel, or /fsub off")),
        ("status", N_("what is required and who is muted")),
        ("settings", N_("show or change settings")),
        ("link", N_("add a required channel")),
        ("unlink", N_("remove a required channel")),
        ("exempt", N_("leave a member out of the check")),
        ("unexempt", N_("check an exempted member again")),
        ("check", N_("check my admin rights here and in each channel")),
        ("help", N_("how I work and my commands")),
    ],
    MENU_PRIVATE: [
        ("start", N_("what I do and how to protect a group")),
        ("why", N_("why I muted you, and what frees you")),
    ],
}


async def register_command_menu(gateway: TelegramGateway) -> int:
    """Set every menu in every language; how many Telegram took."""
    done = 0
    for language in languages():
        with messages.speaking(language):
            for scope, entries in MENUS.items():
                described = [(command, messages.translated(text)) for command, text in entries]
                try:
                    # English is also the menu of every language the bot has no catalog for.
                    await gateway.set_commands(scope, "" if language == SOURCE_LANGUAGE else language, described)
                    done += 1
                except TelegramError as error:
                    log.warning("Telegram did not take the %s command menu (%s): %s", scope, language, error.kind)
    return done
