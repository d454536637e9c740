"""A minimal Bot API gate bot for the runner's botapi transport test: it mutes a group member who is not in
@news. It takes its server from BOT_API_BASE_URL and its token from BOT_TOKEN, like any bot run with --bot CMD."""

import os

from telegram import ChatPermissions, Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    member = await context.bot.get_chat_member("@news", user.id)
    if member.status not in ("member", "administrator", "creator"):
        await context.bot.restrict_chat_member(update.effective_chat.id, user.id,
                                               ChatPermissions(can_send_messages=False))


def main() -> None:
    app = Application.builder().token(os.environ["BOT_TOKEN"]).base_url(os.environ["BOT_API_BASE_URL"]).build()
    app.add_handler(MessageHandler(filters.ChatType.SUPERGROUP & filters.TEXT, gate))
    app.run_polling(allowed_updates=["message"], drop_pending_updates=True)


if __name__ == "__main__":
    main()
