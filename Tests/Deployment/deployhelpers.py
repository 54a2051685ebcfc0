"""Helpers for the docker/ checks: the repository's deployment files, Grafana dashboard queries and
their template variables, a small PromQL vector-selector extractor, the Dockerfile's runtime package
line, and the fake NVML library.

Nothing here starts a process except build_fake_nvml (cc); test_deployhelpers_unit.py tests the rest.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import yaml

REPO = Path(__file__).resolve().parents[2]
DOCKER = REPO / "docker"
DASHBOARDS = DOCKER / "grafana" / "dashboards"
DATASOURCES = DOCKER / "grafana" / "provisioning" / "datasources" / "datasources.yaml"
DASHBOARD_PROVIDERS = DOCKER / "grafana" / "provisioning" / "dashboards" / "dashboards.yaml"
COMPOSE = DOCKER / "compose.yaml"
COMPOSE_GPU = DOCKER / "compose.gpu.yaml"
PROMETHEUS_YML = DOCKER / "prometheus.yml"
ALERTS = DOCKER / "prometheus" / "alerts.yml"
ALERTS_TEST = DOCKER / "prometheus" / "alerts.test.yml"
TEMPO_YAML = DOCKER / "tempo.yaml"
DOCKERFILE = DOCKER / "Dockerfile"
COLLECTOR_COMPOSE = DOCKER / "collector.compose.yaml"
COLLECTOR_IMAGE = DOCKER / "collector.image.yaml"
HEALTHCHECK = DOCKER / "healthcheck"
SIDECAR = DOCKER / "kubernetes" / "sidecar.yaml"
ROOTFS_CHECK = DOCKER / "check-runtime-rootfs"


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def load_yaml_all(path: Path) -> list[Any]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


# --------------------------------------------------------------------------------------------
# Grafana dashboards


@dataclass(frozen=True)
class PanelQuery:
    dashboard: str  # file name
    panel_id: int
    panel_title: str
    ref_id: str
    datasource_uid: str
    expr: str  # as written in the dashboard (Prometheus), or the TraceQL query (Tempo)

    def where(self) -> str:
        return f"{self.dashboard} panel {self.panel_id} {self.panel_title!r} target {self.ref_id}"


def dashboards() -> dict[str, dict]:
    return {p.name: json.loads(p.read_text()) for p in sorted(DASHBOARDS.glob("*.json"))}


def iter_panels(dashboard: dict) -> Iterator[dict]:
    """Every panel, including those nested in collapsed rows."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def panel_queries(name: str, dashboard: dict) -> list[PanelQuery]:
    out = []
    for panel in iter_panels(dashboard):
        panel_ds = (panel.get("datasource") or {}).get("uid", "")
        for t in panel.get("targets", []):
            uid = (t.get("datasource") or {}).get("uid", panel_ds)
            expr = t.get("expr", t.get("query", ""))
            out.append(PanelQuery(name, panel["id"], panel.get("title", ""), t.get("refId", "?"), uid, expr))
    return out


