"""Helpers for the metrics-path tests against a real Prometheus (test_prometheus_*.py).

- `Prometheus`: one /usr/bin/prometheus process on a loopback port with its own config and TSDB in
  tmp, the remote-write receiver and native histograms on; query/series/self-metrics helpers, and
  stop()/start() that keep the port and storage (for the outage test).
- `metrics_gateway_config`: a collector.yaml for the metrics path (otlp -> [batch] ->
  prometheusremotewrite [+ prometheus pull endpoint]), built on gwhelpers.gateway_config.
- OTLP metric request builders (opentelemetry-proto) for the raw-protocol tests, and a sender that
  returns the decoded ExportMetricsServiceResponse.
- `Checks`: collects every mismatch of a test so one run shows all of them.

Nothing here needs the gateway binary.
"""

from __future__ import annotations

import json
import math
import os
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from gwhelpers import Ports, free_ports, gateway_config, parse_prometheus_text

PROMETHEUS_BIN = os.environ.get("PROMETHEUS_BIN", "/usr/bin/prometheus")
PROMTOOL_BIN = os.environ.get("PROMTOOL_BIN", "/usr/bin/promtool")

# OTLP DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK
NO_RECORDED_VALUE = 1


# --------------------------------------------------------------------------------------------
# Prometheus process


class PrometheusFailure(AssertionError):
    pass


@dataclass
class Sample:
    """One element of an instant-vector result."""

    labels: dict[str, str]
    value: float | None = None  # float samples
    histogram: dict | None = None  # native histograms: {"count", "sum", "buckets"} as floats

    @property
    def name(self) -> str:
        return self.labels.get("__name__", "")

    def labels_without(self, *drop: str) -> frozenset:
        return frozenset((k, v) for k, v in self.labels.items() if k not in drop)


def _parse_sample(item: dict) -> Sample:
    if "value" in item:
        return Sample(dict(item["metric"]), value=float(item["value"][1]))
    h = item["histogram"][1]
    return Sample(dict(item["metric"]), histogram={
        "count": float(h["count"]), "sum": float(h["sum"]), "buckets": h.get("buckets", []),
    })


def by_labels(samples: Iterable[Sample], *drop: str) -> dict[frozenset, float]:
    """{labels minus __name__ and `drop`: value} (fails on two samples with the same key)."""
    out: dict[frozenset, float] = {}
    for s in samples:
        key = s.labels_without("__name__", *drop)
        if key in out:
            raise PrometheusFailure(f"two samples with the labels {sorted(key)}")
        out[key] = s.value if s.histogram is None else s.histogram
    return out


def by_label(samples: Iterable[Sample], label: str) -> dict[str, float]:
    """{value of `label`: sample value}; fails when two samples share that label value."""
    out: dict[str, float] = {}
    for s in samples:
        k = s.labels.get(label, "")
        if k in out:
            raise PrometheusFailure(f"two samples with {label}={k!r}: {s.labels}")
        out[k] = s.value
    return out


