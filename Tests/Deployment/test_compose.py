"""docker/compose.yaml validated by a real compose implementation (Debian's docker-compose, which checks
the Compose specification's JSON schema and resolves the file without a Docker engine), plus the wiring
the schema cannot see: pinned images, health checks behind every service_healthy, mounted files that
exist, and the ports and host names the gateway, Prometheus, Tempo and Grafana configs use for each other."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

import pytest
import yaml

import deployhelpers as dh


def compose_config(docker_compose_bin: str, *files: Path, cwd: Path) -> subprocess.CompletedProcess:
    args = [docker_compose_bin]
    for f in files:
        args += ["-f", str(f)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCKER_", "COMPOSE_"))}
    env["DOCKER_HOST"] = "unix:///nonexistent/docker.sock"  # prove no engine is needed
    return subprocess.run([*args, "config"], cwd=cwd, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, env=env)


@pytest.fixture(scope="module")
def resolved(docker_compose_bin) -> dict:
    """The stack as docker-compose resolves it (variables at their defaults, paths absolute)."""
    out = compose_config(docker_compose_bin, dh.COMPOSE, cwd=dh.DOCKER)
    assert out.returncode == 0, out.stderr
    return yaml.safe_load(out.stdout)


def test_compose_file_is_valid(resolved):
    assert set(resolved["services"]) == {"gateway", "prometheus", "tempo-init", "tempo", "grafana"}


def test_gpu_override_is_valid(docker_compose_bin):
    out = compose_config(docker_compose_bin, dh.COMPOSE, dh.COMPOSE_GPU, cwd=dh.DOCKER)
    assert out.returncode == 0, out.stderr
    gw = yaml.safe_load(out.stdout)["services"]["gateway"]
    devices = gw["deploy"]["resources"]["reservations"]["devices"]
    assert devices and "utility" in devices[0]["capabilities"], devices  # NVML comes with "utility"
    assert gw["build"]["dockerfile"] == "docker/Dockerfile"  # the override keeps the base service


@pytest.mark.parametrize("mutation", [
    ("condition: service_healthy", "condition: service_is_healthy"),  # not a depends_on condition
    ("    stop_grace_period: 30s", "    stop_grace_periods: 30s"),  # not a service key
    ("      retries: 3", "      retries: three"),  # not an integer
])
def test_compose_rejects_an_invalid_file(docker_compose_bin, tmp_path, mutation):
    old, new = mutation
    text = dh.COMPOSE.read_text()
    assert old in text, f"the mutation no longer applies: {old!r}"
    # The copy sits beside copies of what it mounts, so only the mutation can make it fail.
    work = tmp_path / "docker"
    shutil.copytree(dh.DOCKER, work, ignore=shutil.ignore_patterns("*.json"))
    (work / "compose.yaml").write_text(text.replace(old, new, 1))
    out = compose_config(docker_compose_bin, work / "compose.yaml", cwd=work)
    assert out.returncode != 0, f"docker-compose accepted {new!r}:\n{out.stdout[:400]}"


def test_images_are_pinned():
    raw = dh.load_yaml(dh.COMPOSE)
    for name, svc in raw["services"].items():
        if "build" in svc:
            continue
        image = svc["image"]
        repo, _, tag = image.rpartition(":")
        assert repo and tag and tag != "latest" and re.match(r"v?\d+\.\d+\.\d+$", tag), f"{name}: {image} is not pinned"
    images = {svc["image"] for svc in raw["services"].values() if "build" not in svc}
    assert any(i.startswith("prom/prometheus:v3.") for i in images), images
    assert any(i.startswith("grafana/tempo:") for i in images) and any(i.startswith("grafana/grafana:") for i in images)


def test_health_checks_and_start_order(resolved):
    services = resolved["services"]
    one_shot = {name for name, s in services.items() if s.get("restart") == "no"}
    for name, svc in services.items():
        if name not in one_shot:
            assert "healthcheck" in svc and svc["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
            assert svc.get("restart") == "unless-stopped", name
        for dep, cond in (svc.get("depends_on") or {}).items():
            condition = cond["condition"]
            assert condition in ("service_healthy", "service_started", "service_completed_successfully"), (name, dep)
            if condition == "service_healthy":
                assert "healthcheck" in services[dep], f"{name} waits for {dep} to be healthy but it has no healthcheck"
            if condition == "service_completed_successfully":
                assert dep in one_shot, (name, dep)
    # Grafana needs both datasources; the gateway starts after its backends.
    assert set(services["grafana"]["depends_on"]) == {"prometheus", "tempo"}
    assert services["gateway"]["depends_on"]["prometheus"]["condition"] == "service_healthy"
    assert services["gateway"]["depends_on"]["tempo"]["condition"] == "service_healthy"


def mounts(svc: dict) -> list[tuple[str, str, str]]:
    """[(kind, source, target)] of a resolved service, from the short (docker-compose v1) or long syntax."""
    out = []
    for vol in svc.get("volumes", []):
        if isinstance(vol, dict):
            out.append((vol["type"], vol["source"], vol["target"]))
        else:
            source, target = vol.split(":")[:2]
            out.append(("bind" if source.startswith(("/", ".")) else "volume", source, target))
    return out


def bind_mounts(svc: dict) -> dict[str, Path]:
    return {target: Path(source) for kind, source, target in mounts(svc) if kind == "bind"}


def test_volumes_are_named_and_mounts_exist(resolved):
    named = set(resolved.get("volumes", {}))
    assert named == {"prometheus-data", "tempo-data", "grafana-data"}
    used = set()
    for name, svc in resolved["services"].items():
        for kind, source, _ in mounts(svc):
            if kind == "bind":
                assert Path(source).exists(), f"{name} mounts {source}, which does not exist"
                assert Path(source).resolve().is_relative_to(dh.DOCKER), f"{name} mounts {source} from outside docker/"
            else:
                assert source in named, f"{name} uses undeclared volume {source}"
                used.add(source)
    assert used == named, f"declared but unused volumes: {named - used}"


def _published(svc: dict) -> dict[int, str]:
    out = {}
    for p in svc.get("ports", []):
        if isinstance(p, dict):
            out[int(p["target"])] = p.get("host_ip", "")
        else:
            parts = str(p).split("/")[0].split(":")
            out[int(parts[-1])] = parts[0] if len(parts) == 3 else ""
    return out


def test_ports_are_local_by_default_and_match_the_image(resolved):
    services = resolved["services"]
    for name, svc in services.items():
        for port, host_ip in _published(svc).items():
            assert host_ip == "127.0.0.1", f"{name} publishes {port} on {host_ip or 'all interfaces'} by default"
    expose = set()
    for kw, args in dh.dockerfile_stages(dh.DOCKERFILE.read_text())[-1]["instructions"]:
        if kw == "EXPOSE":
            expose |= {int(p) for p in args.split()}
    assert set(_published(services["gateway"])) == expose == {4317, 4318, 8888, 9464, 13133, 55679}
    assert set(_published(services["prometheus"])) == {9090}
    assert set(_published(services["tempo"])) == {3200}
    assert set(_published(services["grafana"])) == {3000}


def _host_port(text: str) -> tuple[str, int]:
    if "://" in text:
        u = urlparse(text)
        return u.hostname, u.port
    host, _, port = text.rpartition(":")
    return host, int(port)


def test_gateway_config_matches_the_stack(resolved):
    """The gateway config the stack mounts listens where the ports are published, writes to the
    prometheus service with the remote-write receiver on, and sends traces to tempo's OTLP receiver."""
    gw = resolved["services"]["gateway"]
    assert bind_mounts(gw)["/etc/otlp-gateway/collector.yaml"] == dh.COLLECTOR_COMPOSE
    assert gw["command"][-1] == "/etc/otlp-gateway/collector.yaml"
    cfg = dh.load_yaml(dh.COLLECTOR_COMPOSE)
    listeners = {
        "otlp grpc": cfg["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"],
        "otlp http": cfg["receivers"]["otlp"]["protocols"]["http"]["endpoint"],
        "pull": cfg["exporters"]["prometheus"]["endpoint"],
        "health": cfg["extensions"]["health_check"]["endpoint"],
        "telemetry": cfg["service"]["telemetry"]["metrics"]["address"],
    }
    published = set(_published(gw))
    for what, endpoint in listeners.items():
        host, port = _host_port(endpoint)
        assert host == "0.0.0.0", f"{what} listens on {host}: unreachable from other containers"
        assert port in published, f"{what} port {port} is not published"

    rw_host, rw_port = _host_port(cfg["exporters"]["prometheusremotewrite"]["endpoint"])
    assert urlparse(cfg["exporters"]["prometheusremotewrite"]["endpoint"]).path == "/api/v1/write"
    prom = resolved["services"]["prometheus"]
    assert rw_host == "prometheus" and rw_port in _published(prom)
    assert "--web.enable-remote-write-receiver" in prom["command"]
    features = {f for arg in prom["command"] if arg.startswith("--enable-feature=")
                for f in arg.split("=", 1)[1].split(",")}
    assert {"exemplar-storage", "native-histograms"} <= features

    tempo_host, tempo_port = _host_port(cfg["exporters"]["otlp/tempo"]["endpoint"])
    tempo_cfg = dh.load_yaml(dh.TEMPO_YAML)
    receiver = tempo_cfg["distributor"]["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"]
    assert tempo_host == "tempo" and _host_port(receiver) == ("0.0.0.0", tempo_port)
    assert cfg["exporters"]["otlp/tempo"]["tls"]["insecure"] is True
    assert tempo_cfg["server"]["http_listen_port"] in _published(resolved["services"]["tempo"])
    # Tempo must not derive span metrics too: the gateway's spanmetrics already writes those names.
    assert "span-metrics" not in tempo_cfg["overrides"]["defaults"]["metrics_generator"]["processors"]

    pipelines = cfg["service"]["pipelines"]
    assert "prometheusremotewrite" in pipelines["metrics"]["exporters"]
    assert "otlp/tempo" in pipelines["traces"]["exporters"] and "spanmetrics" in pipelines["traces"]["exporters"]
    assert {"engine", "hostmetrics", "spanmetrics", "otlp"} <= set(pipelines["metrics"]["receivers"])
    assert cfg["connectors"]["spanmetrics"]["exemplars"]["enabled"] is True


