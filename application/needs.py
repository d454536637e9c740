"""What a handler may use of the context, one small protocol per thing.

A handler module says what it needs as a `Needs` protocol made of these (and of the `Needs` of the helpers it
calls), and takes `ctx: Needs`: the whole GateContext still arrives, but what a handler may touch is written
where it is used, and tests/house/test_handler_needs.py fails when a handler touches anything else.
"""

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from application.admin_directory import AdminDirectory
from application.behind import Behind, FirstPasses
from application.call_counts import CallCounts
from application.callback_tokens import CallbackTokens
from application.member_locks import MemberLocks
from application.membership_checker import MembershipChecker
from application.names import Names
from application.ports.clock import Clock
from application.ports.read_models import ReadModels
from application.ports.telegram import TelegramGateway
from application.repository import Repository
from application.standing_directory import StandingDirectory


class UsesGateway(Protocol):
    gateway: TelegramGateway


class UsesCallCounts(Protocol):
    calls: CallCounts


class UsesReadModels(Protocol):
    read_models: ReadModels


class UsesChecker(Protocol):
    checker: MembershipChecker


class UsesAdmins(Protocol):
    admins: AdminDirectory


class UsesStanding(Protocol):
    """The groups' standing directories, and the tasks their fills run in behind the answer."""

    standing: StandingDirectory
    behind: Behind


class UsesClock(Protocol):
    clock: Clock


class UsesTokens(Protocol):
    tokens: CallbackTokens


class UsesNames(Protocol):
    names: Names


class UsesMemberLocks(Protocol):
    member_lock: MemberLocks


class UsesRepository(Protocol):
    repository: Repository


class RecordsBehind(Protocol):
    """Records after the answer (a member's first pass)."""

    behind: Behind
    first_passes: FirstPasses


class Records(Protocol):
    """Records decisions: load, decide, append (GateContext.change)."""

    async def change(
        self, stream_id: Any, create: Callable[[], Any], decide: Callable[[Any], Any], new: bool = False
    ) -> Any: ...


class CarriesOut(Protocol):
    carry_out: Callable[[int, int], Awaitable[None]]
