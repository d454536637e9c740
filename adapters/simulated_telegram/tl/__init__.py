"""The simulated world spoken to in Telegram's own TL, behind a real Telethon TelegramClient."""

from adapters.simulated_telegram.tl.encoder import UpdateEncoder
from adapters.simulated_telegram.tl.sender import WorldSender
from adapters.simulated_telegram.tl.transport import TelethonTransport

__all__ = ["TelethonTransport", "UpdateEncoder", "WorldSender"]
