"""A stand-in for Telethon's MTProtoSender that answers TL requests from the simulated world.

A TelegramClient whose `_sender` is a WorldSender runs unchanged with no network: every request is
serialised (`bytes(request)`, exactly as the real sender does, so invalid TL fails here), counted under
the same names the simulated gateway uses, checked against the FaultPlan, then answered by the handler
in WorldRequests named after the request (GetParticipantRequest -> get_participant).
"""

import asyncio
import re
from collections import Counter
from typing import Any

from telethon import errors
from telethon.tl.tlobject import TLObject

from adapters.simulated_telegram.faults import FaultPlan
from adapters.simulated_telegram.tl.entities import UnsimulatedRequest
from adapters.simulated_telegram.tl.requests import WorldRequests
from adapters.simulated_telegram.tl.update_log import UpdateLog
from adapters.simulated_telegram.world import Refused, World
from application.ports.telegram import TelegramError


def method_name(request: Any) -> str:
    """GetParticipantRequest -> get_participant: the simulated gateway's name for the same API method."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(request).__name__.removesuffix("Request")).lower()


class WorldSender:
    def __init__(self, world: World, now, log: UpdateLog | None = None) -> None:
        self.calls: Counter[str] = Counter()
        self.faults = FaultPlan()
        self.callback_answers: list[tuple[int, str]] = []
        self.requests: list[Any] = []
        self._handlers = WorldRequests(world, now, self.callback_answers, log)
        self._disconnected: asyncio.Future | None = None

    # The part of MTProtoSender's interface TelegramClient uses once connected.

    def send(self, request, ordered: bool = False):
        if isinstance(request, list):
            return [self._one(r) for r in request]
        return self._one(request)

    def is_connected(self) -> bool:
        return True

    @property
    def disconnected(self) -> asyncio.Future:
        # Created on first use, so the sender can be built before the event loop runs.
        if self._disconnected is None:
            self._disconnected = asyncio.get_running_loop().create_future()
        return self._disconnected

    async def disconnect(self) -> None:
        if not self.disconnected.done():
            self.disconnected.set_result(None)

    # Answering.

    def _one(self, request) -> asyncio.Future:
        bytes(request)  # what the real sender does first: a request that is not valid TL fails here
        self.requests.append(request)
        future = asyncio.get_running_loop().create_future()
        try:
            answer = self._answer(request)
            for part in answer if isinstance(answer, list) else [answer]:
                if isinstance(part, TLObject):
                    bytes(part)  # the world's answers must be valid TL too, or Telegram could not send them
            future.set_result(answer)
        except Exception as exc:
            future.set_exception(exc)
        return future

    def _answer(self, request):
        method = method_name(request)
        self.calls[method] += 1
        try:
            self.faults.check(method, self._chat_of(request))
        except TelegramError as fault:
            raise _telethon_error(fault, request) from None
        handler = getattr(self._handlers, method, None)
        if handler is None:
            # Loud on purpose: a request nobody simulated must not pass as an empty answer.
            raise UnsimulatedRequest(f"the simulated Telegram cannot answer {type(request).__name__}")
        try:
            return handler(request)
        except Refused as refusal:
            # Telethon's own class for Telegram's error name (USER_ADMIN_INVALID -> UserAdminInvalidError).
            raise errors.rpc_errors_dict[refusal.rpc](request) from None

    @staticmethod
    def _chat_of(request) -> int | None:
        """The chat a fault may be keyed on, read without validating anything (faults come first).

        Lookups by name or id (resolve_username, get_channels) name no chat, as in the simulated gateway.
        """
        peer = getattr(request, "channel", None) or getattr(request, "peer", None)
        return getattr(peer, "channel_id", None)


def _telethon_error(fault: TelegramError, request) -> Exception:
    """The exception Telethon raises for the failure the FaultPlan injects."""
    if fault.kind == TelegramError.FLOOD_WAIT:
        return errors.FloodWaitError(request, capture=int(fault.retry_after))
    if fault.kind == TelegramError.TIMEOUT:
        return TimeoutError(str(fault))  # Telethon gave up waiting: no RPC answer at all
    if fault.kind == TelegramError.NOT_ADMIN:
        return errors.ChatAdminRequiredError(request)
    # A bare 500 RPCError rather than ServerError: Telethon sleeps 2 real seconds after a ServerError
    # before retrying or giving up, and the application decides about retries by its own policy anyway.
    return errors.RPCError(request, "INTERNAL", 500)