class Prometheus:
    """One Prometheus server: loopback only, remote-write receiver, native histograms, TSDB in
    workdir/data. `scrape_configs` (a list of dicts) go into prometheus.yml as given. With
    `tls=(cert file, key file, CA file)` it serves HTTPS (`--web.config.file` with
    `tls_server_config`), and the helpers here verify it against the CA."""

    def __init__(self, binary: str, workdir: Path, *, port: int | None = None,
                 scrape_configs: list[dict] | None = None, scrape_interval: str = "1s",
                 tls: tuple[str, str, str] | None = None):
        self.binary = binary
        self.tls = tls
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_ports(1)[0]
        self.storage = self.workdir / "data"
        self.config_path = self.workdir / "prometheus.yml"
        self.log_path = self.workdir / "prometheus.log"
        self.web_config_path = self.workdir / "web.yml"
        self.scrape_configs = list(scrape_configs or [])
        self.scrape_interval = scrape_interval
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.write_config()

    # -- addresses
    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def remote_write_url(self) -> str:
        return f"{self.url}/api/v1/write"

    # -- config
    def config(self) -> dict:
        cfg: dict[str, Any] = {
            "global": {"scrape_interval": self.scrape_interval, "evaluation_interval": "1m"},
        }
        if self.scrape_configs:
            cfg["scrape_configs"] = self.scrape_configs
        return cfg

    def write_config(self) -> None:
        # JSON is YAML; it keeps scrape configs with lists of dicts (relabel_configs) exact.
        self.config_path.write_text(json.dumps(self.config(), indent=2) + "\n")
        if self.tls:
            cert, key, _ = self.tls
            self.web_config_path.write_text(json.dumps({"tls_server_config": {"cert_file": cert, "key_file": key}}) + "\n")

    def argv(self) -> list[str]:
        return [
            self.binary,
            f"--config.file={self.config_path}",
            f"--storage.tsdb.path={self.storage}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--web.enable-remote-write-receiver",
            "--enable-feature=native-histograms",
            "--storage.tsdb.retention.time=1h",
            "--log.level=info",
        ] + ([f"--web.config.file={self.web_config_path}"] if self.tls else [])

    # -- lifecycle
    def start(self, timeout: float = 30.0) -> "Prometheus":
        if self.alive():
            raise PrometheusFailure("prometheus is already running")
        self.starts += 1
        log = open(self.log_path, "ab")
        log.write(f"\n===== start #{self.starts} =====\n".encode())
        log.flush()
        self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     cwd=self.workdir)
        log.close()
        deadline = time.monotonic() + timeout
        last = ""
        while True:
            if self.proc.poll() is not None:
                raise PrometheusFailure(
                    f"prometheus exited with {self.proc.returncode} during startup\n{self.logs_tail()}")
            try:
                status, _ = self._get("/-/ready", timeout=1.0)
                if status == 200:
                    return self
                last = f"/-/ready answered {status}"
            except OSError as e:
                last = str(e)
            if time.monotonic() > deadline:
                raise PrometheusFailure(f"prometheus not ready after {timeout}s ({last})\n{self.logs_tail()}")
            time.sleep(0.05)

    def stop(self, timeout: float = 10.0) -> tuple[int | None, bool]:
        """SIGTERM, wait, then SIGKILL. Returns (returncode, needed_kill). Idempotent."""
        if self.proc is None:
            return (None, False)
        killed = False
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                killed = True
                self.proc.kill()
                self.proc.wait(timeout=10)
        return (self.proc.returncode, killed)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def logs_tail(self, n: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        tail = "\n".join(text.splitlines()[-n:])
        return f"--- prometheus log (tail) {self.log_path} ---\n{tail}"

    # -- HTTP API
    def _get(self, path: str, params: dict | None = None, timeout: float = 5.0) -> tuple[int, bytes]:
        url = self.url + path
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        context = ssl.create_default_context(cafile=self.tls[2]) if self.tls else None
        try:
            with urllib.request.urlopen(url, timeout=timeout, context=context) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def api(self, path: str, **params) -> Any:
        status, body = self._get(path, params)
        try:
            doc = json.loads(body)
        except ValueError:
            raise PrometheusFailure(f"{path} answered {status} with non-JSON {body[:200]!r}") from None
        if status != 200 or doc.get("status") != "success":
            raise PrometheusFailure(f"{path} {params} answered {status}: {doc}")
        return doc["data"]

    def query(self, promql: str, at: float | None = None) -> list[Sample]:
        """Instant query (at `at`, default now); returns the vector (a scalar comes back as one
        unlabelled sample)."""
        params = {"query": promql}
        if at is not None:
            params["time"] = f"{at:.3f}"
        data = self.api("/api/v1/query", **params)
        if data["resultType"] == "scalar":
            return [Sample({}, value=float(data["result"][1]))]
        if data["resultType"] != "vector":
            raise PrometheusFailure(f"{promql!r} is a {data['resultType']}, not a vector")
        return [_parse_sample(item) for item in data["result"]]

    def value(self, promql: str) -> float | None:
        """The value of a query that yields at most one float sample (None when empty)."""
        res = self.query(promql)
        if len(res) > 1:
            raise PrometheusFailure(f"{promql!r} returned {len(res)} samples: {[s.labels for s in res]}")
        return res[0].value if res else None

    def series(self, match: str, start: float | None = None, end: float | None = None) -> list[dict]:
        params: dict[str, Any] = {"match[]": match}
        if start is not None:
            params["start"] = f"{start:.3f}"
        if end is not None:
            params["end"] = f"{end:.3f}"
        return self.api("/api/v1/series", **params)

    def names(self, selector: str) -> set[str]:
        """Metric names of the series currently selected by `selector` (e.g. '{job="x"}')."""
        return {s.labels.get("__name__", "") for s in self.query(f"group by (__name__) ({selector})")}

    def wait_for(self, promql: str, predicate: Callable[[list[Sample]], Any], timeout: float = 10.0,
                 what: str | None = None, gw=None, interval: float = 0.1) -> list[Sample]:
        """Polls query(promql) until predicate(result) is truthy; returns the result. Fails with the
        last result and the logs (Prometheus', and the gateway's when `gw` is given)."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while True:
            try:
                last = self.query(promql)
                if predicate(last):
                    return last
            except (OSError, PrometheusFailure) as e:
                last = e
            if gw is not None and gw.proc is not None and gw.proc.poll() is not None:
                raise PrometheusFailure(f"gateway exited ({gw.proc.returncode}) while waiting for "
                                        f"{what or promql}\n{gw.logs_tail()}")
            if time.monotonic() > deadline:
                raise PrometheusFailure(
                    f"timed out after {timeout}s waiting for {what or promql!r}; last result: {last}\n"
                    + self.logs_tail() + ("\n" + gw.logs_tail() if gw is not None else ""))
            time.sleep(interval)

    def wait_value(self, promql: str, expected: float, timeout: float = 10.0, gw=None) -> float:
        """Waits until the single-sample query equals `expected`; returns it."""
        res = self.wait_for(promql, lambda r: len(r) == 1 and r[0].value == expected, timeout,
                            what=f"{promql} == {expected}", gw=gw)
        return res[0].value

    # -- Prometheus' own /metrics
    def self_metrics(self) -> dict:
        status, body = self._get("/metrics")
        if status != 200:
            raise PrometheusFailure(f"prometheus /metrics answered {status}")
        return parse_prometheus_text(body.decode())


def remote_write_rejections(prom: Prometheus) -> dict[str, float]:
    """Prometheus' own counts of refused remote writes and out-of-order/duplicate samples since its
    last start (from its /metrics). Every value must stay 0 for a compliant sender."""
    m = prom.self_metrics()
    out = {}
    for (name, labels), v in m.items():
        ls = dict(labels)
        if name == "prometheus_http_requests_total" and ls.get("handler") == "/api/v1/write" \
                and not ls.get("code", "").startswith("2"):
            out[f"write code={ls['code']}"] = out.get(f"write code={ls['code']}", 0) + v
        if name in ("prometheus_tsdb_out_of_order_samples_total", "prometheus_tsdb_out_of_bound_samples_total",
                    "prometheus_tsdb_head_out_of_order_samples_appended_total",
                    "prometheus_tsdb_too_old_samples_total"):
            out[name] = out.get(name, 0) + v
    return out


def remote_write_request_codes(prom: Prometheus) -> dict[str, float]:
    """{HTTP code: count} of /api/v1/write requests Prometheus answered since its last start."""
    out: dict[str, float] = {}
    for (name, labels), v in prom.self_metrics().items():
        ls = dict(labels)
        if name == "prometheus_http_requests_total" and ls.get("handler") == "/api/v1/write":
            out[ls["code"]] = out.get(ls["code"], 0) + v
    return out


# --------------------------------------------------------------------------------------------
# Gateway config for the metrics path


@dataclass(frozen=True)
class MetricPorts:
    """The gateway's usual ports plus the pull endpoint's."""

    base: Ports
    pull: int

    @classmethod
    def allocate(cls) -> "MetricPorts":
        p = free_ports(5)
        return cls(Ports(*p[:4]), p[4])

    @property
    def pull_target(self) -> str:
        return f"127.0.0.1:{self.pull}"


def metrics_gateway_config(
    ports: Ports,
    prom: Prometheus | None,
    *,
    pull_port: int | None = None,
    batch: bool = True,
    interval: str = "1s",
    native: bool = True,
    prw: dict | None = None,
    pull: dict | None = None,
) -> dict:
    """otlp (grpc+http) -> [batch 100ms] -> prometheusremotewrite (to `prom`) [+ prometheus pull
    endpoint on pull_port]. prw/pull are merged into the exporters' settings."""
    exporters: dict[str, Any] = {}
    if prom is not None:
        exporters["prometheusremotewrite"] = {
            "endpoint": prom.remote_write_url,
            "interval": interval,
            "send_native_histograms": native,
            "external_labels": {"cluster": "test"},
            "retry_on_failure": {"initial_interval": "100ms", "max_interval": "1s", "max_elapsed_time": "2m"},
            "headers": {"X-Scope-OrgID": "t1"},
            **(prw or {}),
        }
    if pull_port is not None:
        exporters["prometheus"] = {"endpoint": f"127.0.0.1:{pull_port}", **(pull or {})}
    if not exporters:
        raise ValueError("no exporter")
    processors = {"batch": {"send_batch_size": 8192, "timeout": "100ms"}} if batch else {}
    pipelines = {"metrics": {"receivers": ["otlp"], "processors": list(processors), "exporters": list(exporters)}}
    cfg = gateway_config(ports, exporters=exporters, processors=processors, pipelines=pipelines)
    if not processors:
        del cfg["processors"]
    return cfg


def pull_text(port: int, timeout: float = 5.0) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=timeout) as resp:
        if resp.status != 200:
            raise PrometheusFailure(f"pull endpoint answered {resp.status}")
        return resp.read().decode()


