"""`chanwarden bench --quick` end to end: every figure present, every strategy right. No timing is asserted:
speed depends on the machine, correctness and the Telegram bill do not."""

import json

from typer.testing import CliRunner

from entrypoints.cli import app

KEYS = {
    "api_calls_per_1k", "lower_bound_calls", "calls_vs_lower_bound", "hit_rate", "updates_per_s", "latency_ms",
    "raid_vs_limit", "p0_max_wait_ms", "append_per_s", "projection_lag_p99_ms", "peak_rss_mb", "correct", "score",
}


def test_quick_bench_reports_every_figure_and_every_strategy_is_right(tmp_path) -> None:
    plot = tmp_path / "bench.png"
    result = CliRunner().invoke(app, ["bench", "--quick", "--json", "--plot", str(plot)])
    report = json.loads(result.stdout)
    runs = report["runs"]
    assert not [r for r in runs if "error" in r], [r["error"] for r in runs if "error" in r]
    assert {r["strategy"] for r in runs} == {"naive", "lru5", "chanwarden"}
    assert {(r["workload"], r["backend"]) for r in runs} == {
        (w, b) for w in ("steady", "raid", "churn") for b in ("embedded", "services")
    }
    for r in runs:
        assert r.keys() >= KEYS, (r["workload"], r["backend"], r["strategy"], KEYS - r.keys())
        assert r["correct"] is True, (r["workload"], r["backend"], r["strategy"], r["wrong_examples"])
        assert {"hit", "miss"} <= r["latency_ms"].keys()
        if r["strategy"] == "chanwarden":
            assert r["calls_vs_lower_bound"] is not None
        if r["workload"] == "raid":
            assert r["raid_vs_limit"]["ratio"] is not None
    calls = {s: sum(r["api_calls_total"] for r in runs if r["strategy"] == s) for s in ("naive", "chanwarden")}
    assert calls["naive"] > calls["chanwarden"]
    assert report["append_per_s"]["postgres"]["ours"] > 0
    assert all(h["telegram_calls"] == 0 for h in report["hit_path_cpu_ms"])
    assert {r["backend"] for r in report["latency_at_load"]} == {"embedded", "services"}
    for r in report["latency_at_load"]:
        assert r["errors"] == 0 and r["latency_ms"]["hit"]["n"] > 0 and r["latency_ms"]["miss"]["n"] > 0, r
    assert result.exit_code == 0
    assert plot.stat().st_size > 10_000
