"""Read models in Redis, so every bot instance answers from the same projection.

Key layout under `<prefix>read:`
    group:<chat>               GroupView as JSON
    channel:<channel>          set of protected chat ids requiring that channel
    verdict:<chat>:<member>    VerdictView as JSON
    restricted:<chat>          set of member ids currently restricted there
    checked:<chat>             set of member ids the gate decided about there (admins' figures)
    released:<chat>            sorted set of member ids by their latest release, as epoch seconds (the last
                               RELEASES_KEPT of them, counted back from the group's latest release)
    position                   the log position the views above reflect

A batch and its position are written in one MULTI/EXEC while the position key is WATCHed: either all
of it lands or none of it does, and a batch at or below the stored position is dropped, so replaying
a batch after a crash never applies it twice. (All keys share no hash tag: this assumes a single
Redis primary, not a cluster.)
"""

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from redis.exceptions import WatchError

from adapters.redis import unlink_under
from adapters.redis.errors import bounded
from application.ports.read_models import RELEASES_KEPT, GroupView, VerdictView
from domain.channel import Channel
from domain.membership_verdict import RESTRICTED


class RedisReadModels:
    def __init__(self, client: Any, prefix: str, timeout: float = 0.5) -> None:
        self._client = client
        self._timeout = timeout
        self._namespace = f"{prefix}read:"
        self._position_key = f"{self._namespace}position"
        self._warned_key = f"{self._namespace}warned"

    def _group_key(self, chat_id: int) -> str:
        return f"{self._namespace}group:{chat_id}"

    def _channel_key(self, channel_id: int) -> str:
        return f"{self._namespace}channel:{channel_id}"

    def _verdict_key(self, chat_id: int, member_id: int) -> str:
        return f"{self._namespace}verdict:{chat_id}:{member_id}"

    def _restricted_key(self, chat_id: int) -> str:
        return f"{self._namespace}restricted:{chat_id}"

    def _checked_key(self, chat_id: int) -> str:
        return f"{self._namespace}checked:{chat_id}"

    def _released_key(self, chat_id: int) -> str:
        return f"{self._namespace}released:{chat_id}"

    def _member_key(self, member_id: int) -> str:
        return f"{self._namespace}restricted_member:{member_id}"

    async def group(self, chat_id: int) -> GroupView | None:
        raw = await bounded(self._client.get(self._group_key(chat_id)), self._timeout, "GET group")
        return None if raw is None else _group(raw)

    async def groups_for_channel(self, channel_id: int) -> list[int]:
        members = await bounded(self._client.smembers(self._channel_key(channel_id)), self._timeout, "SMEMBERS")
        return sorted(int(m) for m in members)

    async def verdict(self, chat_id: int, member_id: int) -> VerdictView | None:
        raw = await bounded(self._client.get(self._verdict_key(chat_id, member_id)), self._timeout, "GET verdict")
        return None if raw is None else _verdict(raw)

    async def restricted(self, chat_id: int) -> list[VerdictView]:
        members = await bounded(self._client.smembers(self._restricted_key(chat_id)), self._timeout, "SMEMBERS")
        if not members:
            return []
        keys = [self._verdict_key(chat_id, m) for m in sorted(int(m) for m in members)]
        raws = await bounded(self._client.mget(keys), self._timeout, "MGET verdicts")
        return [_verdict(raw) for raw in raws if raw is not None]

    async def restricted_member(self, member_id: int) -> list[VerdictView]:
        chats = await bounded(self._client.smembers(self._member_key(member_id)), self._timeout, "SMEMBERS")
        if not chats:
            return []
        keys = [self._verdict_key(c, member_id) for c in sorted(int(c) for c in chats)]
        raws = await bounded(self._client.mget(keys), self._timeout, "MGET verdicts")
        return [_verdict(raw) for raw in raws if raw is not None]

    async def live_warnings(self) -> list[VerdictView]:
        members = await bounded(self._client.smembers(self._warned_key), self._timeout, "SMEMBERS warned")
        keys = sorted(tuple(int(x) for x in _text(m).split(":")) for m in members)
        if not keys:
            return []
        raws = await bounded(self._client.mget([self._verdict_key(c, m) for c, m in keys]), self._timeout, "MGET")
        return [_verdict(raw) for raw in raws if raw is not None]

    async def checked(self, chat_id: int) -> int:
        return int(await bounded(self._client.scard(self._checked_key(chat_id)), self._timeout, "SCARD checked"))

    async def released_since(self, chat_id: int, since: datetime) -> int:
        count = self._client.zcount(self._released_key(chat_id), since.timestamp(), "+inf")
        return int(await bounded(count, self._timeout, "ZCOUNT released"))

    async def position(self) -> int:
        raw = await bounded(self._client.get(self._position_key), self._timeout, "GET position")
        return int(raw or 0)

    async def apply(self, position: int, groups: Sequence[GroupView], verdicts: Sequence[VerdictView]) -> None:
        """Store these views and the new position together, or nothing at all; ignore a stale position."""
        await bounded(self._apply(position, groups, verdicts), self._timeout, "apply read models")

    async def _apply(self, position: int, groups: Sequence[GroupView], verdicts: Sequence[VerdictView]) -> None:
        async with self._client.pipeline(transaction=True) as pipe:
            # A WatchError means another writer moved the position (or the connection died after WATCH):
            # start over from a fresh read. The caller's deadline bounds the retries.
            while True:
                try:
                    await pipe.watch(self._position_key)
                    if position <= int(await pipe.get(self._position_key) or 0):
                        return
                    old = await pipe.mget([self._group_key(g.chat_id) for g in groups]) if groups else []
                    pipe.multi()
                    self._queue(pipe, groups, verdicts, old)
                    pipe.set(self._position_key, position)
                    await pipe.execute()
                    return
                except WatchError:
                    continue

    def _queue(self, pipe: Any, groups: Sequence[GroupView], verdicts: Sequence[VerdictView], old: list) -> None:
        """The writes of one batch, in the same order and with the same effect as the in-memory store."""
        # Channels each chat is indexed under so far; a chat seen twice in a batch starts from its previous update.
        linked = {g.chat_id: [c["id"] for c in json.loads(raw)["channels"]] for g, raw in zip(groups, old, strict=True)
                  if raw}
        for group in groups:
            for channel_id in linked.get(group.chat_id, ()):
                pipe.srem(self._channel_key(channel_id), group.chat_id)
            if group.protected:
                for channel_id in group.channel_ids:
                    pipe.sadd(self._channel_key(channel_id), group.chat_id)
            pipe.set(self._group_key(group.chat_id), json.dumps(asdict(group)))
            linked[group.chat_id] = group.channel_ids
        # A few commands per batch rather than three per verdict: the views in one MSET, each set's additions
        # and removals in one command each. Only a member's last view in the batch counts, as in memory.
        latest = {(v.chat_id, v.member_id): v for v in verdicts}
        if not latest:
            return
        pipe.mset({self._verdict_key(c, m): json.dumps(_verdict_data(v)) for (c, m), v in latest.items()})
        restricted: dict[int, tuple[list[int], list[int]]] = {}
        by_member: dict[int, tuple[list[int], list[int]]] = {}
        warned: tuple[list[str], list[str]] = ([], [])
        checked: dict[int, list[int]] = {}
        released: dict[int, dict[int, float]] = {}
        for (chat_id, member_id), verdict in latest.items():
            if verdict.decided:
                checked.setdefault(chat_id, []).append(member_id)
            if verdict.released_at is not None:
                released.setdefault(chat_id, {})[member_id] = verdict.released_at.timestamp()
            added, removed = restricted.setdefault(chat_id, ([], []))
            (added if verdict.status == RESTRICTED else removed).append(member_id)
            added, removed = by_member.setdefault(member_id, ([], []))
            (added if verdict.status == RESTRICTED else removed).append(chat_id)
            warned[verdict.warning_id is None].append(f"{chat_id}:{member_id}")
        for chat_id, (added, removed) in restricted.items():
            _add_remove(pipe, self._restricted_key(chat_id), added, removed)
        for member_id, (added, removed) in by_member.items():
            _add_remove(pipe, self._member_key(member_id), added, removed)
        _add_remove(pipe, self._warned_key, *warned)
        for chat_id, members in checked.items():
            pipe.sadd(self._checked_key(chat_id), *members)
        for chat_id, scores in released.items():
            pipe.zadd(self._released_key(chat_id), scores)
            # Forget what is older than the kept window, counted back from the newest release seen so far (the
            # batch's may be older than one already stored: replaying the log again moves nothing).
            oldest = max(scores.values()) - RELEASES_KEPT.total_seconds()
            pipe.zremrangebyscore(self._released_key(chat_id), "-inf", f"({oldest}")

    async def clear(self) -> None:
        await unlink_under(self._client, self._namespace, self._timeout)


_TIMES = ("since", "warning_at", "released_at")


def _add_remove(pipe: Any, key: str, added: list, removed: list) -> None:
    if added:
        pipe.sadd(key, *added)
    if removed:
        pipe.srem(key, *removed)


def _group(raw: bytes | str) -> GroupView:
    data = json.loads(raw)
    return GroupView(**{**data, "channels": [Channel.of(c) for c in data["channels"]]})


def _verdict_data(verdict: VerdictView) -> dict[str, Any]:
    data = asdict(verdict)
    for key in _TIMES:
        data[key] = data[key].isoformat() if data[key] else None
    return data


def _verdict(raw: bytes | str) -> VerdictView:
    data = json.loads(raw)
    for key in _TIMES:
        if data.get(key) is not None:
            data[key] = datetime.fromisoformat(data[key])
    return VerdictView(**data)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
