"""The gateway's lease: the one process connected to Telegram, with an epoch that fences its predecessors.

The lock is a session-level advisory lock like the store's lease (`adapters/postgres/lease.py`), under a key
of its own, so a bot's store lease and the gateway's never collide. Whoever takes it moves the epoch row on
by one in the same session: the epoch is then written to Redis, and the gateway's call desk refuses to carry
out anything while Redis names a later epoch than its own (a gateway cut off from PostgreSQL that has not
noticed yet).
"""

from adapters.postgres.guarded import unless_lost
from adapters.postgres.lease import ANSWER_WITHIN, PostgresLease

_EPOCH = """
CREATE TABLE IF NOT EXISTS chanwarden_gateway_epoch (id int PRIMARY KEY, epoch bigint NOT NULL);
"""
_BUMP = """
INSERT INTO chanwarden_gateway_epoch (id, epoch) VALUES (1, 1)
ON CONFLICT (id) DO UPDATE SET epoch = chanwarden_gateway_epoch.epoch + 1
RETURNING epoch
"""


class GatewayLease(PostgresLease):
    def __init__(self, dsn: str, check_every: float = 1.0) -> None:
        super().__init__(dsn, name="chanwarden_gateway", check_every=check_every)
        self.epoch: int | None = None

    async def acquire(self) -> bool:
        was_held = self._held
        if not await super().acquire():
            return False
        if not was_held:
            assert self._connection is not None
            await unless_lost(self._connection.execute(_EPOCH), "lease", ANSWER_WITHIN)
            self.epoch = int(await unless_lost(self._connection.fetchval(_BUMP), "lease", ANSWER_WITHIN))
        return True
