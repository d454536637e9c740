"""Hostile admin commands: random text after /protect and friends, /settings with random keys and values,
unicode and huge strings, from admins and from everyone else.

Whatever arrives: nothing raises, the sender always gets a reply Telegram would accept, a non-admin
changes nothing but the record of the refusal, and an admin changes exactly what a valid command says.
"""

import asyncio

from hypothesis import example, given
from hypothesis import strategies as st

from adapters.simulated_telegram.faults import Fault
from domain.errors import GateRuleError
from domain.protected_group import MAX_CHANNELS
from domain.settings import SETTING_HELP, parse_setting
from tests.reliability.harness import ADMIN, ALICE, BOB, GROUP, TELEGRAM_TEXT_LIMIT, boot
from tests.reliability.profiles import FAST

COMMANDS = ["/protect", "/link", "/unlink", "/unprotect", "/status", "/settings", "/PROTECT@warden_bot", "/Settings"]
VALUES = ["on", "off", "YES", "0", "300", "300s", "604801", "²", "٣٠٠", "-1", "1e3", "mute", "kick", "delete-only",
          "approve-or-decline", "@news", "https://t.me/news", "1001", "-1001001", "9" * 25]
huge = st.builds(lambda piece, n: piece * n, st.text(min_size=1, max_size=3), st.integers(1500, 5000))
word = st.text(max_size=20) | st.sampled_from(VALUES + list(SETTING_HELP)) | huge
text_after = st.lists(word, max_size=4).map(" ".join)


async def _run(sender: int, protected: bool, text: str) -> None:
    bot = await boot(protected)
    state, before = await bot.group_state(), len(await bot.events())
    await bot.say(sender, text, 500)  # must not raise, whatever the text
    replies = bot.replies_to(500)
    assert len(replies) == 1, f"{len(replies)} replies to {text[:80]!r}"
    assert 0 < len(replies[0]) <= TELEGRAM_TEXT_LIMIT, f"a reply of {len(replies[0])} characters"
    new = (await bot.events())[before:]
    group_events = [type(e).__name__ for e in new if type(e).__module__.endswith("protected_group")]
    after = await bot.group_state()
    if sender != ADMIN:
        assert after == state if state is not None else not after[0], "a non-admin changed the group"
        assert set(group_events) <= {"Registered", "CommandRefused"} and "CommandRefused" in group_events
        return
    if after is not None and after[0]:
        ids = [c["id"] for c in after[1]]
        assert 1 <= len(ids) <= MAX_CHANNELS and len(set(ids)) == len(ids)
    words = text.split()
    if words[0].lower().startswith("/settings") and len(words) == 3:
        key, raw = words[1].lower(), words[2]
        try:
            value = parse_setting(key, raw)
        except GateRuleError:
            assert "SettingChanged" not in group_events, f"an invalid setting was stored: {key}={raw[:40]!r}"
            return
        changed = [e for e in new if type(e).__name__ == "SettingChanged"]
        assert all(e.key == key and e.value == value for e in changed)
        if protected:
            assert after[2][key] == value


@FAST
@given(sender=st.sampled_from([ADMIN, ALICE, BOB]), protected=st.booleans(), command=st.sampled_from(COMMANDS),
       rest=text_after)
@example(sender=ADMIN, protected=True, command="/settings", rest="warning_ttl ²")
@example(sender=ADMIN, protected=True, command="/settings", rest="warning_ttl " + "9" * 5000)
@example(sender=ADMIN, protected=True, command="/settings", rest="x" * 5000 + " on")
@example(sender=ADMIN, protected=True, command="/settings", rest="quiet " + "y" * 5000)
def test_any_admin_command_gets_a_reply_and_changes_only_what_is_allowed(sender, protected, command, rest) -> None:
    asyncio.run(_run(sender, protected, f"{command} {rest}"))


@FAST
@given(sender=st.sampled_from([ADMIN, BOB]), key=st.sampled_from(list(SETTING_HELP)) | st.text(max_size=12),
       value=st.sampled_from(VALUES) | st.text(min_size=1, max_size=12).filter(lambda v: v.split() == [v]))
def test_settings_store_exactly_the_parsed_value(sender, key, value) -> None:
    if not key or key.split() != [key]:
        key = "quiet"  # one word, as the command splits on whitespace
    asyncio.run(_run(sender, True, f"/settings {key} {value}"))


async def test_a_refused_reply_neither_crashes_nor_lets_a_non_admin_past_the_gate() -> None:
    bot = await boot(protected=True)
    bot.telegram.faults.add(Fault("send_message", "not_admin", count=1, chat=GROUP))  # Telegram refuses the reply
    await bot.say(BOB, "/status", 70)  # raised before: the refusal was recorded, the gate never ran
    assert not bot.world.can_write(GROUP, BOB)
    names = [type(e).__name__ for e in await bot.events()]
    assert "CommandRefused" in names and "MuteApplied" in names
