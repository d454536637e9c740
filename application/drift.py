"""Do the read models tell the truth? Compared with views freshly rebuilt from the log."""

from collections.abc import Sequence

from application.ports.read_models import GroupView, ReadModels, VerdictView
from domain.membership_verdict import RESTRICTED


async def drift(groups: Sequence[GroupView], verdicts: Sequence[VerdictView], actual: ReadModels) -> list[str]:
    """Every difference between the expected views and what `actual` answers, in plain words."""
    problems = []
    channels: dict[int, set[int]] = {}
    for group in groups:
        found = await actual.group(group.chat_id)
        if found != group:
            problems.append(f"group {group.chat_id}: expected {group}, found {found}")
        if group.protected:
            for channel in group.channel_ids:
                channels.setdefault(channel, set()).add(group.chat_id)
    for channel, expected in sorted(channels.items()):
        found_groups = set(await actual.groups_for_channel(channel))
        if found_groups != expected:
            problems.append(f"channel {channel}: expected groups {sorted(expected)}, found {sorted(found_groups)}")
    restricted: dict[int, list[int]] = {}
    for verdict in verdicts:
        found = await actual.verdict(verdict.chat_id, verdict.member_id)
        if found != verdict:
            problems.append(f"verdict {verdict.chat_id}/{verdict.member_id}: expected {verdict}, found {found}")
        if verdict.status == RESTRICTED:
            restricted.setdefault(verdict.chat_id, []).append(verdict.member_id)
    for chat_id in sorted({g.chat_id for g in groups} | set(restricted)):
        found_ids = [v.member_id for v in await actual.restricted(chat_id)]
        expected_ids = sorted(restricted.get(chat_id, []))
        if found_ids != expected_ids:
            problems.append(f"restricted in {chat_id}: expected {expected_ids}, found {found_ids}")
    return problems
