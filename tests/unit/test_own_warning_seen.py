"""The bot's own warning, delivered back by Telegram after a restart: adopted when its intent is on record
without a message id, left alone when the log knows it, deleted when nobody wants it."""

from application.commands import GroupMessage, WarningSeen
from application.ports.telegram import Button, OutgoingMessage, TelegramError
from application.warnings import warning_key
from domain.ids import verdict_stream_id
from domain.senders import USER, Sender
from tests.unit.test_handlers import boot, protect

GROUP, BOB = 2001, 2


async def bob_restricted_warning_unheard():
    """Bob is restricted and his warning was posted by Telegram, but the bot never heard the answer."""
    gate, telegram, _ = await boot()
    await protect(gate)
    real_send = telegram.send_message

    async def sent_but_unheard(chat_id, message, key=None):
        await real_send(chat_id, message, key)
        raise TelegramError(TelegramError.TIMEOUT, "the answer never came")

    telegram.send_message = sent_but_unheard
    await gate.handle(GroupMessage(GROUP, 60, Sender(USER, BOB), "text", "hi"))
    await gate.settle()
    telegram.send_message = real_send
    posted = [m for m in telegram.world.live_bot_messages(GROUP) if m.buttons]
    return gate, telegram, posted


def button_data(message) -> bytes:
    return next(b["data"] for row in message.buttons for b in row if b.get("data"))


async def test_a_warning_sent_but_unheard_is_adopted_from_telegrams_updates() -> None:
    gate, _, posted = await bob_restricted_warning_unheard()
    verdict = await gate.ctx.repository.get(verdict_stream_id(GROUP, BOB))
    assert verdict.warning_id is None and verdict.warning_key == warning_key(verdict.id, verdict.restricted_version)
    assert len(posted) == 1
    # Carried out again (as after a restart), the warning is sent under the same key: Telegram refuses the
    # repeat, so there is still one.
    await gate.ctx.carry_out(GROUP, BOB)
    assert [m.id for m in gate.ctx.gateway.world.live_bot_messages(GROUP) if m.buttons] == [posted[0].id]

    outcome = await gate.handle(WarningSeen(GROUP, posted[0].id, button_data(posted[0])))
    assert outcome == "adopted"
    verdict = await gate.ctx.repository.get(verdict_stream_id(GROUP, BOB))
    assert verdict.warning_id == posted[0].id and not verdict.needs_warning
    # Seen again (a second catch-up), it is known: nothing changes, nothing is deleted.
    assert await gate.handle(WarningSeen(GROUP, posted[0].id, button_data(posted[0]))) == "known"
    assert not posted[0].deleted


async def test_a_warning_of_the_bots_that_no_verdict_wants_is_deleted() -> None:
    gate, telegram, posted = await bob_restricted_warning_unheard()
    await gate.handle(WarningSeen(GROUP, posted[0].id, button_data(posted[0])))  # adopted
    # A warning sent under another key (an attempt the log no longer wants) is an orphan.
    data = gate.ctx.tokens.issue(GROUP, BOB, 12345)
    stray_warning = OutgoingMessage("a stray warning", [[Button("Verify", data=data)]])
    stray = await telegram.send_message(GROUP, stray_warning, 12345)
    assert await gate.handle(WarningSeen(GROUP, stray, data)) == "orphan_deleted"
    assert telegram.world.chat(GROUP).messages[stray].deleted


async def test_foreign_or_old_style_buttons_are_not_ours_to_judge() -> None:
    gate, _, posted = await bob_restricted_warning_unheard()
    assert await gate.handle(WarningSeen(GROUP, posted[0].id, b"v1" + bytes(32))) == "not_ours"
    old_style = gate.ctx.tokens.issue(GROUP, BOB)  # key 0: a button from before keys were carried
    assert await gate.handle(WarningSeen(GROUP, posted[0].id, old_style)) == "not_ours"
    assert not posted[0].deleted
