"""A join whose update says where the member stands in the group costs no question about the group."""


from adapters.memory.event_store import InMemoryEventStore
from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.direct import to_command
from adapters.simulated_telegram.model import Chat, Participant, Person
from adapters.simulated_telegram.world import World
from application import commands as c
from application.ports import telegram as ports
from domain.senders import USER, Sender
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from tests.integration.helpers import CountingTelegram

BOT, CHANNEL, GROUP, CAROL, OWNER = 999, 1001, 2001, 3, 10
ADMIN_SET = frozenset({"send_media"})  # what an admin had taken from Carol before she left


async def boot():
    world = World(bot_id=BOT)
    for uid, name in ((CAROL, "Carol"), (OWNER, "Owner")):
        world.people[uid] = Person(uid, name)
    news = Chat(CHANNEL, "channel", "News", "news", participants={BOT: Participant("admin")})
    # Telegram keeps an admin's restrictions on a member who left.
    group = Chat(GROUP, "group", "Chat", participants={
        OWNER: Participant("creator"), BOT: Participant("admin"), CAROL: Participant("left", ADMIN_SET)})
    world.chats = {CHANNEL: news, GROUP: group}
    telegram = CountingTelegram(world, SimulatedClock())
    gate = await bootstrap(Settings(event_store="memory"), clock=telegram.clock, gateway=telegram,
                           store=InMemoryEventStore()).start()
    await gate.handle(c.GroupMessage(GROUP, 1, Sender(USER, OWNER), "text", "/protect @news"))
    await gate.settle()
    world.outbox.clear()
    return gate, telegram, world


async def deliver(gate, world: World) -> list[object]:
    commands = [to_command(update, world) for update in world.outbox]
    world.outbox.clear()
    outcomes = [await gate.handle(command) for command in commands if command is not None]
    await gate.settle()
    return outcomes


async def test_a_restricted_joiner_costs_no_group_read_and_gets_an_admins_restrictions_back() -> None:
    gate, telegram, world = await boot()
    world.join(GROUP, CAROL)
    [joined] = [to_command(update, world) for update in world.outbox]
    assert joined.participant == ports.Participant("restricted", ADMIN_SET)
    assert await deliver(gate, world) == ["restricted"]
    assert telegram.reads[GROUP] == 0
    assert not world.can_write(GROUP, CAROL)

    world.join(CHANNEL, CAROL)
    assert await deliver(gate, world) == [["passed"]]  # one outcome per group the channel protects
    assert world.chat(GROUP).status_of(CAROL) == Participant("restricted", ADMIN_SET)


async def test_a_joiner_reported_as_a_group_admin_is_exempt_without_a_group_read() -> None:
    gate, telegram, world = await boot()
    world.chat(GROUP).participants[CAROL] = Participant("admin")
    joined = c.MemberJoined(GROUP, CAROL, participant=ports.Participant("admin"))
    assert await gate.handle(joined) == "exempt"
    await gate.settle()
    assert telegram.reads[GROUP] == 0
    assert world.can_write(GROUP, CAROL)


async def test_a_join_told_by_a_service_message_asks_the_group_and_still_keeps_the_restrictions() -> None:
    gate, telegram, world = await boot()
    world.join(GROUP, CAROL)
    world.outbox.clear()
    assert await gate.handle(c.MemberJoined(GROUP, CAROL)) == "restricted"
    await gate.settle()
    assert telegram.reads[GROUP] == 1

    world.join(CHANNEL, CAROL)
    assert await deliver(gate, world) == [["passed"]]  # one outcome per group the channel protects
    assert world.chat(GROUP).status_of(CAROL) == Participant("restricted", ADMIN_SET)
