"""Hostile button presses: random bytes (past Telegram's 64), forged signatures, replays, someone else's
button, another group's button. Only a genuine button pressed by the restricted member who now follows
the channel releases anyone; every press gets an answer; nobody else's state moves.
"""

import asyncio

from hypothesis import given
from hypothesis import strategies as st

from adapters.simulated_telegram.model import Participant, Person
from application.callback_tokens import CallbackTokens
from application.commands import VerifyPressed
from application.warnings import ANYONE
from domain.ids import verdict_stream_id
from tests.reliability.harness import ADMIN, ALICE, BOB, CHANNEL, GROUP, SECRET, boot
from tests.reliability.profiles import FAST

CAROL, STRANGER, OTHER_GROUP = 3, 77, 3001
GENUINE = CallbackTokens(SECRET.encode())
FORGER = CallbackTokens(b"a guess at the secret")


def _flip(data: bytes, at: int) -> bytes:
    at %= len(data)
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


genuine_data = st.sampled_from([
    GENUINE.issue(GROUP, CAROL), GENUINE.issue(GROUP, ANYONE), GENUINE.issue(GROUP, BOB),
    GENUINE.issue(OTHER_GROUP, CAROL), GENUINE.issue(GROUP, STRANGER),
])
hostile_data = (
    st.binary(max_size=80)
    | st.sampled_from([FORGER.issue(GROUP, CAROL), FORGER.issue(GROUP, ANYONE)])
    | st.builds(_flip, genuine_data, st.integers(0, 33))
    | genuine_data.map(lambda d: d[:-1]) | genuine_data.map(lambda d: d + b"\x00")
)
press = st.tuples(st.sampled_from([ALICE, BOB, CAROL, ADMIN, STRANGER]), st.sampled_from([GROUP, OTHER_GROUP]),
                  genuine_data | hostile_data)


def _may_release_carol(presser: int, chat: int, data: bytes) -> bool:
    return presser == CAROL and chat == GROUP and data in (GENUINE.issue(GROUP, CAROL), GENUINE.issue(GROUP, ANYONE))


async def _run(presses: list[tuple[int, int, bytes]]) -> None:
    bot = await boot(protected=True)
    bot.world.people[CAROL] = Person(CAROL, "Carol")
    bot.world.chat(GROUP).participants[CAROL] = Participant("member")
    await bot.say(BOB, "hi", 60)
    await bot.say(CAROL, "hi", 61)
    bot.world.chat(CHANNEL).participants[CAROL] = Participant("member")  # she subscribes; the bot is not told
    assert not bot.world.can_write(GROUP, BOB) and not bot.world.can_write(GROUP, CAROL)
    released = False
    for query, (presser, chat, data) in enumerate(presses, start=100):
        before = len(await bot.events())
        await bot.gate.handle(VerifyPressed(query, chat, presser, data))
        await bot.gate.settle()
        assert query in [q for q, _ in bot.telegram.callback_answers], "a press went unanswered"
        new = (await bot.events())[before:]
        moved = {e.originator_id for e in new}
        if _may_release_carol(presser, chat, data) and not released:
            released = True
            assert moved == {verdict_stream_id(GROUP, CAROL)}
        else:
            assert not moved, f"{presser} pressing {data!r} in {chat} changed {[type(e).__name__ for e in new]}"
        assert bot.world.can_write(GROUP, CAROL) == released
        assert not bot.world.can_write(GROUP, BOB)  # he follows nothing: no button frees him


@FAST
@given(presses=st.lists(press, min_size=1, max_size=4))
def test_only_a_genuine_press_by_the_restricted_member_releases(presses) -> None:
    asyncio.run(_run(presses))


@FAST
@given(data=hostile_data, presser=st.sampled_from([CAROL, BOB]))
def test_a_forged_or_damaged_button_then_the_genuine_one(data, presser) -> None:
    # The genuine press after a hostile one still works once, and a replay of it changes nothing more.
    genuine = GENUINE.issue(GROUP, CAROL)
    asyncio.run(_run([(presser, GROUP, data), (CAROL, GROUP, genuine), (CAROL, GROUP, genuine)]))
