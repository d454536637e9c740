"""Telethon's exceptions, translated into the kinds the application decides on.

Every gateway call runs inside `telegram_errors()`, so no Telethon exception escapes the adapter.
"""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from telethon import errors

from application.ports.telegram import TelegramError

_NOT_ADMIN = (
    errors.ChatAdminRequiredError,
    errors.ChannelPrivateError,
    errors.RightForbiddenError,
    errors.MessageDeleteForbiddenError,  # only admins may delete other people's messages
)
_NOT_FOUND = (
    errors.UserIdInvalidError,
    errors.ChannelInvalidError,
    errors.ParticipantIdInvalidError,
    errors.UsernameNotOccupiedError,
    errors.UsernameInvalidError,
    errors.MessageIdInvalidError,
    errors.HideRequesterMissingError,
)


def translate(exc: BaseException) -> TelegramError | None:
    """The TelegramError for a Telethon failure, or None when it is not Telegram's doing."""
    if isinstance(exc, TelegramError):
        return exc
    if isinstance(exc, errors.MultiError):
        # A batch failed: the first real failure decides, the rest would be decided the same way.
        first = next((e for e in exc.exceptions if e is not None), None)
        return translate(first) if first is not None else TelegramError(TelegramError.INTERNAL, str(exc))
    if isinstance(exc, errors.FloodWaitError):
        return TelegramError(TelegramError.FLOOD_WAIT, str(exc), retry_after=float(exc.seconds))
    if isinstance(exc, _NOT_ADMIN):
        return TelegramError(TelegramError.NOT_ADMIN, str(exc))
    if isinstance(exc, errors.UserAdminInvalidError):
        return TelegramError(TelegramError.TARGET_IS_ADMIN, str(exc))
    if isinstance(exc, errors.UserNotParticipantError):
        # Outside get_participant (which turns it into status "none"): the person is not in the chat.
        return TelegramError(TelegramError.NOT_PARTICIPANT, str(exc))
    if isinstance(exc, errors.RandomIdDuplicateError):
        return TelegramError(TelegramError.DUPLICATE, str(exc))
    if isinstance(exc, _NOT_FOUND):
        return TelegramError(TelegramError.NOT_FOUND, str(exc))
    # ConnectionError: Telethon could not reach Telegram at all, which callers treat like no answer.
    if isinstance(exc, asyncio.TimeoutError | TimeoutError | ConnectionError):
        return TelegramError(TelegramError.TIMEOUT, str(exc) or type(exc).__name__)
    if isinstance(exc, errors.RPCError):
        return TelegramError(TelegramError.INTERNAL, str(exc))
    return None


@contextmanager
def telegram_errors(action: str) -> Iterator[None]:
    """Re-raise Telegram failures as TelegramError; programming errors pass through untouched."""
    try:
        yield
    except Exception as exc:
        mapped = translate(exc)
        if mapped is None or mapped is exc:
            raise
        raise TelegramError(mapped.kind, f"{action}: {exc}", mapped.retry_after) from exc