def datasource_uids(dashboard: dict) -> set[str]:
    """Every datasource uid a dashboard references (panels, targets, variables)."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ds = node.get("datasource")
            if isinstance(ds, dict) and "uid" in ds:
                found.add(ds["uid"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(dashboard)
    found.discard("-- Grafana --")  # built-in annotations
    return found


_VAR = re.compile(r"\$\{(\w+)(?::(\w+))?\}|\$(\w+)|\[\[(\w+)\]\]")


def substitute(expr: str, variables: dict[str, str], rate_interval: str, interval: str, range_: str) -> str:
    """Grafana's interpolation for the test: $__rate_interval, $__interval, $__range and the dashboard's
    template variables (at their "All" value). Unknown variables raise, so a typo cannot pass."""
    builtins = {"__rate_interval": rate_interval, "__interval": interval, "__range": range_,
                "__range_s": str(_seconds(range_)), "__interval_ms": str(_seconds(interval) * 1000)}

    def repl(m: re.Match) -> str:
        name = m.group(1) or m.group(3) or m.group(4)
        if name in builtins:
            return builtins[name]
        if name in variables:
            return variables[name]
        raise KeyError(f"unknown variable ${name} in {expr!r}")

    return _VAR.sub(repl, expr)


def _seconds(duration: str) -> int:
    m = re.fullmatch(r"(\d+)(s|m|h)", duration)
    if not m:
        raise ValueError(f"not a simple duration: {duration}")
    return int(m.group(1)) * {"s": 1, "m": 60, "h": 3600}[m.group(2)]


def all_values(dashboard: dict) -> dict[str, str]:
    """{variable: the value it has when "All" is selected}. Every variable must offer All with an
    explicit allValue (a regex), so the substitution is what Grafana sends."""
    out = {}
    for var in dashboard.get("templating", {}).get("list", []):
        if not var.get("includeAll") or "allValue" not in var:
            raise ValueError(f"variable {var.get('name')} has no includeAll/allValue")
        out[var["name"]] = var["allValue"]
    return out


def grafana_rate_interval(scrape_interval: str) -> str:
    """Grafana's smallest $__rate_interval for a datasource's timeInterval: 4 x the scrape interval."""
    return f"{4 * _seconds(scrape_interval)}s"


# --------------------------------------------------------------------------------------------
# PromQL: vector selectors of an expression (enough of the grammar for our dashboards and rules)

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_NUMBER = re.compile(r"(?<![\w:])(?:0x[0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)(?![\w:])")
_TOKEN = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(\{[^{}]*\})?")
_KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
             "offset", "inf", "nan", "atan2", "start", "end"}


def vector_selectors(expr: str) -> list[str]:
    """The vector selectors of a PromQL expression, in order, e.g. 'up{job="x"}' or
    '{__name__=~"a_.+"}'. Functions, aggregation keywords, grouping label lists, numbers, strings
    and range/subquery durations are not selectors."""
    strings: list[str] = []

    # Strings become private-use characters, which no identifier, number or duration pattern matches.
    def keep(m: re.Match) -> str:
        strings.append(m.group(0))
        return chr(0xE000 + len(strings) - 1)

    s = _STRING.sub(keep, expr)
    s = re.sub(r"\[[^\[\]]*\]", " ", s)  # [5m], [5m:1m]
    s = re.sub(r"\boffset\s+-?[0-9smhdwy]+", " ", s)
    s = _GROUPING.sub(" ", s)
    s = _NUMBER.sub(" ", s)
    out = []
    pos = 0
    while pos < len(s):
        m = _TOKEN.match(s, pos)
        if not m or m.end() == pos:
            pos += 1
            continue
        name, braces = m.group(1), m.group(2)
        pos = m.end()
        if name and not braces:
            rest = s[pos:].lstrip()
            if rest.startswith("(") or name in _KEYWORDS:
                continue
        if not name and not braces:
            continue
        if name and name in _KEYWORDS:
            continue
        sel = (name or "") + (braces or "")
        out.append("".join(strings[ord(c) - 0xE000] if 0xE000 <= ord(c) < 0xF000 else c for c in sel))
    return out


# --------------------------------------------------------------------------------------------
# Alert rules


def alert_rules() -> list[dict]:
    return [r for g in load_yaml(ALERTS)["groups"] for r in g["rules"] if "alert" in r]


# --------------------------------------------------------------------------------------------
# The Dockerfile


def dockerfile_runtime_packages(text: str) -> list[str]:
    """The runtime stage's packages: the one `ARG RUNTIME_PACKAGES="..."` line (what
    docker/check-runtime-rootfs parses too)."""
    found = re.findall(r'^ARG RUNTIME_PACKAGES="([^"]*)"\s*$', text, re.M)
    if len(found) != 1:
        raise ValueError(f"expected one ARG RUNTIME_PACKAGES line, found {len(found)}")
    return found[0].split()


def dockerfile_stages(text: str) -> list[dict]:
    """[{image, name, instructions: [(keyword, args)]}] with line continuations joined."""
    joined = re.sub(r"\\\n", " ", text)
    stages: list[dict] = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        kw, _, args = line.partition(" ")
        kw = kw.upper()
        if kw == "FROM":
            parts = args.split()
            stages.append({"image": parts[0], "name": parts[2] if len(parts) > 2 else None, "instructions": []})
        elif stages:
            stages[-1]["instructions"].append((kw, args.strip()))
    return stages


# --------------------------------------------------------------------------------------------
# Gateway configs


def walk_strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk_strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk_strings(v, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def set_path(cfg: dict, dotted: str, value: Any) -> None:
    """Sets cfg[a][b][c] for 'a.b.c'; component ids with a slash (otlp/tempo) are single keys."""
    keys = dotted.split(".")
    node = cfg
    for k in keys[:-1]:
        node = node[k]
    if keys[-1] not in node:
        raise KeyError(f"{dotted}: not in the config (did the deployment file change?)")
    node[keys[-1]] = value


def compose_gateway_config_for_test(*, grpc: int, http: int, health: int, telemetry: int, pull: int,
                                    remote_write_url: str, tempo_grpc: int, nvml_library: str) -> dict:
    """docker/collector.compose.yaml as the stack runs it, moved onto loopback ports and sped up:
    same receivers, processors, exporters, connectors and pipelines. Fails if a listener or a
    compose host name is left over, so a new component cannot slip in unmoved."""
    cfg = copy.deepcopy(load_yaml(COLLECTOR_COMPOSE))
    moves = {
        "receivers.otlp.protocols.grpc.endpoint": f"127.0.0.1:{grpc}",
        "receivers.otlp.protocols.http.endpoint": f"127.0.0.1:{http}",
        "receivers.engine.collection_interval": "500ms",
        "receivers.engine.workload.rate": 20,
        "receivers.hostmetrics.collection_interval": "1s",
        "exporters.prometheusremotewrite.endpoint": remote_write_url,
        "exporters.prometheusremotewrite.interval": "1s",
        "exporters.prometheusremotewrite.retry_on_failure.initial_interval": "100ms",
        "exporters.otlp/tempo.endpoint": f"127.0.0.1:{tempo_grpc}",
        "exporters.otlp/tempo.retry_on_failure.initial_interval": "100ms",
        "exporters.prometheus.endpoint": f"127.0.0.1:{pull}",
        "connectors.spanmetrics.metrics_flush_interval": "1s",
        "extensions.health_check.endpoint": f"127.0.0.1:{health}",
        # The live page is not queried here: any free port.
        "extensions.zpages.endpoint": "127.0.0.1:0",
        "service.telemetry.metrics.address": f"127.0.0.1:{telemetry}",
    }
    for dotted, value in moves.items():
        set_path(cfg, dotted, value)
    # Short requests, so they finish (latency, finish reasons) within seconds.
    cfg["receivers"]["engine"]["workload"].update({"prompt_length_median": 16, "output_length_median": 8})
    cfg["receivers"]["hostmetrics"]["scrapers"]["gpu"] = {"nvml_library": nvml_library}
    for path, value in walk_strings(cfg):
        if "0.0.0.0" in value or "${" in value or re.search(r"\b(prometheus|tempo|gateway):\d", value):
            raise ValueError(f"{path}: {value!r} was not moved for the test")
    return cfg


def build_fake_nvml(cc: str, out_dir: Path) -> Path:
    """Compiles the hostmetrics tests' fake NVML into out_dir/libnvidia-ml.so.1."""
    sources = sorted(REPO.glob("Tests/**/Fixtures/fake_nvml.c"))
    if not sources:
        raise FileNotFoundError("Tests/**/Fixtures/fake_nvml.c not found (the hostmetrics receiver's test fixture)")
    lib = out_dir / "libnvidia-ml.so.1"
    subprocess.run([cc, "-shared", "-fPIC", "-O1", "-o", str(lib), str(sources[0])], check=True,
                   capture_output=True, text=True)
    return lib
