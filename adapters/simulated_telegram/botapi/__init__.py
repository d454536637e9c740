"""A local Telegram Bot API server over the simulated world, so that any Bot API bot can be played against it.

Only the test and benchmark rig imports this package (never application/ or infrastructure/): it stands for
Telegram's servers, as `telegram-bot-api --local` does for a bot pointed at it with another base URL.
"""
