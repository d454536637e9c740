"""docker-compose.yml, the Prometheus config, Grafana's provisioning and dashboard, the Dockerfile and .env.example
agree with each other and with the bot: real settings, existing services, and metrics the bot really exports."""

import json
import re
from urllib.parse import urlsplit

import yaml

from infrastructure.settings import Settings
from tests.observability.conftest import ROOT, series_names

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
BOT_ENV = SERVICES["bot"]["environment"]
DEPLOY = ROOT / "deploy"
DASHBOARD = json.loads((DEPLOY / "grafana" / "dashboards" / "chanwarden.json").read_text())
INTERPOLATED = re.compile(r"\$\{([A-Z0-9_]+)")


def setting_names() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names.add(alias if isinstance(alias, str) else f"{Settings.model_config['env_prefix']}{name.upper()}")
    return names


def host_of(value: str) -> str:
    value = re.sub(r"\$\{[^}]*\}", "x", value)  # compose fills these in from .env
    return urlsplit(value if "://" in value else f"//{value}").hostname


def test_every_variable_compose_gives_the_bot_is_a_setting() -> None:
    assert set(BOT_ENV) <= setting_names()
    # Service addresses point at services of this file.
    assert host_of(BOT_ENV["CHANWARDEN_POSTGRES_DSN"]) == "postgres" and "postgres" in SERVICES
    assert host_of(BOT_ENV["CHANWARDEN_REDIS_URL"]) == "redis" and "redis" in SERVICES
    assert BOT_ENV["CHANWARDEN_HTTP_HOST"] == "0.0.0.0"  # else Prometheus could not reach it


def test_the_shared_read_models_are_left_to_a_follower_opening_the_same_log_and_cache() -> None:
    follower = SERVICES["projections"]
    assert follower["command"] == ["projections", "follow"] and set(follower["environment"]) <= setting_names()
    assert BOT_ENV["CHANWARDEN_SHARED_PROJECTION"] == "separate"
    for name in ("CHANWARDEN_EVENT_STORE", "CHANWARDEN_POSTGRES_DSN", "CHANWARDEN_CACHE", "CHANWARDEN_REDIS_URL"):
        assert follower["environment"][name] == BOT_ENV[name], name
    assert follower["image"] == SERVICES["bot"]["image"]


def test_every_service_volume_and_file_compose_refers_to_exists() -> None:
    assert {"bot", "projections", "postgres", "redis", "prometheus", "grafana"} <= set(SERVICES)
    declared_volumes = set(COMPOSE.get("volumes") or {})
    for name, service in SERVICES.items():
        assert set(service.get("depends_on") or []) <= set(SERVICES), name
        for mount in service.get("volumes") or []:
            source = mount.split(":")[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in declared_volumes, f"{name} uses undeclared volume {source}"
    assert (ROOT / SERVICES["bot"]["build"] / "Dockerfile").is_file()


def test_prometheus_scrapes_the_bot_on_its_metrics_port() -> None:
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    mount = next(v for v in SERVICES["prometheus"]["volumes"] if "prometheus.yml" in v)
    assert mount.split(":")[1] == "/etc/prometheus/prometheus.yml"
    targets = [t for job in config["scrape_configs"] for s in job["static_configs"] for t in s["targets"]]
    assert targets == [f"bot:{BOT_ENV['CHANWARDEN_METRICS_PORT']}"]
    assert config["scrape_configs"][0]["metrics_path"] == "/metrics"


def test_grafana_provisions_the_datasource_and_dashboard_the_dashboard_uses() -> None:
    provisioning = DEPLOY / "grafana" / "provisioning"
    datasources = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())["datasources"]
    assert [host_of(d["url"]) for d in datasources] == ["prometheus"]
    uids = {d["uid"] for d in datasources}
    for panel in DASHBOARD["panels"]:
        assert panel["datasource"]["uid"] in uids, panel["title"]
    provider = yaml.safe_load((provisioning / "dashboards" / "chanwarden.yml").read_text())["providers"][0]
    mounts = dict(v.split(":")[:2] for v in SERVICES["grafana"]["volumes"])
    assert mounts["./deploy/grafana/dashboards"] == provider["options"]["path"]
    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"


def test_the_dashboard_queries_only_metrics_the_bot_exports(offline_bot) -> None:
    exprs = [t["expr"] for panel in DASHBOARD["panels"] for t in panel["targets"]]
    queried = {name for expr in exprs for name in re.findall(r"\bchanwarden_[a-z0-9_]+", expr)}
    served = series_names(offline_bot["metrics"][1])
    assert queried <= served, queried - served
    # The panels an operator needs first.
    for metric in ("chanwarden_decisions_total", "chanwarden_decision_duration_seconds_bucket",
                   "chanwarden_telegram_calls_total", "chanwarden_ratelimit_queue_depth",
                   "chanwarden_restricted_members", "chanwarden_errors_total"):
        assert metric in queried


def test_env_example_documents_every_setting_and_nothing_else() -> None:
    text = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))
    compose_only = set(INTERPOLATED.findall((ROOT / "docker-compose.yml").read_text())) - setting_names()
    assert setting_names() <= documented, setting_names() - documented
    assert documented <= setting_names() | compose_only, documented - setting_names() - compose_only


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