def test_prometheus_scrapes_the_gateway_telemetry():
    prom = dh.load_yaml(dh.PROMETHEUS_YML)
    jobs = {j["job_name"]: j for j in prom["scrape_configs"]}
    targets = [t for sc in jobs["otlp-gateway"]["static_configs"] for t in sc["targets"]]
    telemetry = dh.load_yaml(dh.COLLECTOR_COMPOSE)["service"]["telemetry"]["metrics"]["address"]
    assert targets == [f"gateway:{_host_port(telemetry)[1]}"]
    # The remote-written data is not scraped a second time.
    pull = _host_port(dh.load_yaml(dh.COLLECTOR_COMPOSE)["exporters"]["prometheus"]["endpoint"])[1]
    assert not [t for j in jobs.values() for sc in j.get("static_configs", []) for t in sc["targets"]
                if t.endswith(f":{pull}")]


def test_prometheus_finds_its_config_and_rules_in_the_container(resolved):
    prom = resolved["services"]["prometheus"]
    binds = bind_mounts(prom)
    config = next(a.split("=", 1)[1] for a in prom["command"] if a.startswith("--config.file="))
    assert binds[config] == dh.PROMETHEUS_YML
    rule_files = dh.load_yaml(dh.PROMETHEUS_YML)["rule_files"]
    assert rule_files
    for rule_file in rule_files:
        inside = PurePosixPath(config).parent / rule_file  # relative to the config file, as Prometheus does
        for target, source in binds.items():
            if PurePosixPath(target) in inside.parents:
                assert (source / inside.relative_to(target)).is_file(), f"{inside}: {source} has no such file"
                break
        else:
            pytest.fail(f"rule file {inside} is not under any mount of the prometheus service")


