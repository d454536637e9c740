"""Partition leases: which worker owns which partition, with an epoch that fences a worker that lost one.

Keys under the prefix: `workers` (a sorted set: worker name -> the time its heartbeat runs out),
`lease:<partition>` ("<worker>|<epoch>", expiring unless renewed), `epoch:<partition>` (a counter).

Every beat a worker renews its heartbeat and leases, drops dead workers from the set, and computes from the
live set the partitions it should own (`application.ownership.assignment`, the same answer in every worker).
It gives up the ones it should no longer own (after its caller stopped work on them) and claims the ones it
should own once their previous holder's lease is gone: released, or expired after the holder died. Each
claim takes a new epoch, so the lease token "<worker>|<epoch>" of a previous holding never matches again:
the gateway refuses a Telegram call, and the bus an acknowledgement, made under a stale token.
"""

import threading
import time
from dataclasses import dataclass
from typing import Any

from application.ownership import CONTROL, Partition, all_partitions, assignment

LEASE_SECONDS = 5.0
BEAT_SECONDS = 1.0

# KEYS: lease, epoch. ARGV: worker, ttl ms. The epoch of our lease, renewed or newly taken; nil if another holds it.
_CLAIM = """
local held = redis.call('GET', KEYS[1])
if held then
  local sep = string.find(held, '|', 1, true)
  if string.sub(held, 1, sep - 1) ~= ARGV[1] then return false end
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return string.sub(held, sep + 1)
end
local epoch = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. epoch, 'PX', ARGV[2])
return tostring(epoch)
"""
# KEYS: lease. ARGV: token, ttl ms. 1 if still ours (renewed).
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
return 0
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass(frozen=True)
class Holding:
    partition: Partition
    epoch: int
    token: str  # "<worker>|<epoch>"


class PartitionLeases:
    def __init__(self, client: Any, prefix: str, worker: str, partitions: int,
                 lease_seconds: float = LEASE_SECONDS) -> None:
        self._client = client
        self._prefix = prefix
        self.worker = worker
        self.partitions = partitions
        self._ttl_ms = int(lease_seconds * 1000)
        self._claim = client.register_script(_CLAIM)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self.held: dict[Partition, Holding] = {}
        # Found lost by the renewing thread, by partition: a token names a worker and an epoch, and every partition
        # a worker first claims has epoch 1, so the token alone would make one lost partition lose them all.
        self._lost: set[tuple[Partition, str]] = set()
        self._renewer: threading.Thread | None = None
        self._stop_renewing = threading.Event()

    def renew_in_thread(self, url: str, every: float = BEAT_SECONDS) -> None:
        """Renew the heartbeat and the leases from a thread with a connection of its own: a worker whose event
        loop is busy for seconds (thousands of updates in hand on a shared CPU) is alive, and must not lose
        its partitions for that. A dead process renews nothing, so its leases still run out."""
        import redis

        sync = redis.Redis.from_url(url, socket_timeout=2)
        renew = sync.register_script(_RENEW)

        def loop() -> None:
            while not self._stop_renewing.wait(every):
                try:
                    sync.zadd(self._workers, {self.worker: int(time.time() * 1000) + self._ttl_ms})
                    for partition, holding in list(self.held.items()):
                        if not renew(keys=[self.lease_key(partition)], args=[holding.token, self._ttl_ms]):
                            self._lost.add((partition, holding.token))
                except Exception:  # Redis away: the leases run out, as they must
                    continue
            sync.close()

        self._renewer = threading.Thread(target=loop, name=f"leases-{self.worker}", daemon=True)
        self._renewer.start()

    def stop_renewing(self) -> None:
        self._stop_renewing.set()
        if self._renewer is not None:
            self._renewer.join(5)

    def lease_key(self, partition: Partition) -> str:
        return lease_key(self._prefix, partition)

    def _epoch_key(self, partition: Partition) -> str:
        return f"{self._prefix}epoch:{'control' if partition == CONTROL else partition}"

    @property
    def _workers(self) -> str:
        return f"{self._prefix}workers"

    async def live_workers(self) -> list[str]:
        now_ms = int(time.time() * 1000)
        await self._client.zremrangebyscore(self._workers, "-inf", now_ms)
        return [_text(w) for w in await self._client.zrange(self._workers, 0, -1)]

    async def heartbeat(self) -> None:
        await self._client.zadd(self._workers, {self.worker: int(time.time() * 1000) + self._ttl_ms})

    async def wanted(self) -> list[Partition]:
        """What this worker should own now, by the live workers' shared assignment."""
        await self.heartbeat()
        return assignment(await self.live_workers(), self.partitions).get(self.worker, [])

    async def renew(self) -> list[Partition]:
        """Renew every lease held (unless a thread does); return the partitions found lost and forget them."""
        lost = []
        for partition, holding in list(self.held.items()):
            if self._renewer is not None:
                gone = (partition, holding.token) in self._lost
                self._lost.discard((partition, holding.token))
            else:
                gone = not await self._renew(keys=[self.lease_key(partition)], args=[holding.token, self._ttl_ms])
            if gone:
                lost.append(partition)
                del self.held[partition]
        return lost

    async def claim(self, partition: Partition) -> Holding | None:
        epoch = await self._claim(keys=[self.lease_key(partition), self._epoch_key(partition)],
                                  args=[self.worker, self._ttl_ms])
        if epoch is None:
            return None
        holding = Holding(partition, int(_text(epoch)), f"{self.worker}|{_text(epoch)}")
        self.held[partition] = holding
        return holding

    async def release(self, partition: Partition) -> None:
        holding = self.held.pop(partition, None)
        if holding is not None:
            self._lost.discard((partition, holding.token))  # the thread may have renewed it as it went
            await self._release(keys=[self.lease_key(partition)], args=[holding.token])

    async def leave(self) -> None:
        """Give up everything and drop out of the live set, so the others rebalance at their next beat."""
        self.stop_renewing()
        for partition in list(self.held):
            await self.release(partition)
        await self._client.zrem(self._workers, self.worker)

    async def owners(self) -> dict[str, str]:
        """partition -> worker holding it now (for metrics and tests)."""
        found = {}
        for partition in all_partitions(self.partitions):
            value = await self._client.get(self.lease_key(partition))
            if value is not None:
                found[str(partition)] = _text(value).split("|")[0]
        return found


def lease_key(prefix: str, partition: Partition) -> str:
    return f"{prefix}lease:{'control' if partition == CONTROL else partition}"