def families(text: str) -> dict[str, dict[str, str | None]]:
    """{family: {"HELP": text or None, "TYPE": type or None}} from the text format's comments."""
    fams: dict[str, dict[str, Any]] = {}
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            parts = line.split(" ", 3)
            kind, name = parts[1], parts[2]
            fams.setdefault(name, {"HELP": None, "TYPE": None})[kind] = parts[3] if len(parts) > 3 else ""
    return fams


# --------------------------------------------------------------------------------------------
# OTLP metric requests (opentelemetry-proto)


def _kv(key: str, value):
    from gwhelpers import _kv as kv

    return kv(key, value)


@dataclass
class Point:
    value: float | int | None = None
    attrs: dict = field(default_factory=dict)
    time_ns: int | None = None
    start_ns: int | None = None
    flags: int = 0


def gauge(name: str, points: list[Point], *, unit: str = "", description: str = "") -> dict:
    return {"kind": "gauge", "name": name, "unit": unit, "description": description, "points": points}


def counter(name: str, points: list[Point], *, unit: str = "", description: str = "",
            monotonic: bool = True, delta: bool = False) -> dict:
    return {"kind": "sum", "name": name, "unit": unit, "description": description, "points": points,
            "monotonic": monotonic, "delta": delta}


def metrics_request(metrics: list[dict], *, resource: dict | None = None, scope: tuple[str, str] = ("promtest", "1")):
    """ExportMetricsServiceRequest with one resource and one scope holding `metrics` (gauge()/counter())."""
    from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2 as ms
    from opentelemetry.proto.common.v1 import common_pb2 as c
    from opentelemetry.proto.metrics.v1 import metrics_pb2 as mp
    from opentelemetry.proto.resource.v1 import resource_pb2 as r

    req = ms.ExportMetricsServiceRequest()
    rm = req.resource_metrics.add()
    rm.resource.CopyFrom(r.Resource(attributes=[_kv(k, v) for k, v in (resource or {"service.name": "promtest"}).items()]))
    sm = rm.scope_metrics.add()
    sm.scope.CopyFrom(c.InstrumentationScope(name=scope[0], version=scope[1]))
    now = time.time_ns()
    for spec in metrics:
        m = sm.metrics.add()
        m.name = spec["name"]
        m.unit = spec["unit"]
        m.description = spec["description"]
        if spec["kind"] == "gauge":
            container = m.gauge.data_points
        else:
            m.sum.is_monotonic = spec["monotonic"]
            m.sum.aggregation_temporality = (mp.AGGREGATION_TEMPORALITY_DELTA if spec["delta"]
                                             else mp.AGGREGATION_TEMPORALITY_CUMULATIVE)
            container = m.sum.data_points
        for pt in spec["points"]:
            p = container.add()
            p.time_unix_nano = pt.time_ns or now
            if pt.start_ns is not None:
                p.start_time_unix_nano = pt.start_ns
            if isinstance(pt.value, float):
                p.as_double = pt.value
            elif pt.value is not None:
                p.as_int = pt.value
            p.flags = pt.flags
            for k, v in pt.attrs.items():
                p.attributes.append(_kv(k, v))
    return req


