"""The TelegramGateway and the update translation onto a real Telethon TelegramClient.

Nothing from Telethon leaves this package: callers see only the ports in application.ports.telegram
and the commands in application.commands.
"""

from adapters.telethon.gateway import TelethonGateway
from adapters.telethon.inbound import Inbound

__all__ = ["Inbound", "TelethonGateway"]
