"""What the simulated world says when Telegram would say no."""


class WorldError(Exception):
    """A world action Telegram would not allow; the scenario step records it."""


class Refused(WorldError):
    """Telegram answered a request with an RPC error; `rpc` is Telegram's own name for it.

    Each simulator turns it into what its bot would see: the direct gateway into a TelegramError kind,
    the TL request handlers into the Telethon exception Telegram's answer becomes.
    """

    ADMIN = "USER_ADMIN_INVALID"  # the target is an admin or the creator: not the bot's to restrict
    NOT_PARTICIPANT = "USER_NOT_PARTICIPANT"  # the target was never in the chat (or left without a trace)
    DUPLICATE = "RANDOM_ID_DUPLICATE"  # a message with this random_id was sent into the chat already
    ADMIN_REQUIRED = "CHAT_ADMIN_REQUIRED"  # the bot lacks the admin right this needs (posting in a channel)

    def __init__(self, rpc: str, detail: str) -> None:
        super().__init__(f"{rpc}: {detail}")
        self.rpc = rpc
