"""What must hold after a raid played against real bot processes, whatever happened to them, read from the log
the bots left and from what the world server saw: every raider in the right state, no decision or outcome
recorded twice in a row; and, counted for the test to judge, what a kill or a second bot could repeat."""

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass

from telethon import functions

from adapters.simulated_telegram.remote.server import WorldServer
from application.reactor import NAME as REACTOR
from domain.ids import verdict_stream_id
from tests.reliability.raid_driver import GROUP, RaidDriver, token_member


async def read_log(store) -> tuple[dict, int, int]:
    """Events by stream, the log's last position, and the reactor's."""
    streams: dict = defaultdict(list)
    after = 0
    while batch := await store.read_all(after=after, limit=1000):
        for record in batch:
            streams[record.event.originator_id].append(record.event)
        after = batch[-1].position
    return streams, await store.last_position(), await store.tracking_position(REACTOR)


@dataclass
class RaidOutcome:
    repeated_mutes: int  # mute calls Telegram saw beyond the MuteApplied recorded
    repeated_lifts: int  # lifting calls beyond the MuteLifted recorded
    orphans: int  # live warnings the log does not know of
    answered_twice: int  # Verify presses answered more than once


def lifts(server: WorldServer) -> Counter[int]:
    """edit_banned calls that gave send_messages back, per member."""
    found: Counter[int] = Counter()
    for request in server.sender.requests:
        if isinstance(request, functions.channels.EditBannedRequest) and not request.banned_rights.send_messages:
            found[getattr(request.participant, "user_id", 0)] += 1
    return found


def check_raid(driver: RaidDriver, server: WorldServer, streams: dict) -> RaidOutcome:
    plan, world = driver.plan, server.world
    wrong = [r for r in plan.raiders if world.can_write(GROUP, r) != driver.subscribed(r)]
    assert not wrong, f"{len(wrong)} raiders in the wrong state, e.g. {wrong[:5]}"

    touched = {who for _, what, who in plan.actions if what != "join"}
    live_warnings = defaultdict(list)  # member -> ids of live bot messages whose Verify names them
    for message in world.live_bot_messages(GROUP):
        for member in {token_member(b["data"]) for row in message.buttons for b in row if b.get("data")}:
            live_warnings[member].append(message.id)
    lifted = lifts(server)
    repeated_mutes = repeated_lifts = orphans = 0
    for raider in plan.raiders:
        events = streams[verdict_stream_id(GROUP, raider)]
        names = [type(e).__name__ for e in events]
        on_join = [e for e in events if type(e).__name__ == "MemberRestricted" and e.trigger == "join"]
        assert len(on_join) <= 1, f"{raider} restricted twice for one join: {names}"
        if raider not in plan.presubscribed and raider not in touched:
            assert len(on_join) == 1, f"{raider} joined unsubscribed but was not restricted once: {names}"
        decisions = [n for n in names if n in ("MemberRestricted", "MemberReleased")]
        assert all(a != b for a, b in itertools.pairwise(decisions)), f"{raider} decided twice: {names}"
        outcomes = [n for n in names if n in ("MuteApplied", "MuteLifted")]
        assert all(a != b for a, b in itertools.pairwise(outcomes)), f"{raider} muted twice: {names}"
        repeated_mutes += max(0, server.mutes[raider] - outcomes.count("MuteApplied"))
        repeated_lifts += max(0, lifted[raider] - outcomes.count("MuteLifted"))
        posted = {e.message_id for e in events if type(e).__name__ == "WarningPosted"}
        recorded = [m for m in live_warnings[raider] if m in posted]
        assert len(recorded) <= 1, f"{raider} has {len(recorded)} live warnings: {names}"
        orphans += len(live_warnings[raider]) - len(recorded)
    answers = Counter(query for query, _ in server.sender.callback_answers)
    answered_twice = sum(count - 1 for count in answers.values() if count > 1)
    return RaidOutcome(repeated_mutes, repeated_lifts, orphans, answered_twice)
