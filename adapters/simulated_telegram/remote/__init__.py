"""A simulated Telegram served to a bot in another process (test-only): see server.py and bot_side.py."""
