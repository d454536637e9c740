"""The command menu Telegram's apps show when someone types "/": the admin commands for group admins, /start
and /why in private chats, each described in every shipped language (English for any other). Registered once
at start, best effort: a bot without its menu still works."""

import logging

from application import messages
from application.i18n import SOURCE_LANGUAGE, languages
from application.ports.telegram import TelegramError, TelegramGateway

log = logging.getLogger(__name__)


async def register_command_menu(gateway: TelegramGateway) -> int:
    """Set every menu in every language; how many Telegram took."""
    done = 0
    for language in languages():
        with messages.speaking(language):
            for scope, entries in messages.COMMAND_MENUS.items():
                described = [(command, messages.translated(text)) for command, text in entries]
                try:
                    # English is also the menu of every language the bot has no catalog for.
                    await gateway.set_commands(scope, "" if language == SOURCE_LANGUAGE else language, described)
                    done += 1
                except TelegramError as error:
                    log.warning("Telegram did not take the %s command menu (%s): %s", scope, language, error.kind)
    return done
