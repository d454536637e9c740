"""The figures of one run, under the JSON keys the benchmark promises.

raid_vs_limit. The simulated Telegram enforces no rate limit, so the wall time of a raid alone could beat
what Telegram allows. The raid time is therefore the longer of the measured time and the time the bot's
own non-message calls about raiders (from the first raider's join to the last raider's mute) would take at
the project's general budget, RateLimits.calls_per_second (30/s, Telegram's ~30 requests/s guidance).
edit_banned is not a message send, so the per-chat message limits do not bound muting. The minimum is one
membership check per distinct (raider, channel) pair plus one edit_banned per raider to mute:

    raid_vs_limit = max(wall, calls_about_raiders / 30) / ((raider_pairs + raiders_to_mute) / 30)
"""

from adapters.ratelimit.scheduler import RateLimits
from benchmarks.instruments import MESSAGE_METHODS, percentiles

BUDGET = RateLimits().calls_per_second


def figures(run, peak_rss_mb: float) -> dict:
    telegram = run.telegram
    messages = run.handled["GroupMessage"]
    calls = dict(sorted(telegram.calls.items()))
    total = sum(calls.values())
    per_1k = {method: round(n * 1000 / max(1, messages), 2) for method, n in calls.items()}
    per_1k["total"] = round(total * 1000 / max(1, messages), 2)
    lower = len(run.needed)
    decided = len(run.hits) + len(run.misses)
    lags = run.lag.lags
    return {
        "backend": run.backend,
        "workload": run.w.name,
        "strategy": run.strategy,
        "messages": messages,
        "updates": sum(run.handled.values()),
        "updates_by_kind": dict(sorted(run.handled.items())),
        "blocked_posts": run.blocked,
        "errors": dict(run.errors),
        "error_tracebacks": run.first_error,
        "api_calls": calls,
        "api_calls_total": total,
        "api_calls_per_1k": per_1k,
        "membership_checks": telegram.channel_checks,
        "duplicate_checks": telegram.duplicate_checks,
        "checks_by_update": dict(sorted(telegram.checks_by_update.items())),
        "lower_bound_calls": lower,
        "calls_vs_lower_bound": round(telegram.channel_checks / lower, 3) if lower else None,
        "hit_rate": round(len(run.hits) / decided, 4) if decided else None,
        "updates_per_s": round(sum(run.handled.values()) / run.wall, 1) if run.wall else None,
        "wall_s": round(run.wall, 3),
        "handler_updates_per_s": round(sum(run.handled.values()) / run.handlers_wall, 1) if run.handlers_wall else None,
        "latency_ms": {"hit": percentiles(run.hits), "miss": percentiles(run.misses)},
        "raid_vs_limit": raid_vs_limit(run),
        "p0_max_wait_ms": round(max(run.verify_waits) * 1000, 1) if run.verify_waits else None,
        "verify_presses": len(run.verify_waits),
        "projection_lag_p99_ms": percentiles(lags)["p99"],
        "events_projected": len(lags),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "samples": {"hit": _thin(run.hits), "miss": _thin(run.misses)},  # for the plot only
    }


def _thin(values: list[float], keep: int = 2000) -> list[float]:
    """An evenly spaced subset of the sorted latencies: the distribution's shape at a fraction of the size."""
    ordered = sorted(values)
    step = max(1, len(ordered) // keep)
    return [round(v, 6) for v in ordered[::step]]


def raid_vs_limit(run) -> dict | None:
    w = run.w
    if w.raid_group is None or run.raid_start is None:
        return None
    to_mute = sorted(w.raiders_to_mute)
    mutes = [run.telegram.first_mute.get((w.raid_group, r)) for r in to_mute]
    done = [t for t in mutes if t is not None]
    if not done:
        return {"ratio": None, "unmuted": len(to_mute)}
    end = max(done)
    calls = sum(1 for t, method, _, user in run.telegram.log
                if run.raid_start <= t <= end and user in w.raiders and method not in MESSAGE_METHODS)
    pairs = sum(1 for user, _ in run.needed if user in w.raiders)
    minimum = (pairs + len(to_mute)) / BUDGET
    ours = max(end - run.raid_start, calls / BUDGET)
    return {
        "ratio": round(ours / minimum, 3),
        "seconds": round(ours, 2),
        "minimum_seconds": round(minimum, 2),
        "wall_seconds": round(end - run.raid_start, 2),
        "calls_about_raiders": calls,
        "raiders_to_mute": len(to_mute),
        "unmuted": len(to_mute) - len(done),
    }

