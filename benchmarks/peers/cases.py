"""The cases of docs/peers.md ("where they go wrong"), each played as the project's own scenario to both bots.

chanwarden plays them on its direct transport (it is an MTProto bot, not a Bot API one); the peer plays them
through the local Bot API server (`--transport botapi`). A case is got wrong when a step of its scenario fails;
steps that read chanwarden's own event log cannot be checked on another bot and are left out (skipped).
"""

import asyncio
from pathlib import Path
from typing import Any

from benchmarks.peers.bot_process import bot_for

SCENARIOS = Path(__file__).resolve().parents[2] / "tests" / "scenarios"

CASE_TIMEOUT = 600.0  # a bot still working through a raid's backlog is judged on what it had done by then
CASES: list[tuple[int, str, str]] = [
    (1, "writing as a channel (send-as) passes the gate", "send_as_channel.yaml"),
    (2, "anonymous admins and linked-channel forwards are exempt", "exempt_senders.yaml"),
    (3, "banned or kicked from the channel still passes", "channel_kick.yaml"),
    (4, "unmute lifts an admin's own restriction", "admin_mute_preserved.yaml"),
    (5, "only text is checked", "message_kinds.yaml"),
    (6, "leaving the channel is noticed", "channel_leave.yaml"),
    (7, "an API error mutes innocent members", "fault_not_admin.yaml"),
    (8, "losing and regaining admin rights", "bot_rights.yaml"),
    (9, "a private channel's invite link is exported once", "private_invite_once.yaml"),
    (10, "a pending channel join request is not a subscription", "channel_join_request_pending.yaml"),
    (11, "nothing is lost while the bot is down", "downtime_catch_up.yaml"),
    (12, "a raid does not flood the group with warnings", "raid.yaml"),
    (13, "/protect of a channel the bot cannot see into", "protect_bot_not_channel_admin.yaml"),
    (14, "many groups on one instance", "many_groups.yaml"),
    (15, "every missing channel is shown", "multi_channel_and.yaml"),
]


def _summary(report: Any) -> dict:
    failed = [f"{s.number}: {s.step} ({s.detail})"[:200] for s in report.steps if not s.ok]
    return {"ok": report.ok, "failed_steps": failed, "skipped_steps": sum(s.skipped for s in report.steps),
            "steps": len(report.steps)}


async def play_cases(peer: str, progress: Any = print) -> list[dict]:
    from entrypoints.scenarios.model import load
    from entrypoints.scenarios.runner import ScenarioRun
    from infrastructure.settings import Settings

    out = []
    for number, title, file in CASES:
        scenario = load(SCENARIOS / file)
        progress(f"case {number}: {file}")
        ours = await ScenarioRun(scenario, Settings(event_store="memory", cache="memory")).run()
        entry = {"case": number, "title": title, "scenario": file, "chanwarden": _summary(ours)}
        try:
            run = ScenarioRun(scenario, Settings(), transport="botapi", bot=bot_for(peer))
            theirs = await asyncio.wait_for(run.run(), CASE_TIMEOUT)
            entry[peer] = _summary(theirs) | {"still_busy": run.telegram.still_busy}
        except Exception as error:  # the peer did not start or crashed: the case is not decided, and says why
            entry[peer] = {"ok": False, "failed_steps": [f"did not run: {error}"[:300]], "skipped_steps": 0,
                           "steps": len(scenario.steps)}
        out.append(entry)
    return out
