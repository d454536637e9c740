"""Everything a handler may use, passed as one object so handlers stay plain functions.

The context holds dependencies (ports and small services), not state of its own: the state that lives as long
as the process is in the services (names.py, member_locks.py, behind.py), each with its own bounds and tests.
Handlers take it typed as their module's `Needs` (application/needs.py): only what they say they use.
"""

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from application.admin_directory import AdminDirectory
from application.behind import Behind, FirstPasses
from application.call_counts import CallCounts
from application.callback_tokens import CallbackTokens
from application.member_locks import MemberLocks
from application.membership_checker import MembershipChecker
from application.names import Names
from application.ports.clock import Clock
from application.ports.event_store import ConcurrencyConflict
from application.ports.read_models import ReadModels
from application.ports.telegram import TelegramGateway
from application.repository import Repository
from application.standing_directory import StandingDirectory
from application.views import group_view, verdict_view
from domain.membership_verdict import MembershipVerdict
from domain.protected_group import ProtectedGroup

CONFLICT_RETRIES = 8


async def _nothing_to_carry_out(chat_id: int, member_id: int) -> None:
    """No reactor in this context (a handler tested alone): the pump carries everything out later."""


@dataclass
class GateContext:
    repository: Repository
    read_models: ReadModels
    gateway: TelegramGateway
    checker: MembershipChecker
    admins: AdminDirectory
    clock: Clock
    tokens: CallbackTokens
    on_recorded: Callable[[], None] = lambda: None
    # Carries one member's verdict out on Telegram now (the reactor's own routine, set by the reactor).
    carry_out: Callable[[int, int], Awaitable[None]] = field(default=_nothing_to_carry_out)
    names: Names = field(default_factory=Names)  # members' names as updates told them, bounded
    # member_lock(stream_id): the lock reading a member's rights and recording a decision about them share.
    member_lock: MemberLocks = field(default_factory=MemberLocks)
    behind: Behind = field(default_factory=Behind)  # recordings that follow their answer (gate.py)
    first_passes: FirstPasses = field(default_factory=FirstPasses)  # (chat, member) being recorded behind
    # Telegram calls per chat today, counted by the gateway the container wraps with them; a context built
    # without them (a handler tested alone) counts nothing.
    calls: CallCounts | None = None
    # Who in each group has a place other than a plain member's; a context built without one (a handler tested
    # alone) keeps none, and reads every member it mutes first.
    standing: StandingDirectory | None = None

    def __post_init__(self) -> None:
        if self.calls is None:
            self.calls = CallCounts(self.clock)
        if self.standing is None:
            self.standing = StandingDirectory(None, self.gateway, self.clock)

    async def change(
        self, stream_id: Any, create: Callable[[], Any], decide: Callable[[Any], Any], new: bool = False
    ) -> Any:
        """Load an aggregate (or create it), let `decide` act on it, and record the result.

        A concurrent writer to the same stream makes the whole decision run again on fresh state. `new`
        says the views know no such stream: the first attempt then creates it without reading the log, since
        a stream that exists after all makes the append conflict and the retry load it.
        """
        for attempt in range(CONFLICT_RETRIES):
            fresh = new and attempt == 0
            aggregate = (None if fresh else await self.repository.get(stream_id)) or create()
            outcome = decide(aggregate)
            try:
                if await self.repository.save(aggregate):
                    await self.recorded(aggregate)
            except ConcurrencyConflict:
                # Spread the retries, so writers colliding on a busy stream do not collide again in step.
                await asyncio.sleep(random.uniform(0, 0.005 * (attempt + 1)))
                continue
            return outcome
        raise ConcurrencyConflict(f"gave up after {CONFLICT_RETRIES} conflicting writes to {stream_id}")

    async def recorded(self, aggregate: Any) -> None:
        """After a save: this process's views show the write at once, and the pump is told.

        Deciding from a view the projector has not reached yet would answer from the past (a member who
        just rejoined not released, a press told "already free"); the projector still follows the log and
        stores its position, and writes the same view again when it gets there.
        """
        if isinstance(aggregate, MembershipVerdict):
            await self.read_models.apply(await self.read_models.position(), [], [verdict_view(aggregate)])
        elif isinstance(aggregate, ProtectedGroup):
            await self.read_models.apply(await self.read_models.position(), [group_view(aggregate)], [])
        self.on_recorded()
