"""/release: an admin frees a member the bot muted, once; nothing is remembered, so the member's next check asks
Telegram afresh (the cache may hold the very status that got them muted)."""

from datetime import UTC, datetime

from adapters.simulated_telegram.model import Participant
from application import log_messages, messages, narration
from application.commands import GroupMessage
from domain import membership_verdict as mv
from domain.senders import USER, Sender
from tests.unit.test_handlers import boot, message, protect

T = datetime(2026, 1, 1, tzinfo=UTC)


def restricted() -> mv.MembershipVerdict:
    verdict = mv.MembershipVerdict(chat_id=2001, member_id=2, timestamp=T)
    verdict.restrict(mv.NOT_SUBSCRIBED, [1001], "message", "mute", [], 50, T)
    return verdict


def test_a_release_by_an_admin_is_recorded_with_who_and_asks_for_a_fresh_check() -> None:
    verdict = restricted()
    assert verdict.release(mv.ADMIN_RELEASED, 10, T)
    events = verdict.collect_events()
    released = events[-1]
    assert (type(released).__name__, released.how, released.by) == ("MemberReleased", "admin_released", 10)
    assert verdict.status == mv.RELEASED and verdict.recheck
    replayed = None
    for event in events:
        replayed = event.mutate(replayed)
    assert replayed.recheck  # rebuilt from the log, the mark is there too
    assert not verdict.release(mv.ADMIN_RELEASED, 10, T)  # nothing to release twice


def test_the_next_decision_clears_the_mark_and_other_releases_never_set_it() -> None:
    verified = restricted()
    verified.release(mv.ADMIN_RELEASED, 10, T)
    verified.verify([1001], "message", T)
    assert not verified.recheck
    muted_again = restricted()
    muted_again.release(mv.ADMIN_RELEASED, 10, T)
    muted_again.restrict(mv.NOT_SUBSCRIBED, [1001], "message", "mute", [], 51, T)
    assert not muted_again.recheck
    for how in (mv.VERIFY_PRESSED, mv.EXEMPTED, mv.BY_ADMIN, mv.REDECIDED):
        other = restricted()
        other.release(how, 10, T)
        assert not other.recheck


def release(target: str, message_id: int = 60) -> GroupMessage:
    return GroupMessage(2001, message_id, Sender(USER, 10), "text", f"/release {target}")


async def test_the_next_message_after_release_is_checked_with_telegram_not_the_cache() -> None:
    gate, telegram, _store = await boot()
    await protect(gate)
    assert await gate.handle(message(2)) == "restricted"  # Bob misses @news; the cache now says so
    await gate.settle()
    telegram.world.chats[1001].participants[2] = Participant("member")  # he joins; the bot is not told
    assert await gate.handle(release("2")) == "command"
    await gate.settle()
    view = await gate.ctx.read_models.verdict(2001, 2)
    assert view.status == mv.RELEASED and view.recheck and not view.mute_in_force
    asked = telegram.calls["get_participant"]
    assert await gate.handle(message(2, message_id=61)) == "passed"  # the cache alone would mute him again
    assert telegram.calls["get_participant"] == asked + 1
    await gate.settle()
    view = await gate.ctx.read_models.verdict(2001, 2)
    assert view.status == mv.VERIFIED and not view.recheck
    assert await gate.handle(message(2, message_id=62)) == "passed"  # checked afresh once, then the cache again
    assert telegram.calls["get_participant"] == asked + 1


async def test_releasing_a_member_the_bot_did_not_mute_records_nothing() -> None:
    gate, _telegram, store = await boot()
    await protect(gate)
    assert await gate.handle(message(1)) == "passed"  # Alice follows @news
    await gate.settle()
    before = len(await store.read_all(after=0, limit=10_000))
    assert await gate.handle(release("1")) == "command"
    await gate.settle()
    recorded = [type(r.event).__name__ for r in await store.read_all(after=0, limit=10_000)][before:]
    assert "MemberReleased" not in recorded


def test_the_audit_and_the_log_channel_tell_the_release_in_words() -> None:
    verdict = restricted()
    verdict.release(mv.ADMIN_RELEASED, 10, T)
    told = narration.describe(verdict.collect_events()[-1], name_of=lambda peer: f"user {peer}")
    assert told == "released: an admin freed them with /release (user 10)"
    with messages.speaking("ru"):
        assert log_messages.words(log_messages.RELEASES, mv.ADMIN_RELEASED) == "освобождён админом через /release"
