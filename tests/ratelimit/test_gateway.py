"""Which priority each port method runs at, and the P0 view used for Verify handling."""

from adapters.ratelimit.gateway import RateLimitedGateway
from adapters.ratelimit.scheduler import PriorityScheduler
from tests.ratelimit.fakes import MSG, FakeClock, RecordingGateway

A = -1001


class RecordingScheduler(PriorityScheduler):
    def __init__(self) -> None:
        super().__init__(FakeClock())
        self.runs: list[tuple[int, int | None, str, bool]] = []

    async def run(self, priority, chat_id, method, call, sends_message):
        self.runs.append((priority, chat_id, method, sends_message))
        return await super().run(priority, chat_id, method, call, sends_message)


async def exercise(gateway: RateLimitedGateway) -> None:
    await gateway.answer_callback(7, "ok")
    await gateway.restrict(A, 5, frozenset())
    await gateway.kick(A, 5)
    await gateway.delete_messages(A, [1])
    await gateway.decide_join_request(A, 5, True)
    await gateway.get_participant(A, 5)
    await gateway.get_admins(A)
    await gateway.resolve_channel("news")
    await gateway.export_invite_link(A)
    await gateway.send_message(A, MSG)
    await gateway.edit_message(A, 1, MSG)
    await gateway.send_private(5, "subscribe first")


async def test_each_method_runs_at_its_priority_and_only_send_message_counts_as_a_message():
    scheduler = RecordingScheduler()
    inner = RecordingGateway(FakeClock())
    await exercise(RateLimitedGateway(inner, scheduler))
    assert scheduler.runs == [
        (0, None, "answer_callback", False),
        (1, A, "restrict", False),
        (1, A, "kick", False),
        (1, A, "delete_messages", False),
        (1, A, "decide_join_request", False),
        (1, A, "get_participant", False),
        (1, A, "get_admins", False),
        (1, None, "resolve_channel", False),
        (1, A, "export_invite_link", False),
        (2, A, "send_message", True),
        (2, A, "edit_message", False),
        (2, None, "send_private", False),
    ]
    assert [method for method, _, _ in inner.calls] == [method for _, _, method, _ in scheduler.runs]


async def test_a_priority_view_shares_the_scheduler_and_passes_bot_id_through():
    scheduler = RecordingScheduler()
    gateway = RateLimitedGateway(RecordingGateway(FakeClock()), scheduler)
    verify = gateway.with_priority(0)
    await verify.restrict(A, 5, frozenset())
    await verify.send_message(A, MSG)
    await gateway.with_priority(2).get_participant(A, 5)  # cache warming goes down to bulk
    assert [(priority, method) for priority, _, method, _ in scheduler.runs] == [
        (0, "restrict"),
        (0, "send_message"),
        (2, "get_participant"),
    ]
    assert verify.bot_id == gateway.bot_id == 999
