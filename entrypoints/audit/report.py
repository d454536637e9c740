"""A one-file HTML report on a group: restrictions and releases over time, and why members were restricted.

Self-contained (inline CSS and SVG, no scripts, nothing fetched), so it can be mailed or archived as is.
"""

from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from entrypoints.audit.damage import Damage
from entrypoints.audit.history import group_events
from entrypoints.audit.log import Names, iso
from entrypoints.audit.verify import Checker
from entrypoints.narration import REASON_HEADINGS, RELEASES, describe, words

_AUTO_HOURS = 72  # beyond this span, hourly bars get too thin to read: count per day instead
_RECENT = 200


@dataclass
class GroupReport:
    chat_id: int
    title: str = ""
    bucket: str = "hour"
    restrictions: Counter = field(default_factory=Counter)  # bucket start -> count
    releases: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    ways_out: Counter = field(default_factory=Counter)
    recent: deque = field(default_factory=lambda: deque(maxlen=_RECENT))  # (time, words), latest last


async def collect(store: Any, chat_id: int, bucket: str = "auto", checker: Checker | None = None) -> GroupReport:
    """The group's restrictions and releases; `checker` sees every row. A damaged event is left out (the
    caller reports the damage), so the figures count what could be read."""
    report, names = GroupReport(chat_id), Names()
    moments: list[tuple[datetime, str]] = []  # (time, kind) of every restriction and release; small per group
    async for _, subject, event, _ in group_events(store, chat_id, names=names, checker=checker):
        try:
            moment = _count(report, names, subject, event)
        except Exception:  # decoded, but without the fields its kind has
            continue
        if moment is not None:
            moments.append(moment)
    span = (moments[-1][0] - moments[0][0]) if moments else timedelta(0)
    report.bucket = bucket if bucket != "auto" else ("hour" if span <= timedelta(hours=_AUTO_HOURS) else "day")
    for when, kind in moments:
        start = _floor(when, report.bucket)
        (report.restrictions if kind == "MemberRestricted" else report.releases)[start] += 1
    return report


def _count(report: GroupReport, names: Names, subject: str, event: Any) -> tuple[datetime, str] | None:
    """Counts one event into the report; the (time, kind) of a restriction or release, else None. Everything
    is read before anything is counted, so an event missing a field is left out whole."""
    kind = type(event).__name__
    if kind == "Registered":
        report.title = str(event.title)
        return None
    if kind not in ("MemberRestricted", "MemberReleased"):
        return None
    when, text = event.timestamp, f"{subject}: {describe(event, names)}"
    if kind == "MemberRestricted":
        missing = ", ".join(names(c) for c in event.missing)
        report.reasons[words(REASON_HEADINGS, event.reason) + (f": {missing}" if missing else "")] += 1
    else:
        report.ways_out[words(RELEASES, event.how)] += 1
    report.recent.append((when, text))
    return when, kind


def _floor(when: datetime, bucket: str) -> datetime:
    when = when.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return when.replace(hour=0) if bucket == "day" else when


def _buckets(report: GroupReport) -> list[datetime]:
    """Every bucket from the first to the last, empty ones included, so the time axis is even."""
    found = sorted(set(report.restrictions) | set(report.releases))
    if not found:
        return []
    step = timedelta(days=1) if report.bucket == "day" else timedelta(hours=1)
    buckets, current = [], found[0]
    while current <= found[-1]:
        buckets.append(current)
        current += step
    return buckets


def chart(report: GroupReport, width: int = 900, height: int = 260) -> str:
    buckets = _buckets(report)
    if not buckets:
        return "<p>No restrictions or releases recorded.</p>"
    top = max(max(report.restrictions.values(), default=0), max(report.releases.values(), default=0), 1)
    left, bottom, plot_h = 40, 40, height - 60
    slot = (width - left - 10) / len(buckets)
    bar = min(max(slot / 2 - 1, 0.5), 24)  # few buckets would otherwise make slabs, not bars
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="restrictions and releases per {report.bucket}">',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#888"/>',
             f'<text x="{left - 6}" y="{height - bottom - plot_h + 4}" text-anchor="end">{top}</text>',
             f'<text x="{left - 6}" y="{height - bottom + 4}" text-anchor="end">0</text>']
    for i, start in enumerate(buckets):
        x = left + i * slot
        for offset, count, colour, label in ((0, report.restrictions[start], "#c0392b", "restricted"),
                                             (bar + 1, report.releases[start], "#27ae60", "released")):
            if count:
                h = plot_h * count / top
                parts.append(f'<rect x="{x + offset:.1f}" y="{height - bottom - h:.1f}" width="{bar:.1f}" '
                             f'height="{h:.1f}" fill="{colour}"><title>{iso(start)}: {count} {label}</title></rect>')
    label = "%Y-%m-%d" if report.bucket == "day" else "%Y-%m-%d %H:00"
    parts.append(f'<text x="{left}" y="{height - 18}">{buckets[0].strftime(label)} UTC</text>')
    parts.append(f'<text x="{width - 10}" y="{height - 18}" text-anchor="end">{buckets[-1].strftime(label)} UTC</text>')
    return "".join(parts) + "</svg>"


def _table(title: str, counts: Counter) -> str:
    rows = "".join(f"<tr><td>{escape(k)}</td><td>{v}</td></tr>" for k, v in counts.most_common(10))
    rows = rows or "<tr><td>none</td><td>0</td></tr>"
    return f"<h2>{title}</h2><table><tr><th>what</th><th>times</th></tr>{rows}</table>"


def damage_section(damage: Damage | None, most: int = 50) -> str:
    """The damage found while reading the log, so a report mailed on its own still says it."""
    if not damage:
        return ""
    problems = damage.verification.problems
    rows = "".join(f"<tr><td>{p.position}</td><td>{escape(p.stream or '(the log)')}</td><td>{escape(p.kind)}</td>"
                   f"<td>{escape(p.detail)}</td></tr>" for p in problems[:most])
    rows += "".join(f"<tr><td>{s.position}</td><td>{s.stream}</td><td>stops</td><td>{escape(s.reason)}; its later "
                    "events were not counted</td></tr>" for s in damage.stops)
    more = f"<p>... and {len(problems) - most} more.</p>" if len(problems) > most else ""
    return (f'<h2 style="color:#c0392b">Damage in the log</h2><p>{len(problems)} problem(s) were found while '
            "reading the log: the figures above count what could be read, and are not verified.</p>"
            f"<table><tr><th>position</th><th>stream</th><th>problem</th><th>detail</th></tr>{rows}</table>{more}")


def render(report: GroupReport, generated: datetime, damage: Damage | None = None) -> str:
    name = escape(report.title or str(report.chat_id))
    recent = "".join(f"<tr><td>{iso(t)}</td><td>{escape(text)}</td></tr>" for t, text in reversed(report.recent))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>chanwarden report: {name}</title>
<style>body{{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:left}} svg text{{font-size:11px;fill:#444}}
.key span{{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}}</style></head><body>
<h1>{name} <small>(chat {report.chat_id})</small></h1>
<p>{sum(report.restrictions.values())} restrictions and {sum(report.releases.values())} releases, counted per
{report.bucket}. Generated {iso(generated)} from the event log.</p>
<p class="key"><span style="background:#c0392b"></span>restricted<span style="background:#27ae60"></span>released</p>
{chart(report)}
{_table("Top reasons for restrictions", report.reasons)}
{_table("How members were released", report.ways_out)}
<h2>Latest restrictions and releases</h2><table><tr><th>time</th><th>what happened</th></tr>{recent}</table>
{damage_section(damage)}
</body></html>
"""
