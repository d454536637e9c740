"""A fake clock that runs simulated minutes in milliseconds, and an inner gateway that records when it was called."""

import asyncio

from adapters.ratelimit.gateway import RateLimitedGateway
from adapters.ratelimit.scheduler import PriorityScheduler, RateLimits
from application.ports.telegram import ChannelInfo, OutgoingMessage, Participant, TelegramError

MSG = OutgoingMessage("hello")


class FakeClock:
    """Virtual time. A sleep first lets every ready task run, so time only moves once the loop has nothing else
    to do at the present instant; then it jumps straight to the deadline."""

    def __init__(self) -> None:
        self.now = 0.0

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        for _ in range(20):
            await asyncio.sleep(0)
        self.now += max(seconds, 0.0)


class RecordingGateway:
    bot_id = 999

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.calls: list[tuple[str, int | None, float]] = []
        self._floods: dict[tuple[str, int | None], list[float]] = {}
        self.fail_with: TelegramError | None = None

    def flood(self, method: str, chat_id: int | None, *retry_afters: float) -> None:
        """The next calls of `method` in `chat_id` answer FLOOD_WAIT with these waits, one per call."""
        self._floods[(method, chat_id)] = list(retry_afters)

    def times(self, method: str, chat_id: int | None = None) -> list[float]:
        return [t for m, c, t in self.calls if m == method and (chat_id is None or c == chat_id)]

    def _record(self, method: str, chat_id: int | None) -> None:
        self.calls.append((method, chat_id, self.clock.time()))
        pending = self._floods.get((method, chat_id))
        if pending:
            raise TelegramError(TelegramError.FLOOD_WAIT, retry_after=pending.pop(0))
        if self.fail_with is not None:
            raise self.fail_with

    async def get_participant(self, chat_id, user_id):
        self._record("get_participant", chat_id)
        return Participant("member")

    async def get_admins(self, chat_id):
        self._record("get_admins", chat_id)
        return frozenset()

    async def resolve_channel(self, ref):
        self._record("resolve_channel", ref if isinstance(ref, int) else None)
        return ChannelInfo(1, "News", "news")

    async def export_invite_link(self, channel_id):
        self._record("export_invite_link", channel_id)
        return "https://t.me/+x"

    async def restrict(self, chat_id, member_id, restrictions, until=None):
        self._record("restrict", chat_id)

    async def kick(self, chat_id, member_id):
        self._record("kick", chat_id)

    async def send_message(self, chat_id, message, key=None):
        self._record("send_message", chat_id)
        return len(self.calls)

    async def send_private(self, user_id, text, key=None):
        self._record("send_private", None)

    async def edit_message(self, chat_id, message_id, message):
        self._record("edit_message", chat_id)

    async def delete_messages(self, chat_id, message_ids):
        self._record("delete_messages", chat_id)

    async def answer_callback(self, query_id, text, alert=False):
        self._record("answer_callback", None)

    async def decide_join_request(self, chat_id, user_id, approve):
        self._record("decide_join_request", chat_id)


def make(**limits) -> tuple[FakeClock, RecordingGateway, PriorityScheduler, RateLimitedGateway]:
    clock = FakeClock()
    inner = RecordingGateway(clock)
    scheduler = PriorityScheduler(clock, RateLimits(**limits))
    return clock, inner, scheduler, RateLimitedGateway(inner, scheduler)


async def until(predicate) -> None:
    """Yield to the loop until `predicate()` holds (without letting the fake clock jump: see FakeClock.sleep)."""
    for _ in range(10):
        if predicate():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition not reached")
