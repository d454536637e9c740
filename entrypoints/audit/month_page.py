"""A group's month as one self-contained HTML page: the figures, the timeline plot as an inline PNG (a data URI),
and the damage found in the log. Nothing is fetched when it is opened, so it can be mailed or archived as is."""

import base64
from datetime import datetime
from html import escape

from entrypoints.audit.damage import Damage
from entrypoints.audit.log import iso
from entrypoints.audit.month import MonthFigures
from entrypoints.audit.plot import HOW_TO_GET_IT, PlotUnavailable, timeline_png
from entrypoints.audit.report import damage_section

_STYLE = ("body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222} table{border-collapse:collapse} "
          "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left} td.n{text-align:right} "
          ".warning{color:#c0392b;font-weight:bold}")


def _plot(figures: MonthFigures) -> str:
    try:
        png = timeline_png(figures)
    except PlotUnavailable:
        return (f"<p>The timeline plot is missing: it is drawn with matplotlib, which is not installed here. "
                f"To get it: <code>{escape(HOW_TO_GET_IT)}</code>.</p>")
    data = base64.b64encode(png).decode("ascii")
    return (f'<img alt="restrictions, releases and warnings per day of {figures.month}" '
            f'src="data:image/png;base64,{data}">')


def _rights(figures: MonthFigures) -> str:
    if not figures.rights:
        return ""
    rows = "".join(f"<tr><td>{iso(when)}</td><td>{change}</td><td>{escape(where)}</td></tr>"
                   for when, change, where in figures.rights)
    head = "<tr><th>when (UTC)</th><th>rights</th><th>where</th></tr>"
    return f"<h2>The bot's admin rights</h2><table>{head}{rows}</table>"


def render_month(figures: MonthFigures, generated: datetime, damage: Damage | None = None) -> str:
    name = escape(figures.name)
    warning = damage.warning() if damage is not None else None
    rows = "".join(f'<tr><td>{escape(what)}</td><td class="n">{count}</td></tr>' for what, count in figures.counts())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>chanwarden: {name}, {figures.month}</title>
<style>{_STYLE}</style></head><body>
{f'<p class="warning">{escape(warning)}</p>' if warning else ""}
<h1>{name}: {figures.month}</h1>
<p>{figures.events} events of the group and its members from {iso(figures.month.start)} to {iso(figures.month.end)}
(UTC). Generated {iso(generated)} from the event log.</p>
<table><tr><th>what</th><th>how many</th></tr>{rows}</table>
<h2>Timeline</h2>
{_plot(figures)}
{_rights(figures)}
{damage_section(damage)}
</body></html>
"""