def send_metrics_http(gw, req, timeout: float = 10.0):
    """POSTs the request as OTLP/HTTP protobuf; returns (HTTP status, ExportMetricsServiceResponse or
    None when the body does not decode)."""
    from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2 as ms

    from gwhelpers import http_post

    resp = http_post(gw.http_url("/v1/metrics"), req.SerializeToString(), timeout=timeout)
    out = ms.ExportMetricsServiceResponse()
    try:
        out.ParseFromString(resp.content)
    except Exception:  # noqa: BLE001 - a non-protobuf body is reported by the caller's assertion
        return resp.status_code, None
    return resp.status_code, out


def send_ok(gw, req) -> None:
    status, resp = send_metrics_http(gw, req)
    assert status == 200, f"OTLP/HTTP answered {status}"
    assert resp is not None and not resp.HasField("partial_success"), resp


# --------------------------------------------------------------------------------------------
# Assertions


def go_float(x: float) -> str:
    """A float as Prometheus writes `le` labels (Go's strconv 'f', -1): 10 -> '10', 0.5 -> '0.5'."""
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    if float(x).is_integer():
        return str(int(x))
    return repr(float(x))


def cumulative_buckets(bounds: list[float], values: list[float]) -> dict[str, float]:
    """{le: cumulative count} as a classic Prometheus histogram of `values` with OTLP's (lower, upper]
    buckets."""
    out = {go_float(b): float(sum(1 for v in values if v <= b)) for b in bounds}
    out["+Inf"] = float(len(values))
    return out


