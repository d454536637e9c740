"""/link and /protect with bad or wasteful channel lists: a polite answer, nothing changed, and no more calls to
Telegram than the distinct channels named (the channel limit is checked before the first call)."""

import pytest

from domain.protected_group import MAX_CHANNELS
from tests.reliability.harness import ADMIN, boot

TELEGRAM_IDS = 2**63  # signed 64-bit


def lookups(bot) -> int:
    """Channels looked up by name or by id (the simulated gateway counts them as Telegram names them)."""
    return bot.telegram.calls["resolve_username"] + bot.telegram.calls["get_channels"]


@pytest.mark.parametrize("ref", ["9999999999999999999", str(TELEGRAM_IDS), str(-TELEGRAM_IDS - 1), "9" * 400])
@pytest.mark.parametrize("command", ["/link", "/protect"])
async def test_an_id_outside_telegrams_range_is_answered_as_not_a_valid_channel_id(command, ref) -> None:
    bot = await boot(protected=command == "/link")
    before, calls = await bot.group_state(), sum(bot.telegram.calls.values())
    await bot.say(ADMIN, f"{command} {ref}", 50)
    (reply,) = bot.replies_to(50)
    assert "is not a valid channel id" in reply and len(reply) < 200
    assert await bot.group_state() == before
    assert sum(bot.telegram.calls.values()) - calls <= 2  # the admin list and the reply; no channel was asked about


async def test_the_same_channel_named_many_times_is_asked_about_once() -> None:
    bot = await boot()
    await bot.say(ADMIN, "/protect " + " ".join(["@news", "@NEWS", "t.me/news", "https://t.me/news"] * 200), 50)
    (reply,) = bot.replies_to(50)
    assert "@news" in reply and "protect" in reply.lower()
    # The channel's rights once, and the bot's own rights in the group for the self-check that follows.
    assert lookups(bot) == 1 and bot.telegram.calls["get_participant"] == 2
    protected, channels, _ = await bot.group_state()
    assert protected and [c["id"] for c in channels] == [1001]


async def test_more_channels_than_the_limit_are_refused_before_any_call() -> None:
    bot = await boot(protected=True)  # one channel linked already
    asked = lookups(bot)
    named = [f"@channel{n:03d}" for n in range(MAX_CHANNELS)]  # 10 new ones: 11 with the linked one
    await bot.say(ADMIN, "/link " + " ".join(named * 80), 50)
    (reply,) = bot.replies_to(50)
    assert f"at most {MAX_CHANNELS} channels" in reply
    assert lookups(bot) == asked

    fresh = await boot()
    await fresh.say(ADMIN, "/protect " + " ".join(f"@channel{n:03d}" for n in range(MAX_CHANNELS + 1)), 50)
    assert f"at most {MAX_CHANNELS} channels" in fresh.replies_to(50)[0]
    assert lookups(fresh) == 0
    assert await fresh.group_state() is None or not (await fresh.group_state())[0]


async def test_a_channel_already_linked_does_not_count_twice_against_the_limit() -> None:
    bot = await boot(protected=True)
    group = await bot.group_state()
    named = ["@news", "1001"] + [f"@channel{n:03d}" for n in range(MAX_CHANNELS - 1)]  # 1 linked + 9 new = 10
    await bot.say(ADMIN, "/link " + " ".join(named), 50)
    (reply,) = bot.replies_to(50)
    assert "at most" not in reply  # within the limit: the channels are looked up (and are not found here)
    assert await bot.group_state() == group
