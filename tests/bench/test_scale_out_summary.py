"""How `chanwarden bench --scale-out` sums up several runs of each configuration: medians, and the ratio of
2 workers to 1 taken pair by pair (only a pair shares the machine's load of the moment)."""

from benchmarks.scale_out import _summary, median_cpu, median_run, model, pair_ratio


def run(rate: float | None, cpu: dict | None = None, wrong: int | None = 0, dup: int | None = 0) -> dict:
    return {"updates_per_s": rate, "cpu_s_per_1k": cpu, "wrong_members": wrong, "duplicate_effects": dup,
            "calls_vs_lower_bound": 0.6}


def test_the_median_run_is_the_middle_one_by_rate_and_a_failed_run_is_never_hidden():
    runs = [run(900.0), run(1500.0), run(1200.0)]
    assert median_run(runs)["updates_per_s"] == 1200.0
    assert median_run([run(900.0), run(1500.0)])["updates_per_s"] == 900.0  # the lower middle of two
    failed = {"updates_per_s": None, "error": "boom"}
    assert median_run([run(900.0), failed, run(1500.0)]) is failed


def test_each_process_cpu_is_its_own_median_over_the_runs():
    runs = [run(1.0, {"gateway": 0.3, "worker1": 0.9}), run(1.0, {"gateway": 0.5, "worker1": 0.4}),
            run(1.0, {"gateway": 0.4, "worker1": 0.5})]
    assert median_cpu(runs) == {"gateway": 0.4, "worker1": 0.5}
    assert median_cpu([run(1.0, None)]) is None


def test_two_workers_are_compared_with_one_pair_by_pair_not_median_to_median():
    # The machine's load drifts: pair by pair 2 workers win every time, though the medians alone would say not.
    ones = [run(1000.0), run(1600.0), run(1300.0)]
    twos = [run(1100.0), run(1700.0), run(1250.0)]
    ratio = pair_ratio(ones, twos)
    assert ratio == {"median": 1.062, "each": [1.1, 1.062, 0.962]}
    assert pair_ratio([run(1000.0)], [run(None)]) is None  # a failed run leaves no ratio to quote


def test_a_configuration_counts_every_runs_wrong_members_and_duplicates_not_only_the_median_ones():
    cpu = {"gateway": 0.3, "worker1": 0.6}
    by_workload = {"steady": [run(1000.0, cpu), run(1200.0, cpu, dup=2), run(1100.0, cpu)],
                   "raid": [run(300.0, wrong=1), run(350.0), run(320.0)]}
    summary = _summary(by_workload)
    assert summary["updates_per_s"] == 1100.0 and summary["raid_updates_per_s"] == 320.0
    assert summary["steady_each"] == [1000.0, 1200.0, 1100.0]
    assert summary["wrong_members"] == 1 and summary["duplicate_effects"] == 2
    failed = _summary({"steady": [run(1000.0), run(None, wrong=None)], "raid": [run(300.0)]})
    assert failed["wrong_members"] is None  # a run that failed proves nothing, so no total is claimed


def test_the_model_splits_a_workers_cost_into_what_every_worker_pays_and_what_only_the_owner_pays():
    workers = {"1": {"cpu_s_per_1k": {"gateway": 0.3, "worker1": 0.6}},
               "2": {"cpu_s_per_1k": {"gateway": 0.3, "worker1": 0.35, "worker2": 0.35}}}
    found = model(workers)
    assert found["worker_fixed_cpu_s_per_1k"] == 0.1 and found["worker_owned_cpu_s_per_1k"] == 0.5
    assert found["ceiling_updates_per_s"]["1"] == 1666.7
    assert found["ceiling_updates_per_s"]["16"] == 3333.3  # the one gateway is the ceiling
    assert model({"1": {"cpu_s_per_1k": None}, "2": {"cpu_s_per_1k": None}}) is None
