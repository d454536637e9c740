"""The month's timeline drawn with matplotlib, as PNG bytes: alone (for the HTML page) or with the figures
above it (a one-page PNG).

matplotlib is optional (the `sim` extra): it is imported here, when a plot is drawn, and never at import time,
so the audit tools work without it and only the plot is missing. The Figure API is used rather than pyplot:
no global state, no GUI backend, nothing shared between two reports drawn at once.
"""

from io import BytesIO
from typing import Any

from entrypoints.audit.month import MonthFigures

HOW_TO_GET_IT = "pip install 'chanwarden[sim]' (or pip install matplotlib)"
_COLOURS = {"restricted": "#c0392b", "released": "#27ae60", "warnings posted": "#2980b9"}


class PlotUnavailable(Exception):
    """matplotlib is not installed."""


def _figure(**kwargs: Any) -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise PlotUnavailable(f"the timeline plot needs matplotlib: {HOW_TO_GET_IT}") from None
    return Figure(**kwargs)


def _png(figure: Any) -> bytes:
    out = BytesIO()
    figure.savefig(out, format="png", dpi=100, metadata={"Software": None})  # no version stamp: same log, same bytes
    return out.getvalue()


def _timeline(axes: Any, figures: MonthFigures) -> None:
    """Per day: restrictions, releases and warnings posted side by side; the bot's rights lost and regained as
    vertical lines."""
    days = figures.month.days()
    width = 0.8 / len(_COLOURS)
    for n, (series, colour) in enumerate(_COLOURS.items()):
        counts = figures.daily[series]
        axes.bar([d.day - 0.4 + width * (n + 0.5) for d in days], [counts[d] for d in days], width=width,
                 color=colour, label=series)
    for when, change, where in figures.rights:
        axes.axvline(when.day + when.hour / 24, color="#e67e22" if change == "lost" else "#8e44ad", linestyle="--",
                     label=f"rights {change}: {where}")
    axes.set_xlim(0.5, len(days) + 0.5)
    axes.set_xticks([d.day for d in days if d.day == 1 or d.day % 5 == 0])
    axes.set_xlabel(f"day of {figures.month} (UTC)")
    axes.set_ylabel("events")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_title(f"{figures.name}: {figures.month}")
    axes.legend(loc="upper right", fontsize="small")


def timeline_png(figures: MonthFigures) -> bytes:
    """The month's timeline plot alone. PlotUnavailable without matplotlib."""
    figure = _figure(figsize=(9, 3.4), layout="constrained")
    _timeline(figure.add_subplot(), figures)
    return _png(figure)


def page_png(figures: MonthFigures, notes: list[str]) -> bytes:
    """The whole page as one image: the figures (and `notes`, such as a warning about the log), then the plot."""
    width = max(len(what) for what, _ in figures.counts()) + 2
    lines = [f"{figures.name}: {figures.month}", *notes, ""]
    lines += [f"{what:<{width}}{count:>6}" for what, count in figures.counts()]
    text_height, plot_height = 0.18 * (len(lines) + 1), 3.4  # inches
    figure = _figure(figsize=(9, text_height + plot_height), layout="constrained")
    top, bottom = figure.subfigures(2, 1, height_ratios=[text_height, plot_height])
    top.text(0.03, 0.98, "\n".join(lines), family="monospace", fontsize=9, va="top", wrap=True)
    _timeline(bottom.add_subplot(), figures)
    return _png(figure)
