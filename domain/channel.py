"""A channel a group requires: a value, compared by what it is, never changed in place."""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Channel:
    id: int
    title: str
    username: str | None = None  # None: a private channel, joined only through its invite link
    invite_link: str | None = None  # created once, for a private channel (another would revoke it)

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> "Channel":
        """From the plain data the group's events carry (so the log stays readable without this class)."""
        return cls(data["id"], data["title"], data.get("username"), data.get("invite_link"))

    def as_data(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def name(self) -> str:
        """How members know it: @username for a public channel, its title for a private one."""
        return f"@{self.username}" if self.username else self.title

    @property
    def join_url(self) -> str | None:
        return f"https://t.me/{self.username}" if self.username else self.invite_link
