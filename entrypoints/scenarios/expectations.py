"""Checks for each kind of expectation: (passed?, what was found)."""

from typing import Any

from domain.ids import group_stream_id, verdict_stream_id
from entrypoints.scenarios import model as m


async def check(run: Any, step: Any) -> tuple[bool, str]:
    world = run.world
    match step:
        case m.ExpectCanWrite():
            found = world.can_write(step.chat, step.user, step.kind)
            return found == step.value, f"can_write={found}"
        case m.ExpectMessageDeleted():
            if step.ref not in run.refs:
                return False, f"no message with ref '{step.ref}'"
            chat_id, message_id = run.refs[step.ref]
            deleted = world.chat(chat_id).messages[message_id].deleted
            return deleted == step.value, f"deleted={deleted}"
        case m.ExpectBotMessages():
            live = world.live_bot_messages(step.chat)
            texts = [msg.text for msg in live]
            ok = step.count is None or len(texts) == step.count
            if step.contains is not None:
                ok = ok and any(step.contains in t for t in texts)
            if step.not_contains is not None:
                ok = ok and not any(step.not_contains in t for t in texts)
            if step.mentions is not None:
                named = [mentioned(msg) for msg in live if step.contains is None or step.contains in msg.text]
                ok = ok and any(who == step.mentions and span == world.name(who) for m in named for who, span in m)
            return ok, f"{len(texts)} live: " + " | ".join(t[:80] for t in texts)
        case m.ExpectCallbackAnswer():
            answers = run.telegram.callback_answers
            last = answers[-1][1] if answers else ""
            return step.contains in last, f"last answer: {last!r}"
        case m.ExpectEvent():
            found = await _event_count(run, step)
            if step.count is not None:
                return found == step.count, f"count={found}"
            return (found > 0) == step.value, f"present={found > 0}"
        case m.ExpectJoinRequest():
            state = world.chat(step.chat).join_requests.get(step.user, "none")
            return state == step.state, f"state={state}"
        case m.ExpectPrivateMessage():
            texts = world.private_messages.get(step.user, [])
            unwanted = step.not_contains is not None and any(step.not_contains in t for t in texts)
            return any(step.contains in t for t in texts) and not unwanted, " | ".join(t[:80] for t in texts) or "none"
        case m.ExpectGateCorrect():
            wrong = await _gate_mistakes(run, step.chat)
            return not wrong, f"{len(wrong)} wrong" + (f": {wrong[:5]}" if wrong else "")
        case m.ExpectSendsPerMinute():
            most = _most_in_a_minute(world, step.chat)
            return most <= step.max, f"at most {most} sends in any minute"
        case m.ExpectPeakBotMessages():
            peak = world.peak_live.get(step.chat, 0)
            return peak <= step.max, f"peak {peak} alive"
        case m.ExpectCommandMenu():
            menu = dict(world.command_menus.get((step.scope, step.lang), []))
            text = menu.get(step.command)
            ok = text is not None and (step.described is None or step.described in text)
            return ok, f"{step.scope}/{step.lang or 'default'}: " + ", ".join(f"/{c} ({d})" for c, d in menu.items())
        case m.ExpectApiCalls():
            count = run.telegram.calls[step.method]
            ok = (step.max is None or count <= step.max) and (step.min is None or count >= step.min)
            return ok, f"{step.method}={count}"
    return False, "unknown expectation"


async def _event_count(run: Any, step: m.ExpectEvent) -> int:
    """How many events of the type are in the step's scope (a member's stream, a group's, or the whole log)."""
    stream = None
    if step.chat is not None:
        stream = verdict_stream_id(step.chat, step.user) if step.user is not None else group_stream_id(step.chat)
    if stream is not None:
        return sum(_matches(e, step) for e in await run.store.read_stream(stream))
    found, position = 0, 0
    while records := await run.store.read_all(after=position, limit=1000):
        found += sum(_matches(r.event, step) for r in records)
        position = records[-1].position
    return found


def _matches(event: Any, step: m.ExpectEvent) -> bool:
    data = vars(event)
    return type(event).__name__ == step.type and all(
        key in data and data[key] == value for key, value in step.where.items()
    )


async def _gate_mistakes(run: Any, chat_id: int) -> list[str]:
    """Members whose ability to write disagrees with their subscriptions (admins aside)."""
    world = run.world
    group = await run.gatekeeper.ctx.read_models.group(chat_id)
    channels = group.channel_ids if group is not None and group.protected else []
    wrong = []
    for user in list(world.chat(chat_id).participants):
        participant = world.participant(chat_id, user)
        if user == world.bot_id or participant is None or not participant.inside:
            continue
        if participant.status in ("admin", "creator"):
            continue
        subscribed = all((p := world.participant(c, user)) is not None and p.inside for c in channels)
        if world.can_write(chat_id, user) != subscribed:
            wrong.append(f"{world.name(user)} can_write={not subscribed}")
    return wrong


def _most_in_a_minute(world: Any, chat_id: int) -> int:
    times = sorted(msg.sent_at for msg in world.chat(chat_id).messages.values() if msg.from_bot)
    most, start = 0, 0
    for end, at in enumerate(times):
        while times[start] <= at - 60:
            start += 1
        most = max(most, end - start + 1)
    return most


def mentioned(message) -> list[tuple[int, str]]:
    """Who a message mentions, with the text each mention covers (its offsets are in UTF-16 code units)."""
    units = message.text.encode("utf-16-le")
    return [(who, units[2 * offset: 2 * (offset + length)].decode("utf-16-le"))
            for offset, length, who in message.mentions]
