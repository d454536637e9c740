"""docker-compose.yml, the Prometheus config and alert rules, Alertmanager's, Jaeger's, Grafana's provisioning and
dashboard, the Dockerfile and .env.example agree with each other and with chanwarden: real settings, existing
services and files, and metrics the bot or the follower really exports."""

import asyncio
import json
import re
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from adapters.simulated_telegram.rig_settings import RigSettings
from application.gatekeeper import SPOOL_LIMIT
from entrypoints.projection_follower import FollowProgress
from infrastructure.observability.follower import FollowerTelemetry
from infrastructure.observability.scale_out import ScaleOutGauges
from infrastructure.observability.telemetry import Telemetry
from tests.observability.conftest import ROOT, series_names

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
BOT_ENV = SERVICES["bot"]["environment"]
FOLLOWER_ENV = SERVICES["projections"]["environment"]
DEPLOY = ROOT / "deploy"
PROMETHEUS = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
ALERTS = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
JAEGER = yaml.safe_load((DEPLOY / "jaeger" / "config.yaml").read_text())
DASHBOARD = json.loads((DEPLOY / "grafana" / "dashboards" / "chanwarden.json").read_text())
DATASOURCES = [d for f in sorted((DEPLOY / "grafana" / "provisioning" / "datasources").glob("*.yml"))
               for d in yaml.safe_load(f.read_text())["datasources"]]
