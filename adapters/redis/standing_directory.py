"""The groups' standing directories in Redis, so every bot process (gateway and workers) reads the same one.

Key layout under `<prefix>standing:<chat>:`
    entries    hash member id -> [status, [rights], until epoch seconds or null] (non-default places only)
    state      "complete", the token of a fill under way, or absent (in doubt)
    noted      set of members noted by participant updates while a fill was under way

Noting and finishing a fill are each one Lua script, so a fill that finishes while an update is noted can
neither overwrite the newer change nor mark complete a directory that was doubted meanwhile.
"""

import json
from datetime import UTC, datetime
from typing import Any

from adapters.redis import unlink_under
from adapters.redis.errors import bounded
from application.ports.standing_directory import Listed
from application.ports.telegram import Participant

COMPLETE = "complete"

_NOTE = """
if ARGV[2] == '' then redis.call('HDEL', KEYS[2], ARGV[1]) else redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
local state = redis.call('GET', KEYS[1])
if state and state ~= 'complete' then redis.call('SADD', KEYS[3], ARGV[1]) end
return 1
"""

_FINISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local noted = {}
for _, member in ipairs(redis.call('SMEMBERS', KEYS[3])) do noted[member] = true end
local kept = {}
for member, _ in pairs(noted) do
  local value = redis.call('HGET', KEYS[2], member)
  if value then kept[member] = value end
end
redis.call('DEL', KEYS[2])
for i = 2, #ARGV, 2 do
  if not noted[ARGV[i]] then redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
end
for member, value in pairs(kept) do redis.call('HSET', KEYS[2], member, value) end
redis.call('SET', KEYS[1], 'complete')
redis.call('DEL', KEYS[3])
return 1
"""


class RedisStandingStore:
    def __init__(self, client: Any, prefix: str, timeout: float = 0.5) -> None:
        self._client = client
        self._timeout = timeout
        self._namespace = f"{prefix}standing:"
        self._note = client.register_script(_NOTE)
        self._finish = client.register_script(_FINISH)

    def _keys(self, chat_id: int) -> list[str]:
        base = f"{self._namespace}{chat_id}:"
        return [base + "state", base + "entries", base + "noted"]

    async def lookup(self, chat_id: int, member_id: int) -> Listed:
        state_key, entries_key, _ = self._keys(chat_id)
        pipe = self._client.pipeline(transaction=True)
        pipe.get(state_key)
        pipe.hget(entries_key, str(member_id))
        state, raw = await bounded(pipe.execute(), self._timeout, "standing lookup")
        return Listed(_text(state) == COMPLETE, None if raw is None else _participant(raw))

    async def begin_fill(self, chat_id: int, token: str) -> None:
        state_key, _, noted_key = self._keys(chat_id)
        pipe = self._client.pipeline(transaction=True)
        pipe.set(state_key, token)
        pipe.delete(noted_key)
        await bounded(pipe.execute(), self._timeout, "standing fill begins")

    async def finish_fill(self, chat_id: int, token: str, entries: dict[int, Participant]) -> bool:
        args: list[str] = [token]
        for member, participant in entries.items():
            args += [str(member), _encoded(participant)]
        return bool(await bounded(self._finish(keys=self._keys(chat_id), args=args), self._timeout, "standing fill"))

    async def note(self, chat_id: int, member_id: int, participant: Participant | None) -> None:
        value = "" if participant is None else _encoded(participant)
        noting = self._note(keys=self._keys(chat_id), args=[str(member_id), value])
        await bounded(noting, self._timeout, "standing note")

    async def doubt(self, chat_id: int) -> None:
        await bounded(self._client.delete(self._keys(chat_id)[0]), self._timeout, "standing doubt")

    async def doubt_all(self) -> None:
        await unlink_under(self._client, self._namespace, self._timeout * 10, rest="*:state")


def _encoded(participant: Participant) -> str:
    until = None if participant.until is None else participant.until.timestamp()
    return json.dumps([str(participant.status), sorted(participant.restrictions), until])


def _participant(raw: bytes | str) -> Participant:
    status, rights, until = json.loads(raw)
    return Participant(status, frozenset(rights), None if until is None else datetime.fromtimestamp(until, UTC))


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value
