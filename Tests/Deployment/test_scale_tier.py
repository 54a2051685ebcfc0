"""The scale-out tier: docker/compose.scale.yaml over the full stack (two routing gateways, three sampling
gateways found through one compose DNS name) resolved by a real docker-compose, docker/kubernetes/gateway-tier.yaml
against the Kubernetes API schemas, and every gateway config in them accepted by the real binary, with the
wiring between them (the routers' DNS name is the samplers' alias or headless Service, ports agree)."""

from __future__ import annotations

import subprocess

import pytest
import yaml

import deployhelpers as dh
from test_compose import compose_config
from test_kubernetes import validate

SCALE = dh.DOCKER / "compose.scale.yaml"
ROUTER = dh.DOCKER / "collector.router.yaml"
SAMPLER = dh.DOCKER / "collector.sampler.yaml"
TIER = dh.DOCKER / "kubernetes" / "gateway-tier.yaml"


@pytest.fixture(scope="module")
def stack(docker_compose_bin) -> dict:
    out = compose_config(docker_compose_bin, dh.COMPOSE, SCALE, cwd=dh.DOCKER)
    assert out.returncode == 0, out.stderr
    return yaml.safe_load(out.stdout)


def accepted(gateway_bin: str, path) -> None:
    out = subprocess.run([gateway_bin, "validate", "--config", str(path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_scale_stack_resolves_with_routers_and_samplers(stack):
    services = stack["services"]
    assert {"router-1", "router-2", "sampler-1", "sampler-2", "sampler-3", "gateway", "tempo"} <= set(services)
    for name in ("sampler-1", "sampler-2", "sampler-3"):
        assert "samplers" in services[name]["networks"]["default"]["aliases"]
        assert not services[name].get("ports"), "samplers are reached through the routers only"
    published = [p for r in ("router-1", "router-2") for p in services[r]["ports"]]
    assert all(str(p.get("host_ip", "127.0.0.1") if isinstance(p, dict) else p).startswith("127.0.0.1")
               for p in published), published


def test_router_and_sampler_configs_run_and_agree(gateway_bin):
    accepted(gateway_bin, ROUTER)
    accepted(gateway_bin, SAMPLER)
    router = dh.load_yaml(ROUTER)
    sampler = dh.load_yaml(SAMPLER)
    dns = router["exporters"]["loadbalancing"]["resolver"]["dns"]
    assert dns["hostname"] == "samplers"
    assert sampler["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"].endswith(f":{dns['port']}")
    assert router["exporters"]["loadbalancing"]["routing_key"] == "traceID"
    pipelines = sampler["service"]["pipelines"]
    assert "tail_sampling" in pipelines["traces/sampled"]["processors"]
    assert pipelines["traces/all"]["exporters"] == ["spanmetrics"]  # span metrics count every span


def test_kubernetes_tier_is_schema_valid_and_its_configs_run(kubernetes_validate_bin, gateway_bin, tmp_path):
    out = validate(kubernetes_validate_bin, TIER)
    assert out.returncode == 0, out.stdout + out.stderr
    docs = dh.load_yaml_all(TIER)
    maps = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ConfigMap"}
    for name, cm in maps.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(cm["data"]["collector.yaml"])
        accepted(gateway_bin, path)
    headless = next(d for d in docs if d["kind"] == "Service" and d["spec"].get("clusterIP") == "None")
    router = yaml.safe_load(maps["otlp-gateway-router"]["data"]["collector.yaml"])
    hostname = router["exporters"]["loadbalancing"]["resolver"]["dns"]["hostname"]
    assert hostname.startswith(headless["metadata"]["name"] + ".")
    sampler_set = next(d for d in docs if d["kind"] == "StatefulSet")
    assert sampler_set["spec"]["serviceName"] == headless["metadata"]["name"]