class Checks:
    """Collects mismatches; done() fails with all of them."""

    def __init__(self, context: Callable[[], str] | None = None):
        self.problems: list[str] = []
        self.context = context

    def eq(self, actual, expected, what: str) -> bool:
        if actual != expected:
            self.problems.append(f"{what}: got {actual!r}, expected {expected!r}")
            return False
        return True

    def true(self, cond, what: str) -> bool:
        if not cond:
            self.problems.append(what)
            return False
        return True

    def done(self) -> None:
        if self.problems:
            msg = f"{len(self.problems)} mismatch(es):\n  - " + "\n  - ".join(self.problems)
            if self.context is not None:
                msg += "\n" + self.context()
            raise AssertionError(msg)


def eventually(check: Callable[[Checks], None], timeout: float = 10.0, context: Callable[[], str] | None = None,
               interval: float = 0.2) -> None:
    """Runs check(Checks) until it records no problem; at the timeout fails with the last problems.
    Values are still compared exactly: this only waits for the writes to land."""
    deadline = time.monotonic() + timeout
    while True:
        c = Checks(context)
        try:
            check(c)
        except (OSError, PrometheusFailure) as e:
            c.problems.append(f"error: {e}")
        if not c.problems:
            return
        if time.monotonic() > deadline:
            c.problems.insert(0, f"still wrong after {timeout}s:")
            c.done()
        time.sleep(interval)


# --------------------------------------------------------------------------------------------
# The OpenTelemetry Python SDK workload (an inference engine's metrics)

MODEL_A, MODEL_B = "llama-8b", "qwen-7b"
TTFT_BOUNDS = [10.0, 50.0, 100.0, 500.0]
FILL_BOUNDS = [25.0, 50.0, 75.0, 100.0]
SCOPE = ("vllm.engine", "0.6.0")

# What each round records, per model_name. Round 2 leaves MODEL_B's counter alone: with delta
# temporality that series gets no point then and must keep its accumulated value.
ROUNDS = [
    {
        "tokens": {MODEL_A: [5], MODEL_B: [42]},
        "active": {MODEL_A: [3, -1], MODEL_B: [1]},
        "cache": {MODEL_A: 0.25},
        "ttft": {MODEL_A: [5.0, 20.0, 75.0], MODEL_B: [30.0]},
        "fill": {MODEL_A: [10.0, 60.0]},
        "prompt": {MODEL_A: [1.0, 2.0, 4.0], MODEL_B: [16.0]},
    },
    {
        "tokens": {MODEL_A: [7]},
        "active": {MODEL_A: [4]},
        "cache": {MODEL_A: 0.75},
        "ttft": {MODEL_A: [20.0, 250.0, 900.0]},
        "fill": {MODEL_A: [60.0, 99.0]},
        "prompt": {MODEL_A: [100.0, 1000.0]},
    },
]


