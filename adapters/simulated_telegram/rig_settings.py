"""The settings only the test rig reads: the production Settings, plus where a simulated world comes from.

They live here, with the simulated Telegram, so that the installed product has no setting that turns a
deployed bot into a simulated one (`chanwarden run` refuses them in one line when the rig is absent).
"""

from pathlib import Path
from typing import Literal

from pydantic import field_validator

from infrastructure.settings import Settings


class RigSettings(Settings):
    # Run against a simulated world described by this scenario file instead of Telegram.
    offline_scenario: Path | None = None
    # Be the bot of a simulated world served by another process at "host:port" (tests/reliability).
    remote_world: str | None = None
    # How the remote world hands out updates. poll: numbered batches confirmed by a position file;
    # telegram: pushed, with pts/qts and getDifference, Telethon's own update loop and the session file's state.
    remote_world_updates: Literal["poll", "telegram"] = "poll"

    @field_validator("offline_scenario", "remote_world", mode="before")
    @classmethod
    def _empty_is_unset_too(cls, value: object) -> object:
        # docker-compose.yml sets these empty, so that a .env written for tests cannot turn a deployed bot into
        # a simulated one.
        return None if value == "" else value
