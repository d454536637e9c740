"""A faithful stand-in for Telegram: a world of people and chats, and the bot's API onto it."""
