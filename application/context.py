"""Everything a handler may use, passed as one object so handlers stay plain functions."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from application.admin_directory import AdminDirectory
from application.callback_tokens import CallbackTokens
from application.membership_checker import MembershipChecker
from application.ports.clock import Clock
from application.ports.event_store import ConcurrencyConflict
from application.ports.read_models import ReadModels
from application.ports.telegram import TelegramGateway
from application.repository import Repository

CONFLICT_RETRIES = 8


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
    names: dict[int, str] = field(default_factory=dict)

    def name_of(self, member_id: int) -> str:
        return self.names.get(member_id) or "Member"

    async def change(self, stream_id: Any, create: Callable[[], Any], decide: Callable[[Any], Any]) -> Any:
        """Load an aggregate (or create it), let `decide` act on it, and record the result.

        A concurrent writer to the same stream makes the whole decision run again on fresh state.
        """
        for _ in range(CONFLICT_RETRIES):
            aggregate = await self.repository.get(stream_id) or create()
            outcome = decide(aggregate)
            try:
                if await self.repository.save(aggregate):
                    self.on_recorded()
            except ConcurrencyConflict:
                continue
            return outcome
        raise ConcurrencyConflict(f"gave up after {CONFLICT_RETRIES} conflicting writes to {stream_id}")