def expected_after(rounds: int) -> dict[str, dict]:
    """The cumulative state after the first `rounds` rounds: sums for counters, the last value for
    the gauge, every recorded value for histograms."""
    exp: dict[str, dict] = {"tokens": {}, "active": {}, "cache": {}, "ttft": {}, "fill": {}, "prompt": {}}
    for r in ROUNDS[:rounds]:
        for key in ("tokens", "active"):
            for model, adds in r[key].items():
                exp[key][model] = exp[key].get(model, 0) + sum(adds)
        exp["cache"].update(r["cache"])
        for key in ("ttft", "fill", "prompt"):
            for model, values in r[key].items():
                exp[key].setdefault(model, []).extend(values)
    return exp


def delta_temporality() -> dict:
    from opentelemetry.sdk.metrics import (
        Counter,
        Histogram,
        ObservableCounter,
        ObservableGauge,
        ObservableUpDownCounter,
        UpDownCounter,
    )
    from opentelemetry.sdk.metrics.export import AggregationTemporality as T

    return {Counter: T.DELTA, UpDownCounter: T.DELTA, Histogram: T.DELTA, ObservableCounter: T.DELTA,
            ObservableUpDownCounter: T.DELTA, ObservableGauge: T.CUMULATIVE}


def sdk_exporter(gw, transport: str, temporality: dict | None = None):
    """The real OTLP metric exporter (grpc or http/protobuf) aimed at the gateway."""
    if transport == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter

        return OTLPMetricExporter(endpoint=gw.grpc_target, insecure=True, timeout=10,
                                  preferred_temporality=temporality)
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

    return OTLPMetricExporter(endpoint=gw.http_url("/v1/metrics"), timeout=10, preferred_temporality=temporality)


def engine_resource(service: str, *, namespace: str = "inference", instance: str = "engine-0") -> dict:
    return {"service.namespace": namespace, "service.name": service, "service.instance.id": instance,
            "deployment.environment": "itest"}


class InferenceWorkload:
    """MeterProvider + PeriodicExportingMetricReader (short interval; rounds end with force_flush)
    recording the instruments of an inference engine:

    - Counter decode_tokens_processed (no unit)          -> decode_tokens_processed_total
    - UpDownCounter active_requests ({request})          -> gauge active_requests
    - ObservableGauge gpu_cache_usage (1)                -> gpu_cache_usage_ratio
    - Histogram ttft_milliseconds (ms), TTFT_BOUNDS      -> ttft_milliseconds_{bucket,sum,count}
    - Histogram batch_fill_percentage (percent)          -> batch_fill_percentage_percent_{bucket,sum,count}
    - Histogram prompt_tokens ({token}), exponential     -> native histogram prompt_tokens
    all with the attribute model_name."""

    def __init__(self, exporter, resource: dict, interval_ms: float = 500):
        from opentelemetry.metrics import CallbackOptions, Observation
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
        from opentelemetry.sdk.metrics.view import (
            ExplicitBucketHistogramAggregation,
            ExponentialBucketHistogramAggregation,
            View,
        )
        from opentelemetry.sdk.resources import Resource

        from sdkutil import RecordingMetricExporter

        self.exporter = RecordingMetricExporter(exporter)
        self.reader = PeriodicExportingMetricReader(self.exporter, export_interval_millis=interval_ms)
        self.provider = MeterProvider(
            metric_readers=[self.reader],
            resource=Resource.create(resource),
            views=[
                View(instrument_name="ttft_milliseconds",
                     aggregation=ExplicitBucketHistogramAggregation(boundaries=TTFT_BOUNDS)),
                View(instrument_name="batch_fill_percentage",
                     aggregation=ExplicitBucketHistogramAggregation(boundaries=FILL_BOUNDS)),
                View(instrument_name="prompt_tokens", aggregation=ExponentialBucketHistogramAggregation()),
            ],
        )
        meter = self.provider.get_meter(*SCOPE)
        self.rounds = 0
        self._cache: dict[str, float] = {}

        def cache_cb(_: CallbackOptions):
            return [Observation(v, {"model_name": m}) for m, v in self._cache.items()]

        self.tokens = meter.create_counter("decode_tokens_processed", description="Tokens decoded.")
        self.active = meter.create_up_down_counter("active_requests", unit="{request}",
                                                   description="Requests being served.")
        meter.create_observable_gauge("gpu_cache_usage", callbacks=[cache_cb], unit="1",
                                      description="KV cache usage.")
        self.ttft = meter.create_histogram("ttft_milliseconds", unit="ms", description="Time to first token.")
        self.fill = meter.create_histogram("batch_fill_percentage", unit="percent", description="Batch fill.")
        self.prompt = meter.create_histogram("prompt_tokens", unit="{token}", description="Prompt length.")

    def record_round(self) -> None:
        """Records the next round of ROUNDS and force-flushes it; the exports must all succeed."""
        from opentelemetry.sdk.metrics.export import MetricExportResult

        r = ROUNDS[self.rounds]
        self.rounds += 1
        for model, adds in r["tokens"].items():
            for v in adds:
                self.tokens.add(v, {"model_name": model})
        for model, adds in r["active"].items():
            for v in adds:
                self.active.add(v, {"model_name": model})
        self._cache.update(r["cache"])
        for key, inst in (("ttft", self.ttft), ("fill", self.fill), ("prompt", self.prompt)):
            for model, values in r[key].items():
                for v in values:
                    inst.record(v, {"model_name": model})
        assert self.provider.force_flush(10_000), "SDK force_flush failed"
        bad = [x for x in self.exporter.results if x != MetricExportResult.SUCCESS]
        assert self.exporter.results and not bad, f"SDK exports failed: {self.exporter.results}"

    def shutdown(self) -> None:
        self.provider.shutdown()


