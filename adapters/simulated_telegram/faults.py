"""Failures to inject: the next N calls of a method (in one chat, or any) fail with a given error."""

from dataclasses import dataclass

from application.ports.telegram import TelegramError

ERRORS = {
    "flood_wait": TelegramError.FLOOD_WAIT,
    "timeout": TelegramError.TIMEOUT,
    "not_admin": TelegramError.NOT_ADMIN,
    "internal": TelegramError.INTERNAL,
}


@dataclass
class Fault:
    method: str
    error: str
    count: int
    chat: int | None = None
    seconds: float = 0.0


class FaultPlan:
    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        if fault.error not in ERRORS:
            raise ValueError(f"unknown error '{fault.error}'; choose one of {', '.join(ERRORS)}")
        self._faults.append(fault)

    def check(self, method: str, chat: int | None) -> None:
        for fault in self._faults:
            if fault.count > 0 and fault.method == method and fault.chat in (None, chat):
                fault.count -= 1
                raise TelegramError(ERRORS[fault.error], f"injected on {method}", retry_after=fault.seconds)
