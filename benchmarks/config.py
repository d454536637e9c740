"""Sizes and knobs of one benchmark run; `--quick` swaps in sizes small enough for a test."""

from dataclasses import asdict, dataclass, field, replace

BACKENDS = ("embedded", "services")
STRATEGIES = ("naive", "lru5", "chanwarden")
WORKLOADS = ("steady", "raid", "churn")
TRAFFIC = ("steady_messages", "raid_joins", "raid_messages", "churn_updates")  # what --scale multiplies


@dataclass(frozen=True)
class Sizes:
    groups: int = 120
    channels: int = 150  # the pool groups draw their 1-3 channels from, so channels are shared between groups
    users: int = 100_000
    unsubscribed: float = 0.10  # share of members missing at least one of their groups' channels
    zipf: float = 1.1  # sender popularity exponent: a few people write most messages
    message_rate: float = 20.0  # messages per simulated second, across all groups
    steady_messages: int = 40_000
    change_every: int = 40  # steady: one channel join or leave per this many messages
    raid_joins: int = 10_000
    raid_seconds: float = 60.0
    raid_unsubscribed: float = 0.8
    raid_verify: float = 0.2  # share of muted raiders who press Verify (half of them after subscribing)
    raid_messages: int = 6_000  # normal traffic in the other groups during the raid
    churn_updates: int = 30_000
    churn_changes: float = 0.5  # share of churn updates that are channel joins or leaves


QUICK = Sizes(
    groups=10, channels=16, users=1_500, steady_messages=500, raid_joins=200, raid_messages=100, churn_updates=400,
)


@dataclass(frozen=True)
class BenchConfig:
    sizes: Sizes = field(default_factory=Sizes)
    rtt: float = 0.050  # simulated Telegram round trip, slept for real
    jitter: float = 0.010
    concurrency: int = 256  # updates in flight at once
    seed: int = 7
    backends: tuple[str, ...] = BACKENDS
    strategies: tuple[str, ...] = STRATEGIES
    workloads: tuple[str, ...] = WORKLOADS
    quick: bool = False
    paced_rate: float = 1_000.0  # steps a second for the latency-at-load runs (40 % of services' pace); 0 skips them

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "BenchConfig":
        data = dict(data)
        data["sizes"] = Sizes(**data["sizes"])
        for key in ("backends", "strategies", "workloads"):
            data[key] = tuple(data[key])
        return cls(**data)

    def scaled(self, factor: float) -> "BenchConfig":
        """The same world, with `factor` times the traffic: for a run that fits a time budget."""
        counts = {k: max(1, round(getattr(self.sizes, k) * factor)) for k in TRAFFIC}
        return replace(self, sizes=replace(self.sizes, **counts))
