"""The deployment files hold together: compose.yaml, the Prometheus config, the Grafana
dashboard and the Dockerfile (no container engine runs here, so this checks structure)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from equeue.api.metrics import _COUNTERS, _HISTOGRAMS

ROOT = Path(__file__).resolve().parents[2]


def load_yaml(path: str) -> Any:
    return yaml.safe_load((ROOT / path).read_text())


def test_compose_services_profiles_and_mounts() -> None:
    compose = load_yaml("compose.yaml")
    services = compose["services"]
    assert set(services) == {
        "postgres",
        "migrate",
        "api",
        "worker-1",
        "worker-2",
        "prometheus",
        "grafana",
    }
    assert services["api"]["command"] == ["api"]
    assert services["migrate"]["command"] == ["migrate"]
    for name in ("worker-1", "worker-2"):
        worker = services[name]
        assert worker["command"][0] == "worker"
        assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        grace = float(worker["environment"]["EQUEUE_SHUTDOWN_GRACE"])
        assert float(worker["stop_grace_period"].rstrip("s")) > grace
    for name in ("prometheus", "grafana"):
        assert services[name]["profiles"] == ["monitoring"]
    assert all("profiles" not in services[n] for n in ("postgres", "api", "worker-1"))
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{source} is mounted but missing"


def test_prometheus_scrapes_the_api_with_a_key() -> None:
    config = load_yaml("deploy/prometheus/prometheus.yml")
    [job] = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    assert job["static_configs"] == [{"targets": ["api:8000"]}]
    assert job["authorization"]["credentials_file"]


def test_compose_gives_each_service_least_privilege() -> None:
    services = load_yaml("compose.yaml")["services"]
    # Only the API listens on the host's interfaces; the rest stay on its loopback.
    for name, service in services.items():
        for port in service.get("ports", []):
            if name != "api":
                assert port.startswith("127.0.0.1:"), f"{name} publishes {port} to the network"
    # The scraper holds a read-only key of its own, never the admin key.
    prometheus = services["prometheus"]
    assert "EQUEUE_API_KEY" not in prometheus["environment"]
    assert "EQUEUE_API_KEY" not in " ".join(prometheus["entrypoint"])
    assert prometheus["environment"]["EQUEUE_METRICS_KEY"].startswith("${EQUEUE_METRICS_KEY:?")
    grafana = services["grafana"]["environment"]
    assert grafana["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
    assert grafana["GF_USERS_ALLOW_SIGN_UP"] == "false"
    # No default password: compose refuses to start Grafana without one.
    assert grafana["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD:?")


def test_grafana_provisioning_and_dashboard() -> None:
    datasource = load_yaml("deploy/grafana/provisioning/datasources/prometheus.yml")
    uid = datasource["datasources"][0]["uid"]
    provider = load_yaml("deploy/grafana/provisioning/dashboards/equeue.yml")
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"

    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/equeue.json").read_text())
    exported = {"equeue_jobs", "equeue_workers_alive", "equeue_api_request_duration_seconds"}
    exported |= {f"equeue_jobs_{name}_total" for name in _COUNTERS}
    exported |= {f"equeue_job_{name}_bucket" for name in _HISTOGRAMS}
    exported |= {"equeue_api_request_duration_seconds_bucket"}
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == uid
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            used = set(re.findall(r"\bequeue_[a-z_]+", target["expr"]))
            assert used, target["expr"]
            assert used <= exported, f"{panel['title']}: {used - exported} is not exported"


def test_dockerfile_is_multi_stage_slim_and_unprivileged() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", text, flags=re.M)[1:]
    assert len(stages) >= 2
    runtime = stages[-1]
    assert "slim" in runtime.splitlines()[0]
    assert re.search(r"^USER equeue$", runtime, flags=re.M)
    assert "build-essential" not in runtime
    assert "COPY --from=build /opt/equeue /opt/equeue" in runtime
    assert 'ENTRYPOINT ["equeue"]' in runtime