# Prometheus names of the workload's series, all of them: nothing else may appear for its job.
WORKLOAD_NAMES = {
    "decode_tokens_processed_total",
    "active_requests",
    "gpu_cache_usage_ratio",
    "ttft_milliseconds_bucket", "ttft_milliseconds_sum", "ttft_milliseconds_count",
    "batch_fill_percentage_percent_bucket", "batch_fill_percentage_percent_sum",
    "batch_fill_percentage_percent_count",
    "prompt_tokens",
    "target_info",
}


def check_classic_histogram(c: Checks, prom: Prometheus, base: str, sel: str, bounds: list[float],
                            per_model: dict[str, list[float]]) -> None:
    """`base`_bucket per le (cumulative, with +Inf), _sum and _count for every model, exactly."""
    buckets: dict[str, dict[str, float]] = {}
    for s in prom.query(f"{base}_bucket{{{sel}}}"):
        buckets.setdefault(s.labels.get("model_name", ""), {})[s.labels.get("le", "<none>")] = s.value
    c.eq(buckets, {m: cumulative_buckets(bounds, vs) for m, vs in per_model.items()}, f"{base}_bucket by model, le")
    c.eq(by_label(prom.query(f"{base}_sum{{{sel}}}"), "model_name"),
         {m: float(sum(vs)) for m, vs in per_model.items()}, f"{base}_sum")
    c.eq(by_label(prom.query(f"{base}_count{{{sel}}}"), "model_name"),
         {m: float(len(vs)) for m, vs in per_model.items()}, f"{base}_count")


def check_workload_values(c: Checks, prom: Prometheus, sel: str, exp: dict, native: bool = True) -> None:
    """Every value of the workload in Prometheus, exactly, for the series selected by `sel`
    (a label-matcher list without braces, e.g. 'job="a/b"')."""
    c.eq(by_label(prom.query(f"decode_tokens_processed_total{{{sel}}}"), "model_name"),
         {m: float(v) for m, v in exp["tokens"].items()}, "decode_tokens_processed_total")
    c.eq(by_label(prom.query(f"active_requests{{{sel}}}"), "model_name"),
         {m: float(v) for m, v in exp["active"].items()}, "active_requests")
    c.eq(by_label(prom.query(f"gpu_cache_usage_ratio{{{sel}}}"), "model_name"), exp["cache"], "gpu_cache_usage_ratio")
    check_classic_histogram(c, prom, "ttft_milliseconds", sel, TTFT_BOUNDS, exp["ttft"])
    check_classic_histogram(c, prom, "batch_fill_percentage_percent", sel, FILL_BOUNDS, exp["fill"])
    if native:
        raw = prom.query(f"prompt_tokens{{{sel}}}")
        c.true(raw and all(s.histogram is not None for s in raw),
               f"prompt_tokens must be native histograms, got {raw}")
        c.eq(by_label(prom.query(f"histogram_count(prompt_tokens{{{sel}}})"), "model_name"),
             {m: float(len(vs)) for m, vs in exp["prompt"].items()}, "histogram_count(prompt_tokens)")
        c.eq(by_label(prom.query(f"histogram_sum(prompt_tokens{{{sel}}})"), "model_name"),
             {m: float(sum(vs)) for m, vs in exp["prompt"].items()}, "histogram_sum(prompt_tokens)")
