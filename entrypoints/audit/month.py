"""A group's month in figures, read from the log in one pass: whom the bot checked, muted and released, the
warnings it posted and removed, the commands admins ran (and who ran them), the rights the bot lost and regained.

Names are learnt from the whole log up to each event, so a month late in a group's life still names the channels
and members its events mention. Only events stamped inside the month (UTC) are counted.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from entrypoints.audit.history import group_events
from entrypoints.audit.log import Names
from entrypoints.audit.verify import Checker
from entrypoints.narration import RELEASES, words

_MONTH = re.compile(r"(\d{4})-(\d{2})")
# The group's events that a command wrote, and the command as admins type it.
COMMANDS = {"Protected": "/protect", "ChannelLinked": "/link", "ChannelUnlinked": "/unlink",
            "SettingChanged": "/settings", "Unprotected": "/unprotect"}
_DECISIONS = {"SubscriptionVerified", "MemberRestricted", "CheckFailed"}


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        """"2026-01" -> Month(2026, 1); ValueError for anything else."""
        found = _MONTH.fullmatch(text.strip())
        if found is None or not 1 <= int(found[2]) <= 12:
            raise ValueError(text)
        return cls(int(found[1]), int(found[2]))

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the month."""
        return datetime(self.year + self.month // 12, self.month % 12 + 1, 1, tzinfo=UTC)

    def days(self) -> list[date]:
        return [(self.start + timedelta(days=n)).date() for n in range((self.end - self.start).days)]

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass
class MonthFigures:
    chat_id: int
    month: Month
    title: str = ""
    known: bool = False  # the log holds the group's own stream
    first: datetime | None = None  # the group's first and last events, whatever the month
    last: datetime | None = None
    events: int = 0  # the group's and its members' events in the month
    checked: set[int] = field(default_factory=set)  # members the bot decided about
    restricted: int = 0
    muted: set[int] = field(default_factory=set)  # members whose mute reached Telegram
    released: Counter = field(default_factory=Counter)  # how, in words -> times
    warnings_posted: int = 0
    warnings_removed: int = 0
    commands: Counter = field(default_factory=Counter)  # (command, who) -> times
    refused: Counter = field(default_factory=Counter)  # (command, who) -> times, refused for not being an admin
    rights: list[tuple[datetime, str, str]] = field(default_factory=list)  # (when, "lost" | "regained", where)
    daily: dict[str, Counter] = field(default_factory=lambda: {"restricted": Counter(), "released": Counter(),
                                                               "warnings posted": Counter()})

    @property
    def name(self) -> str:
        return f"{self.title} (group {self.chat_id})" if self.title else f"group {self.chat_id}"

    def counts(self) -> list[tuple[str, str]]:
        """The month's figures as (what, how many) rows, in the order a reader asks for them."""
        rows = [("members checked (the bot decided about them)", str(len(self.checked))),
                ("restrictions decided", str(self.restricted)),
                ("members muted (the mute reached Telegram)", str(len(self.muted))),
                ("releases", str(sum(self.released.values())))]
        rows += [(f"  released: {how}", str(n)) for how, n in self.released.most_common()]
        rows += [("warnings posted", str(self.warnings_posted)), ("warnings removed", str(self.warnings_removed)),
                 ("commands run", str(sum(self.commands.values())))]
        rows += [(f"  {command} by {who}", str(n)) for (command, who), n in sorted(self.commands.items())]
        rows += [(f"  {command} by {who}, refused: not an admin", str(n))
                 for (command, who), n in sorted(self.refused.items())]
        rows += [("bot's admin rights lost", str(sum(1 for r in self.rights if r[1] == "lost"))),
                 ("bot's admin rights regained", str(sum(1 for r in self.rights if r[1] == "regained")))]
        return rows


async def collect_month(store: Any, chat_id: int, month: Month, checker: Checker | None = None) -> MonthFigures:
    """The month's figures for one group; `checker` sees every row. A damaged event is left out (the caller
    reports the damage), so the figures count what could be read."""
    figures, names = MonthFigures(chat_id, month), Names()
    async for _, subject, event, _ in group_events(store, chat_id, names=names, checker=checker):
        when = getattr(event, "timestamp", None)
        if not isinstance(when, datetime):
            continue  # undecodable: nothing to count, and no time to count it at
        if subject == "group":
            figures.known = True
            figures.first, figures.last = figures.first or when, when
            figures.title = names.groups.get(chat_id, figures.title)
        if month.start <= when < month.end:
            figures.events += 1
            try:
                _count(figures, names, subject, event, when)
            except (AttributeError, KeyError, TypeError):  # decoded, but without the fields its kind has
                continue
    return figures


def _count(figures: MonthFigures, names: Names, subject: str, event: Any, when: datetime) -> None:
    kind, data = type(event).__name__, vars(event)
    member = None if subject == "group" else int(subject.removeprefix("user "))
    day = when.astimezone(UTC).date()
    if kind in _DECISIONS:
        figures.checked.add(member)
    if kind == "MemberRestricted":
        figures.restricted += 1
        figures.daily["restricted"][day] += 1
    elif kind == "MuteApplied":
        figures.muted.add(member)
    elif kind == "MemberReleased":
        figures.released[words(RELEASES, data["how"])] += 1
        figures.daily["released"][day] += 1
    elif kind == "WarningPosted":
        figures.warnings_posted += 1
        figures.daily["warnings posted"][day] += 1
    elif kind == "WarningRemoved":
        figures.warnings_removed += 1
    elif kind in COMMANDS:
        command = COMMANDS[kind] + (f" {data['key']}" if kind == "SettingChanged" else "")
        figures.commands[(command, names(data["by"]))] += 1
    elif kind == "CommandRefused":
        figures.refused[(f"/{data['command']}", names(data["by"]))] += 1
    elif kind in ("BotRightsLost", "BotRightsRegained"):
        where = "this group" if data["chat_id"] == figures.chat_id else names(data["chat_id"])
        figures.rights.append((when, "lost" if kind == "BotRightsLost" else "regained", where))
