"""The side-by-side table of `bench --peers` and its one plot (docs/peers.png)."""

from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.report import _f

COLOURS = {"chanwarden": "#2ca02c", "nezuko": "#9467bd"}


def _ms(p: dict | None) -> str:
    if not p or not p.get("n"):
        return "-"
    return f"{_f(p['p50'], 0)} / {_f(p['p95'], 0)} / {_f(p['p99'], 0)}"


def table(result: dict) -> Table:
    out = Table(title=f"peers side by side, {result['rate']:g} timeline steps/s in real time")
    for header in ("workload", "bot", "msgs", "calls/1k msgs", "checks/LB", "calls/LB", "wrong at end",
                   "wrong after settle", "decision p50/p95/p99 ms", "Verify answer p50/p95 ms", "posted/muted",
                   "backlog s"):
        out.add_column(header, justify="left" if header in ("workload", "bot") else "right")
    for r in result["runs"]:
        if "error" in r:
            out.add_row(r["workload"], r["strategy"], f"[red]failed: {r['error'][:60]}[/red]", *["-"] * 9)
            continue
        verify = r.get("verify_answer_ms") or {}
        out.add_row(
            r["workload"], r["strategy"], _f(r.get("messages")), _f(r.get("api_calls_per_1k"), 0),
            _f(r.get("calls_vs_lower_bound"), 2), _f(r.get("all_calls_vs_lower_bound"), 2), _f(r.get("stale_at_end")),
            _f(r.get("wrong_after_settle")), _ms(r.get("decision_latency_ms")),
            f"{_f(verify.get('p50'), 0)} / {_f(verify.get('p95'), 0)}" if verify.get("n") else "-",
            _f(r.get("posted_per_muted"), 2), _f(r.get("backlog_s"), 1),
        )
    return out


def cases_table(result: dict) -> Table | None:
    if not result.get("cases"):
        return None
    peers = list(result["cases"])
    out = Table(title="cases of docs/peers.md (scenario steps failed, or passed)")
    out.add_column("case", justify="right")
    out.add_column("scenario")
    out.add_column("chanwarden")
    for peer in peers:
        out.add_column(peer)
    first = result["cases"][peers[0]]
    for index, entry in enumerate(first):
        cells = [_verdict(entry["chanwarden"])] + [_verdict(result["cases"][p][index][p]) for p in peers]
        out.add_row(str(entry["case"]), entry["scenario"], *cells)
    return out


def _verdict(found: dict) -> str:
    if found["ok"]:
        return "passes"
    return f"[red]wrong ({len(found['failed_steps'])} steps)[/red]"


def show(console: Console, result: dict) -> None:
    console.print(table(result))
    cases = cases_table(result)
    if cases is not None:
        console.print(cases)


def plot(result: dict, path: Path) -> None:
    """Per workload, for each bot: Telegram calls per 1,000 messages and decision latency p50/p95/p99."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = [r for r in result["runs"] if "error" not in r]
    workloads = list(dict.fromkeys(r["workload"] for r in runs))
    bots = list(dict.fromkeys(r["strategy"] for r in runs))
    fig, (calls_ax, latency_ax) = plt.subplots(1, 2, figsize=(12, 4.5))
    width = 0.8 / max(1, len(bots))
    for b, bot in enumerate(bots):
        mine = {r["workload"]: r for r in runs if r["strategy"] == bot}
        xs = [w + (b - (len(bots) - 1) / 2) * width for w in range(len(workloads))]
        calls_ax.bar(xs, [mine.get(w, {}).get("api_calls_per_1k") or 0 for w in workloads], width,
                     label=bot, color=COLOURS.get(bot))
        for q, alpha in (("p99", 0.35), ("p95", 0.6), ("p50", 1.0)):
            values = [((mine.get(w, {}).get("decision_latency_ms") or {}).get(q) or 0) for w in workloads]
            latency_ax.bar(xs, values, width, color=COLOURS.get(bot), alpha=alpha,
                           label=f"{bot} {q}")
    for ax, title, unit in ((calls_ax, "Telegram calls per 1,000 messages", "calls"),
                            (latency_ax, "decision latency p50 / p95 / p99", "ms (log)")):
        ax.set_xticks(range(len(workloads)), workloads)
        ax.set_title(title)
        ax.set_ylabel(unit)
    latency_ax.set_yscale("log")
    calls_ax.legend()
    latency_ax.legend(fontsize=7, ncol=2)
    fig.suptitle(f"chanwarden and Nezuko on the same seeded workloads, played at {result['rate']:g} timeline "
                 "step(s) a second, in real time")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
