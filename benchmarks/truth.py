"""Is the bot right? Every member it had a reason to decide about may write exactly when subscribed to all.

Checked twice. First straight after the workload (`stale_at_end`): a strategy that trusts a stale cache ends
with members in the wrong state. Then after a settle phase, in which simulated time moves past every cache
TTL and each wrongly treated member does the one thing a real member would do next: one still allowed to
write writes, one muted presses Verify. A strategy that is only slow to notice converges there; a wrong one
(never checks, never releases) does not, and is reported `correct: false`.
"""

from adapters.simulated_telegram.model import Sender
from adapters.simulated_telegram.world import WorldError
from benchmarks.strategies import LRU_TTL
from domain import subscription as sub
from infrastructure.settings import Settings

_DEFAULTS = Settings()
# Past lru5's TTL and the application's safety re-check, jitter included.
SETTLE_SECONDS = max(LRU_TTL, _DEFAULTS.cache_positive_ttl * (1 + _DEFAULTS.cache_jitter)) + 60.0


def wrong_members(run) -> list[tuple[int, int]]:
    """(group, user) pairs whose can-write state differs from the truth; admins and leavers aside."""
    world, groups = run.world, run.w.groups
    wrong = []
    for group, user in sorted(run.touched):
        participant = world.chat(group).status_of(user)
        if participant is None or not participant.inside or participant.status in (sub.ADMIN, sub.CREATOR):
            continue
        subscribed = all(_subscribed(world, channel, user) for channel in groups[group])
        if world.can_write(group, user) != subscribed:
            wrong.append((group, user))
    return wrong


def _subscribed(world, channel: int, user: int) -> bool:
    participant = world.chat(channel).status_of(user)
    return participant is not None and sub.is_subscribed(participant.status)


async def converge(run) -> tuple[int, list[tuple[int, int]]]:
    """(members wrong at the end of the workload, members still wrong after the settle phase)."""
    await run.drain()
    wrong = wrong_members(run)
    stale = len(wrong)
    if not wrong:
        return 0, []
    run.telegram.instant()  # nothing here is timed; expiring every warning one by one must not cost minutes
    run.clock.advance(SETTLE_SECONDS)
    tokens = run.gatekeeper.ctx.tokens
    for group, user in wrong:
        if run.world.can_write(group, user):
            try:
                run.world.post(group, Sender("user", user), "text", "still here", now=run.clock.time())
            except WorldError:
                pass
        else:
            run.world.press(group, user, 0, tokens.issue(group, user))
        await run.dispatch()
    await run.drain()
    return stale, wrong_members(run)
