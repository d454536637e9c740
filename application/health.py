"""Which parts are working right now: the bot keeps deciding correctly while some are degraded."""

from dataclasses import dataclass, field


@dataclass
class Health:
    problems: dict[str, str] = field(default_factory=dict)

    def failed(self, component: str, detail: str) -> None:
        self.problems[component] = detail

    def recovered(self, component: str) -> None:
        self.problems.pop(component, None)

    @property
    def degraded(self) -> bool:
        return bool(self.problems)
