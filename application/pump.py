"""Runs the projector and the reactor after every recording, one pass at a time."""

import asyncio
import logging

from application.health import Health
from application.ports.availability import Unavailable
from application.projector import Projector
from application.reactor import Reactor

log = logging.getLogger(__name__)


class EventPump:
    def __init__(
        self,
        projector: Projector,
        reactor: Reactor,
        shared: list[Projector] | None = None,
        health: Health | None = None,
    ) -> None:
        self._projector = projector
        self.reactor = reactor
        self._shared = shared or []  # read models other processes read; an outage there stops nothing here
        self.health = health or Health()
        self._dirty = False
        self._task: asyncio.Task | None = None

    def poke(self) -> None:
        """Something was recorded: make sure a pass runs soon (never inline, never twice at once)."""
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        # The reactor's own recordings poke again, so their projection happens on the next turn.
        while self._dirty:
            self._dirty = False
            try:
                await self._projector.catch_up()
                await self.reactor.catch_up()
                await self.reactor.expire_warnings()
            except Exception:
                log.exception("event pump pass failed; the next recording retries it")
                return
            for projector in self._shared:
                await self._project_shared(projector)

    async def _project_shared(self, projector: Projector) -> None:
        component = f"read_models:{projector.name}"
        try:
            await projector.catch_up()
        except Unavailable as error:
            # Its position stayed where it was: the next pass after recovery catches it up.
            self.health.failed(component, str(error))
            return
        self.health.recovered(component)

    async def drain(self) -> None:
        """Wait until every recorded decision has been projected and carried out."""
        self.poke()
        while self._task is not None and not self._task.done():
            await self._task
