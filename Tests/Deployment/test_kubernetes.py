"""docker/kubernetes/sidecar.yaml: valid against the Kubernetes API schemas (kubernetes-validate, strict:
unknown fields are errors), its embedded gateway config accepted by the real binary with the env the pod
gives it, and the wiring between the two (probes, ports, mounts, user, OTLP on localhost)."""

from __future__ import annotations

import os
import re
import subprocess

import pytest
import yaml

import deployhelpers as dh


@pytest.fixture(scope="module")
def docs() -> dict[str, dict]:
    return {d["kind"]: d for d in dh.load_yaml_all(dh.SIDECAR)}


@pytest.fixture(scope="module")
def gateway(docs) -> dict:
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    (container,) = [c for c in pod.get("initContainers", []) + pod["containers"] if c["name"] == "otlp-gateway"]
    return container


def validate(kubernetes_validate_bin: str, path) -> subprocess.CompletedProcess:
    return subprocess.run([kubernetes_validate_bin, "--strict", "--quiet", str(path)], capture_output=True,
                          text=True, timeout=120)


def test_schema_valid(kubernetes_validate_bin):
    out = validate(kubernetes_validate_bin, dh.SIDECAR)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("old,new", [
    ("containerPort: 13133", 'containerPort: "13133"'),  # wrong type
    ("          restartPolicy: Always", "          restartPolicys: Always"),  # unknown field
])
def test_schema_rejects_a_broken_copy(kubernetes_validate_bin, tmp_path, old, new):
    text = dh.SIDECAR.read_text()
    assert old in text
    broken = tmp_path / "sidecar.yaml"
    broken.write_text(text.replace(old, new, 1))
    out = validate(kubernetes_validate_bin, broken)
    assert out.returncode != 0, f"kubernetes-validate accepted {new!r}"


def _config_text(docs) -> str:
    return docs["ConfigMap"]["data"]["collector.yaml"]


def _pod_env(container: dict) -> dict[str, str]:
    return {e["name"]: e.get("value", f"<{e['name']} from the downward API>") for e in container.get("env", [])}


def test_embedded_gateway_config_is_valid(gateway_bin, docs, gateway, tmp_path):
    path = tmp_path / "collector.yaml"
    path.write_text(_config_text(docs))
    referenced = set(re.findall(r"\$\{env:(\w+)", _config_text(docs)))
    env_of_pod = {k: re.sub(r"\W", "-", v) for k, v in _pod_env(gateway).items()}
    assert referenced <= set(env_of_pod), f"the config reads env the pod does not set: {referenced - set(env_of_pod)}"
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    ok = subprocess.run([gateway_bin, "validate", "--config", str(path)], capture_output=True, text=True,
                        env={**base, **env_of_pod}, timeout=30)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    # Without the pod's env the labels would be empty: the gateway says so instead of writing them.
    bad = subprocess.run([gateway_bin, "validate", "--config", str(path)], capture_output=True, text=True,
                         env=base, timeout=30)
    assert bad.returncode != 0


def test_wiring(docs, gateway):
    cfg = yaml.safe_load(_config_text(docs))
    pod = docs["Deployment"]["spec"]["template"]
    spec = pod["spec"]

    # OTLP only on loopback; the app exports there.
    grpc = cfg["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"]
    assert grpc.startswith("127.0.0.1:") and cfg["receivers"]["otlp"]["protocols"]["http"]["endpoint"].startswith("127.0.0.1:")
    (app,) = spec["containers"]
    assert _pod_env(app)["OTEL_EXPORTER_OTLP_ENDPOINT"] == f"http://localhost:{grpc.split(':')[1]}"

    # Probes hit the health_check extension; it listens on the pod IP; Prometheus finds the telemetry.
    ports = {p["name"]: p["containerPort"] for p in gateway["ports"]}
    health_port = int(cfg["extensions"]["health_check"]["endpoint"].rsplit(":", 1)[1])
    assert cfg["extensions"]["health_check"]["endpoint"].startswith("0.0.0.0:")
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        get = gateway[probe]["httpGet"]
        assert ports[get["port"]] == health_port and get["path"] == cfg["extensions"]["health_check"].get("path", "/")
    telemetry_port = int(cfg["service"]["telemetry"]["metrics"]["address"].rsplit(":", 1)[1])
    assert int(pod["metadata"]["annotations"]["prometheus.io/port"]) == telemetry_port == ports["telemetry"]

    # Remote write with a tenant, traces to Tempo with the same tenant.
    prw = cfg["exporters"]["prometheusremotewrite"]
    assert prw["headers"]["X-Scope-OrgID"] == "${env:TENANT_ID}"
    assert cfg["exporters"]["otlp/tempo"]["headers"]["X-Scope-OrgID"] == "${env:TENANT_ID}"
    assert "prometheusremotewrite" in cfg["service"]["pipelines"]["metrics"]["exporters"]

    # The ConfigMap replaces the image's config file at the path the args name.
    mount = next(m for m in gateway["volumeMounts"] if m["name"] == "otlp-gateway-config")
    config_arg = gateway["args"][gateway["args"].index("--config") + 1]
    assert config_arg == f"{mount['mountPath']}/collector.yaml" == "/etc/otlp-gateway/collector.yaml"
    assert gateway.get("restartPolicy") == "Always", "the gateway should run as a native sidecar"

    # Non-root as in the image, limits on every container.
    user = [a for kw, a in dh.dockerfile_stages(dh.DOCKERFILE.read_text())[-1]["instructions"] if kw == "USER"][-1]
    assert f"{gateway['securityContext']['runAsUser']}:{gateway['securityContext']['runAsGroup']}" == user
    assert gateway["securityContext"]["readOnlyRootFilesystem"] is True
    assert spec["securityContext"]["runAsNonRoot"] is True
    for c in spec["containers"] + spec.get("initContainers", []):
        assert {"cpu", "memory"} <= set(c["resources"]["limits"]), c["name"]
        assert {"cpu", "memory"} <= set(c["resources"]["requests"]), c["name"]
