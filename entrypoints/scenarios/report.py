"""What a scenario run found: per-step results and the final state, for people and for --json."""

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class StepResult:
    number: int
    step: str
    ok: bool
    detail: str = ""
    skipped: bool = False  # not checkable on this transport (another bot has no chanwarden event log)


@dataclass
class Report:
    scenario: str
    transport: str
    event_store: str
    steps: list[StepResult] = field(default_factory=list)
    can_write: list[dict[str, Any]] = field(default_factory=list)
    bot_messages: dict[str, list[str]] = field(default_factory=dict)
    api_calls: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)  # with --keep: the settings that reopen this run's store

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps)

    @property
    def failures(self) -> list[StepResult]:
        return [s for s in self.steps if not s.ok]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data