def test_grafana_provisioning_matches_the_mounts(resolved):
    graf = resolved["services"]["grafana"]
    binds = bind_mounts(graf)
    assert binds["/etc/grafana/provisioning"] == dh.DOCKER / "grafana" / "provisioning"
    providers = dh.load_yaml(dh.DASHBOARD_PROVIDERS)["providers"]
    assert len(providers) == 1
    assert binds[providers[0]["options"]["path"]] == dh.DASHBOARDS
    home = graf["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    rel = Path(home).relative_to(providers[0]["options"]["path"])
    assert (dh.DASHBOARDS / rel).is_file(), home
    assert graf["environment"]["GF_AUTH_ANONYMOUS_ENABLED"] == "true"
    assert graf["environment"]["GF_AUTH_ANONYMOUS_ORG_ROLE"] == "Viewer"

    ds = {d["uid"]: d for d in dh.load_yaml(dh.DATASOURCES)["datasources"]}
    assert set(ds) == {"prometheus", "tempo"}
    assert urlparse(ds["prometheus"]["url"]).hostname == "prometheus"
    assert urlparse(ds["tempo"]["url"]).hostname == "tempo"
    assert urlparse(ds["tempo"]["url"]).port == dh.load_yaml(dh.TEMPO_YAML)["server"]["http_listen_port"]
    exemplars = ds["prometheus"]["jsonData"]["exemplarTraceIdDestinations"]
    assert [e["datasourceUid"] for e in exemplars] == ["tempo"]
    # Grafana expands $VAR and ${VAR} in provisioning files from its environment: a literal $ is $$.
    for f in (dh.DATASOURCES, dh.DASHBOARD_PROVIDERS):
        for path, value in dh.walk_strings(dh.load_yaml(f)):
            assert "$" not in value.replace("$$", ""), f"{f.name} {path}: unescaped $ in {value!r} (write $$)"
