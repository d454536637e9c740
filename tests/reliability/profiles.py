"""One Hypothesis profile for this folder: derandomized (the same examples on every run, so CI is stable)
and modest (the folder's property tests take seconds, not minutes)."""

from hypothesis import HealthCheck, settings

FAST = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,  # a whole bot per example: timing varies with the machine, not with the input
    database=None,  # nothing remembered between runs: what runs in CI is what runs here
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