INTERPOLATED = re.compile(r"\$\{([A-Z0-9_]+)")
METRIC = re.compile(r"\bchanwarden_[a-z0-9_]+")
JOB = re.compile(r'job="([^"]+)"')
# Standard OpenTelemetry variables, read by its SDK rather than by Settings.
OTEL_VARIABLES = {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG"}


def setting_names() -> set[str]:
    """The product's settings and the test rig's (which compose sets empty, so a .env for tests cannot turn the
    deployed bot into a simulated one)."""
    names = set()
    for name, field in RigSettings.model_fields.items():
        alias = field.validation_alias
        names.add(alias if isinstance(alias, str) else f"{RigSettings.model_config['env_prefix']}{name.upper()}")
    return names


def host_of(value: str) -> str:
    value = re.sub(r"\$\{[^}]*\}", "x", value)  # compose fills these in from .env
    return urlsplit(value if "://" in value else f"//{value}").hostname


def port_of(value: str) -> int:
    return urlsplit(value if "://" in value else f"//{value}").port


def mounts(service: str) -> dict[str, str]:
    """Host path -> container path of a service's bind mounts."""
    return dict(v.split(":")[:2] for v in SERVICES[service].get("volumes") or [] if v.startswith("."))


def scrape_jobs() -> dict[str, list[str]]:
    """Job -> its targets: host:port, or (found by DNS, every replica of a service) name:port."""
    return {job["job_name"]: [t for s in job.get("static_configs", []) for t in s["targets"]]
            + [f"{n}:{d['port']}" for d in job.get("dns_sd_configs", []) for n in d["names"]]
            for job in PROMETHEUS["scrape_configs"]}


def alert_rules() -> dict[str, dict]:
    return {rule["alert"]: rule for group in ALERTS["groups"] for rule in group["rules"]}


@pytest.fixture(scope="module")
def follower_series() -> set[str]:
    """Every series `chanwarden projections follow` exports, from its telemetry over a log 5 events long."""

    async def position() -> int:
        return 5

    store, models = SimpleNamespace(last_position=position), SimpleNamespace(position=position)
    telemetry = FollowerTelemetry("test", store, {"redis": models}, FollowProgress(applied=Counter(redis=5)))
    try:
        return series_names(asyncio.run(telemetry.exposition()).decode())
    finally:
        telemetry.shutdown()


@pytest.fixture(scope="module")
def scale_out_series() -> set[str]:
    """What the gateway and the workers export beside the bot's metrics (a partition held, a lag, calls)."""
    telemetry = Telemetry("test")
    gauges = ScaleOutGauges(telemetry)
    gauges.owned, gauges.lag = {"0"}, {"0": 3}
    try:
        return series_names(asyncio.run(telemetry.exposition()).decode())
    finally:
        telemetry.shutdown()


@pytest.fixture(scope="module")
def exported(offline_bot, follower_series, scale_out_series) -> set[str]:
    return series_names(offline_bot["metrics"][1]) | follower_series | scale_out_series


def test_every_variable_compose_gives_the_bot_and_the_follower_is_a_setting() -> None:
    assert set(BOT_ENV) <= setting_names() | OTEL_VARIABLES
    assert set(FOLLOWER_ENV) <= setting_names()
    # Service addresses point at services of this file.
    for env in (BOT_ENV, FOLLOWER_ENV):
        assert host_of(env["CHANWARDEN_POSTGRES_DSN"]) == "postgres" and "postgres" in SERVICES
        assert host_of(env["CHANWARDEN_REDIS_URL"]) == "redis" and "redis" in SERVICES
        assert env["CHANWARDEN_HTTP_HOST"] == "0.0.0.0"  # else Prometheus could not reach it
        assert env["CHANWARDEN_OFFLINE_SCENARIO"] == env["CHANWARDEN_REMOTE_WORLD"] == ""  # empty counts as unset
    assert host_of(BOT_ENV["OTEL_EXPORTER_OTLP_ENDPOINT"]) == "jaeger" and "jaeger" in SERVICES


@pytest.mark.parametrize("service", ["bot", "projections"])
def test_what_compose_gives_each_process_is_a_valid_configuration(monkeypatch, service) -> None:
    for name in setting_names() | OTEL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in SERVICES[service]["environment"].items():
        # ${VAR:-default} becomes its default, a required ${VAR:?...} a value .env would give.
        filled = re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", value)
        monkeypatch.setenv(name, re.sub(r"\$\{[A-Z0-9_]+:\?[^}]*\}", "12345", filled))
    monkeypatch.chdir(ROOT / "deploy")  # no .env here: only what compose sets
    settings = RigSettings()
    assert settings.offline_scenario is None and settings.remote_world is None  # "" counts as unset
    assert (settings.event_store, settings.cache, settings.http_host) == ("postgres", "redis", "0.0.0.0")
    if service == "bot":
        assert settings.spool_file.parent == settings.session_path.parent == Path("/data")  # the botdata volume
        assert settings.traces == "otlp" and settings.metrics_port == 9464
    else:
        assert settings.projections_port == 9465


def test_every_setting_readme_documents_reaches_the_bot_and_the_follower_from_env() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    documented = set()
    for row in re.findall(r"^\| (`[^|]+`) \|", table, re.MULTILINE):
        names = re.findall(r"`([A-Z_]+)`", row)
        # `CHANWARDEN_CACHE_POSITIVE_TTL` / `_NEGATIVE_TTL`: the short forms share the first one's prefix.
        prefix = names[0].rsplit("_", 2)[0] if len(names) > 1 else ""
        documented |= {f"{prefix}{n}" if n.startswith("_") else n for n in names}
    assert documented == setting_names(), documented ^ setting_names()
    for service in ("bot", "projections"):
        # Whatever compose does not pin comes from .env; what it pins must be a setting the README explains.
        assert SERVICES[service]["env_file"] == [".env"], service


def test_the_shared_read_models_are_left_to_a_follower_opening_the_same_log_and_cache() -> None:
    follower = SERVICES["projections"]
    assert follower["command"] == ["projections", "follow"]
    assert BOT_ENV["CHANWARDEN_SHARED_PROJECTION"] == "separate"
    for name in ("CHANWARDEN_EVENT_STORE", "CHANWARDEN_POSTGRES_DSN", "CHANWARDEN_CACHE", "CHANWARDEN_REDIS_URL"):
        assert FOLLOWER_ENV[name] == BOT_ENV[name], name
    assert follower["image"] == SERVICES["bot"]["image"]


def test_every_service_has_an_image_pinned_rotated_logs_and_existing_volumes_and_files() -> None:
    assert set(SERVICES) >= {"bot", "projections", "postgres", "redis", "prometheus", "alertmanager", "jaeger",
                             "grafana"}
    declared_volumes = set(COMPOSE.get("volumes") or {})
    for name, service in SERVICES.items():
        image = service["image"]
        assert "build" in service or (":" in image and not image.endswith(":latest")), f"{name}: pin {image}"
        assert service["logging"]["driver"] == "json-file" and service["logging"]["options"]["max-size"], name
        assert set(service.get("depends_on") or []) <= set(SERVICES), name
        for mount in service.get("volumes") or []:
            source = mount.split(":")[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in declared_volumes, f"{name} uses undeclared volume {source}"
    assert (ROOT / SERVICES["bot"]["build"] / "Dockerfile").is_file()


def test_the_bot_and_the_follower_are_health_checked_on_their_own_ports() -> None:
    for service, port in (("bot", BOT_ENV["CHANWARDEN_METRICS_PORT"]),
                          ("projections", FOLLOWER_ENV["CHANWARDEN_PROJECTIONS_PORT"])):
        check = " ".join(SERVICES[service]["healthcheck"]["test"])
        assert f"http://127.0.0.1:{port}/readyz" in check, service
        assert SERVICES[service]["expose"] == [port], service
    assert BOT_ENV["CHANWARDEN_HEALTH_PORT"] == "0"  # /readyz on the metrics port, where the check asks


def test_prometheus_scrapes_both_processes_loads_the_rules_and_alerts_alertmanager() -> None:
    scale_out = {name: SERVICES[name]["environment"]["CHANWARDEN_METRICS_PORT"] for name in ("gateway", "workers")}
    assert scrape_jobs() == {"chanwarden": [f"bot:{BOT_ENV['CHANWARDEN_METRICS_PORT']}"],
                             "chanwarden-projections": [f"projections:{FOLLOWER_ENV['CHANWARDEN_PROJECTIONS_PORT']}"],
                             "chanwarden-gateway": [f"gateway:{scale_out['gateway']}"],
                             "chanwarden-workers": [f"workers:{scale_out['workers']}"]}
    assert all(job["metrics_path"] == "/metrics" for job in PROMETHEUS["scrape_configs"])
    prometheus = mounts("prometheus")
    assert prometheus["./deploy/prometheus/prometheus.yml"] == "/etc/prometheus/prometheus.yml"
    assert PROMETHEUS["rule_files"] == [prometheus["./deploy/prometheus/alerts.yml"]]
    targets = [t for a in PROMETHEUS["alerting"]["alertmanagers"] for s in a["static_configs"] for t in s["targets"]]
    assert [host_of(t) for t in targets] == ["alertmanager"] and port_of(targets[0]) == 9093
    alertmanager = SERVICES["alertmanager"]
    config = next(c.split("=", 1)[1] for c in alertmanager["command"] if c.startswith("--config.file="))
    assert mounts("alertmanager")["./deploy/alertmanager/alertmanager.yml"] == config
    routes = yaml.safe_load((DEPLOY / "alertmanager" / "alertmanager.yml").read_text())
    assert routes["route"]["receiver"] in {r["name"] for r in routes["receivers"]}


def test_the_alert_rules_watch_what_the_runbook_names_with_metrics_that_exist(exported) -> None:
    rules = alert_rules()
    assert set(rules) == {"ChanwardenBotDown", "ChanwardenFollowerDown", "ChanwardenDegraded",
                          "ChanwardenProjectionLag", "ChanwardenErrors", "ChanwardenFloodWaits",
                          "ChanwardenSpoolNotDraining", "ChanwardenSpoolFilling"}
    runbook = (ROOT / "docs" / "operations.md").read_text()
    for name, rule in rules.items():
        used = set(METRIC.findall(rule["expr"]))
        assert used <= exported, (name, used - exported)
        assert set(JOB.findall(rule["expr"])) <= set(scrape_jobs()), name
        assert rule["labels"]["severity"] in {"warning", "critical"} and rule["annotations"]["summary"], name
        assert f"`{name}`" in runbook, f"docs/operations.md does not explain {name}"
    assert rules["ChanwardenDegraded"]["for"] == "5m"
    threshold = int(re.search(r">\s*(\d+)", rules["ChanwardenSpoolFilling"]["expr"]).group(1))
    assert 0 < threshold < SPOOL_LIMIT


def test_jaeger_receives_otlp_where_the_bot_sends_it_and_grafana_reads_it() -> None:
    endpoint = JAEGER["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    assert host_of(endpoint) == "0.0.0.0" and port_of(endpoint) == port_of(BOT_ENV["OTEL_EXPORTER_OTLP_ENDPOINT"])
    assert SERVICES["jaeger"]["expose"] == [str(port_of(endpoint))]
    pipeline = JAEGER["service"]["pipelines"]["traces"]
    assert pipeline["receivers"] == ["otlp"] and set(JAEGER["service"]["extensions"]) >= {"jaeger_query"}
    storage = JAEGER["exporters"]["jaeger_storage_exporter"]["trace_storage"]
    assert JAEGER["extensions"]["jaeger_query"]["storage"]["traces"] == storage
    assert storage in JAEGER["extensions"]["jaeger_storage"]["backends"]
    assert mounts("jaeger")["./deploy/jaeger/config.yaml"] == SERVICES["jaeger"]["command"][1]
    jaeger = next(d for d in DATASOURCES if d["type"] == "jaeger")
    assert host_of(jaeger["url"]) == "jaeger" and port_of(jaeger["url"]) == 16686  # jaeger_query's port


def test_grafana_provisions_the_datasources_and_dashboard_the_dashboard_uses() -> None:
    assert {host_of(d["url"]) for d in DATASOURCES} == {"prometheus", "jaeger"}
    uids = {d["uid"] for d in DATASOURCES}
    for panel in DASHBOARD["panels"]:
        assert panel["datasource"]["uid"] in uids, panel["title"]
        assert all(t["datasource"]["uid"] == panel["datasource"]["uid"] for t in panel["targets"]), panel["title"]
    assert any(p["datasource"]["uid"] == "chanwarden-jaeger" for p in DASHBOARD["panels"])
    explore = next(link["url"] for link in DASHBOARD["links"] if link["url"].startswith("/explore"))
    panes = json.loads(parse_qs(urlsplit(explore).query)["panes"][0])
    assert {pane["datasource"] for pane in panes.values()} == {"chanwarden-jaeger"}
    provider = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "dashboards" / "chanwarden.yml").read_text())
    grafana = mounts("grafana")
    assert grafana["./deploy/grafana/dashboards"] == provider["providers"][0]["options"]["path"]
    assert grafana["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"


def test_the_dashboard_queries_only_metrics_and_jobs_that_exist(exported) -> None:
    exprs = [t["expr"] for panel in DASHBOARD["panels"] for t in panel["targets"] if "expr" in t]
    queried = {name for expr in exprs for name in METRIC.findall(expr)}
    assert queried <= exported, queried - exported
    assert {job for expr in exprs for job in JOB.findall(expr)} <= set(scrape_jobs())
    # The panels an operator needs first.
    for metric in ("chanwarden_decisions_total", "chanwarden_decision_duration_seconds_bucket",
                   "chanwarden_telegram_calls_total", "chanwarden_ratelimit_queue_depth",
                   "chanwarden_restricted_members", "chanwarden_errors_total", "chanwarden_spool_depth",
                   # scale-out: per-worker throughput, partition ownership, stream lag, the shared budget
                   "chanwarden_updates_total", "chanwarden_partition_owned", "chanwarden_stream_lag_entries",
                   "chanwarden_gateway_calls_total"):
        assert metric in queried


def test_env_example_documents_every_setting_and_nothing_else() -> None:
    text = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))
    compose_only = set(INTERPOLATED.findall((ROOT / "docker-compose.yml").read_text())) - setting_names()
    assert setting_names() <= documented, setting_names() - documented
    assert documented <= setting_names() | compose_only | OTEL_VARIABLES, documented - setting_names() - compose_only


def test_the_image_is_slim_runs_as_a_user_and_starts_the_bot() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE)
    assert stages == ["python:3.13-slim", "python:3.13-slim"]
    assert "--no-cache-dir" in dockerfile
    user = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert user and user[-1] not in ("root", "0")
    assert 'ENTRYPOINT ["chanwarden"]' in dockerfile and 'CMD ["run"]' in dockerfile
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    copies = [line.split()[1:-1] for line in dockerfile.splitlines() if line.startswith("COPY ")]
    for path in [p for sources in copies if not sources[0].startswith("--") for p in sources]:
        assert (ROOT / path).exists() and path not in ignored, path
