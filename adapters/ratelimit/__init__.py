"""Proactive, prioritised throttling of outbound Telegram calls."""
