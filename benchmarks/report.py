"""The benchmark's table (rich) and its picture (matplotlib, Agg: no display needed)."""

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

STRATEGY_COLOURS = {"naive": "#d62728", "lru5": "#ff7f0e", "chanwarden": "#2ca02c"}


def _f(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def table(report: dict) -> Table:
    out = Table(title="chanwarden bench", show_lines=False)
    for header in ("workload", "backend", "strategy", "correct", "stale", "upd/s", "handler upd/s", "calls/1k msg",
                   "checks/LB", "dup checks", "hit rate", "hit p50/p99 ms", "miss p50/p99 ms", "raid vs limit",
                   "P0 max ms", "lag p99 ms", "RSS MB", "score"):
        out.add_column(header, justify="left" if header in ("workload", "backend", "strategy") else "right")
    for r in report["runs"]:
        if "error" in r:
            out.add_row(r["workload"], r["backend"], r["strategy"], "[red]crashed[/red]", *["-"] * 14)
            continue
        hit, miss = r["latency_ms"]["hit"], r["latency_ms"]["miss"]
        raid = r["raid_vs_limit"]
        out.add_row(
            r["workload"], r["backend"], r["strategy"],
            "yes" if r["correct"] else "[red]NO[/red]", _f(r["stale_at_end"]),
            _f(r["updates_per_s"], 0), _f(r["handler_updates_per_s"], 0), _f(r["api_calls_per_1k"]["total"], 0),
            _f(r["calls_vs_lower_bound"], 2), _f(r["duplicate_checks"]), _f(r["hit_rate"], 2),
            f"{_f(hit['p50'], 2)} / {_f(hit['p99'], 2)}", f"{_f(miss['p50'], 0)} / {_f(miss['p99'], 0)}",
            _f(raid["ratio"], 2) if raid else "-", _f(r["p0_max_wait_ms"], 0), _f(r["projection_lag_p99_ms"], 0),
            _f(r["peak_rss_mb"], 0), _f(r["score"], 0),
        )
    return out


def extras(report: dict) -> Table:
    out = Table(title="store append rate (events/s, batches of 100) and hit-path CPU per decision")
    for header in ("measure", "ours", "eventsourcing", "p50 ms", "p95 ms", "p99 ms"):
        out.add_column(header, justify="left" if header == "measure" else "right")
    append = report["append_per_s"]
    if append["postgres"]:
        out.add_row("append, PostgreSQL", _f(append["postgres"]["ours"]), _f(append["postgres"]["eventsourcing"]),
                    "", "", "")
    out.add_row("append, SQLite", _f(append["sqlite"]["ours"]), "-", "", "", "")
    for hit in report["hit_path_cpu_ms"]:
        out.add_row(f"hit-path CPU, {hit['backend']}", "", "", _f(hit["p50"], 3), _f(hit["p95"], 3),
                    _f(hit["p99"], 3))
    return out


def at_load(report: dict) -> Table:
    out = Table(title="decision latency at a fixed load (steady workload, chanwarden)")
    for header in ("backend", "offered/s", "achieved/s", "hit p50/p95/p99 ms", "miss p50/p95/p99 ms", "errors"):
        out.add_column(header, justify="left" if header == "backend" else "right")
    for r in report.get("latency_at_load", []):
        if "error" in r:
            out.add_row(r["backend"], "[red]crashed[/red]", "-", "-", "-", "-")
            continue
        hit, miss = r["latency_ms"]["hit"], r["latency_ms"]["miss"]
        out.add_row(r["backend"], _f(r["offered_per_s"], 0), _f(r["achieved_per_s"], 0),
                    " / ".join(_f(hit[p], 2) for p in ("p50", "p95", "p99")),
                    " / ".join(_f(miss[p], 0) for p in ("p50", "p95", "p99")), _f(r["errors"]))
    return out


def show(console: Console, report: dict) -> None:
    console.print(table(report))
    console.print(extras(report))
    if report.get("latency_at_load"):
        console.print(at_load(report))
    for strategy, s in report["summary"].items():
        console.print(f"{strategy}: correct={s['correct']} calls={s['api_calls_total']:,} "
                      f"median calls/LB={_f(s['median_calls_vs_lower_bound'], 2)} "
                      f"median upd/s={_f(s['median_updates_per_s'], 0)} score={_f(s['score'], 0)}")


def plot(report: dict, samples: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = [r for r in report["runs"] if "error" not in r]
    workloads = list(dict.fromkeys(r["workload"] for r in runs))
    backends = list(dict.fromkeys(r["backend"] for r in runs))
    fig, axes = plt.subplots(len(backends) + 1, len(workloads), figsize=(5 * len(workloads), 3.6 * (len(backends) + 1)),
                             squeeze=False)
    for row, backend in enumerate(backends):
        for col, workload in enumerate(workloads):
            ax = axes[row][col]
            for r in runs:
                if (r["workload"], r["backend"]) != (workload, backend):
                    continue
                sample = samples.get((workload, backend, r["strategy"])) or {}
                colour = STRATEGY_COLOURS.get(r["strategy"])
                for kind, style in (("hit", "--"), ("miss", "-")):
                    values = sorted(v * 1000 for v in sample.get(kind, []))
                    if values:
                        ax.plot(values, [i / len(values) for i in range(1, len(values) + 1)], style, color=colour,
                                label=f"{r['strategy']} {kind}")
            ax.set_xscale("log")
            ax.set_title(f"{workload} / {backend}: decision latency CDF")
            ax.set_xlabel("ms (log)")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
    for col, workload in enumerate(workloads):
        ax = axes[-1][col]
        labels, values, colours = [], [], []
        for r in runs:
            if r["workload"] == workload:
                labels.append(f"{r['strategy']}\n{r['backend']}")
                values.append(r["api_calls_per_1k"]["total"])
                colours.append(STRATEGY_COLOURS.get(r["strategy"]))
        ax.bar(range(len(values)), values, color=colours)
        ax.set_xticks(range(len(values)), labels, fontsize=7)
        ax.set_title(f"{workload}: Telegram calls per 1,000 messages")
        ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
