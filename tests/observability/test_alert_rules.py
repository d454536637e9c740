"""The alert rules and Alertmanager's configuration, checked by Prometheus's and Alertmanager's own tools where they
are installed (Debian's `prometheus` and `prometheus-alertmanager` packages): the rules parse, and each alert fires
as deploy/prometheus/alerts_test.yml expects. test_deploy_files.py checks what needs no tool, everywhere."""

import shutil
import subprocess

import pytest

from tests.observability.conftest import ROOT

DEPLOY = ROOT / "deploy"


def run(tool: str, *args: str) -> subprocess.CompletedProcess:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (apt-get install prometheus prometheus-alertmanager)")
    return subprocess.run([tool, *args], capture_output=True, text=True, timeout=60, check=False)


def test_each_alert_fires_on_what_it_watches_after_its_delay() -> None:
    checked = run("promtool", "test", "rules", str(DEPLOY / "prometheus" / "alerts_test.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_alertmanager_takes_its_configuration() -> None:
    checked = run("amtool", "check-config", str(DEPLOY / "alertmanager" / "alertmanager.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
