"""Handlers wired to in-memory adapters and the simulated Telegram."""


from adapters.memory.event_store import InMemoryEventStore
from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.gateway import SimulatedTelegram
from adapters.simulated_telegram.model import Chat, Participant, Person
from adapters.simulated_telegram.world import World
from application.commands import GroupMessage, VerifyPressed
from domain.senders import USER, Sender
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings


class CountingStore(InMemoryEventStore):
    def __init__(self) -> None:
        super().__init__()
        self.stream_reads = 0
        self.loads = 0  # aggregate loads alone (a load also counts as a stream read)
        self.appends = 0

    async def read_stream(self, stream_id, after_version=0):
        self.stream_reads += 1
        return await super().read_stream(stream_id, after_version)

    async def load_stream(self, stream_id):
        self.loads += 1
        return await super().load_stream(stream_id)

    async def append(self, events, tracking=None):
        self.appends += bool(events)
        return await super().append(events, tracking)


def make_world() -> World:
    world = World(bot_id=999)
    for uid, name in ((1, "Alice"), (2, "Bob"), (10, "Admin")):
        world.people[uid] = Person(uid, name)
    news = Chat(1001, "channel", "News", "news")
    news.participants = {1: Participant("member"), 999: Participant("admin")}
    group = Chat(2001, "group", "Chat")
    group.participants = {10: Participant("creator"), 1: Participant("member"), 2: Participant("member"),
                          999: Participant("admin")}
    world.chats = {1001: news, 2001: group}
    return world


async def boot(store: CountingStore | None = None):
    world, clock, store = make_world(), SimulatedClock(), store or CountingStore()
    telegram = SimulatedTelegram(world, clock)
    gate = await bootstrap(Settings(event_store="memory"), clock=clock, gateway=telegram, store=store).start()
    return gate, telegram, store


def message(user: int, text: str = "hi", message_id: int = 50) -> GroupMessage:
    return GroupMessage(2001, message_id, Sender(USER, user), "text", text, sender_name=f"user{user}")


async def protect(gate) -> None:
    await gate.handle(GroupMessage(2001, 1, Sender(USER, 10), "text", "/protect @news"))
    await gate.settle()


async def test_a_verified_cached_member_costs_no_telegram_call_and_no_store_read() -> None:
    gate, telegram, store = await boot()
    await protect(gate)
    assert await gate.handle(message(1)) == "passed"
    await gate.settle()
    calls, reads, appends = sum(telegram.calls.values()), store.stream_reads, store.appends
    for n in range(100):
        assert await gate.handle(message(1, message_id=100 + n)) == "passed"
    await gate.settle()
    assert sum(telegram.calls.values()) == calls
    assert store.stream_reads == reads
    assert store.appends == appends


async def test_a_non_subscriber_is_restricted_muted_warned_and_the_message_deleted() -> None:
    gate, telegram, store = await boot()
    await protect(gate)
    assert await gate.handle(message(2, message_id=77)) == "restricted"
    await gate.settle()
    world = telegram.world
    assert not world.can_write(2001, 2)
    names = [type(r.event).__name__ for r in await store.read_all()]
    assert {"MemberRestricted", "MuteApplied", "WarningPosted"} <= set(names)
    warning = world.live_bot_messages(2001)[-1]
    assert "@news" in warning.text and warning.buttons[-1][0]["data"]


async def test_only_the_restricted_member_may_press_their_verify() -> None:
    gate, telegram, _ = await boot()
    await protect(gate)
    await gate.handle(message(2))
    await gate.settle()
    data = telegram.world.live_bot_messages(2001)[-1].buttons[-1][0]["data"]
    assert await gate.handle(VerifyPressed(1, 2001, 1, data)) == "not_yours"
    assert await gate.handle(VerifyPressed(2, 2001, 2, b"forged" + data[6:])) == "invalid"
    assert await gate.handle(VerifyPressed(3, 2001, 2, data)) == "still_missing"
    telegram.world.join(1001, 2)
    telegram.world.outbox.clear()  # the bot is not told: only the press can release
    assert await gate.handle(VerifyPressed(4, 2001, 2, data)) == "released"
    await gate.settle()
    assert telegram.world.can_write(2001, 2)
    assert "another member" in telegram.callback_answers[0][1]


async def test_a_first_decision_about_a_member_reads_no_stream() -> None:
    gate, _, store = await boot()
    await protect(gate)
    reads = store.stream_reads
    assert await gate.handle(message(1)) == "passed"
    assert await gate.handle(message(2, message_id=51)) == "restricted"
    await gate.ctx.behind.settled()  # the pass is recorded behind its answer
    assert store.stream_reads == reads  # the views knew neither member, so nothing was read before the append


async def test_a_view_behind_the_log_costs_a_retry_not_a_wrong_record() -> None:
    gate, _, store = await boot()
    await protect(gate)
    assert await gate.handle(message(1)) == "passed"
    await gate.settle()
    events = len(await store.read_all())
    views = gate.ctx.read_models
    known = views.verdict

    async def lagging(chat_id: int, member_id: int):
        # As if another instance had written this member's stream and the views had not caught up yet.
        return None if member_id == 1 else await known(chat_id, member_id)

    views.verdict = lagging
    loads = store.loads
    assert await gate.handle(message(1, message_id=51)) == "passed"
    await gate.ctx.behind.settled()
    assert store.loads == loads + 1  # the append conflicted and the retry loaded the stream
    assert len(await store.read_all()) == events  # already verified: the retry recorded nothing twice
