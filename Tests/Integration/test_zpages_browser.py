"""The zpages extension in a real browser (headless Chromium through Selenium) against a real gateway: the
built-in engine and the Python SDK feed otlp -> batch -> memory / spanmetrics / prometheus, and the pages must
render that data with no console error: every page loads and polls, the ten engine panels draw their points in
SVG, a trace's waterfall nests its spans, the cardinality page ranks and pages series, and hostile strings
(markup, quotes, 20 000 characters, invalid UTF-8) stay text. Screenshots of the pages go to
$ZPAGES_SCREENSHOTS when set (else the test's temporary directory)."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
    pytest.skip(f"headless Chromium is not installed ({CHROMIUM} and {CHROMEDRIVER} are needed for the zpages "
                "browser test; Debian packages chromium and chromium-driver)", allow_module_level=True)

import yaml  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

import tracehelpers as th  # noqa: E402
from gwhelpers import Ports, free_ports, http_post  # noqa: E402

MS = 1_000_000

CONFIG = """
receivers:
  engine:
    model_name: tiny-transformer
    collection_interval: 1s
    workload:
      rate: 10
      prompt_length_median: 24
      output_length_median: 12
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:{grpc}
      http:
        endpoint: 127.0.0.1:{http}

processors:
  batch:
    timeout: 200ms

exporters:
  prometheus:
    endpoint: 127.0.0.1:{prometheus}
  memory:
    endpoint: 127.0.0.1:{memory}

connectors:
  spanmetrics:
    metrics_flush_interval: 1s

extensions:
  health_check:
    endpoint: 127.0.0.1:{health}
  zpages:
    endpoint: 127.0.0.1:{zpages}

service:
  extensions: [health_check, zpages]
  telemetry:
    metrics:
      address: 127.0.0.1:{telemetry}
  pipelines:
    traces:
      receivers: [otlp, engine]
      processors: [batch]
      exporters: [memory, spanmetrics]
    metrics:
      receivers: [otlp, engine, spanmetrics]
      processors: [batch]
      exporters: [prometheus]
"""

PAGES = {
    "service": "/debug/servicez",
    "pipelines": "/debug/pipelinez",
    "extensions": "/debug/extensionz",
    "engine": "/debug/enginez",
    "traces": "/debug/tracez",
    "cardinality": "/debug/cardinalityz",
}

ENGINE_PANELS = [
    ("kv_cache_memory", "gauge"),
    ("active_requests", "stat"),
    ("waiting_requests", "stat"),
    ("decode_prefill_ratio", "stat"),
    ("decode_tokens_rate", "timeseries"),
    ("prefill_tokens_rate", "timeseries"),
    ("batch_fill_percentiles", "timeseries"),
    ("kv_cache_memory_over_time", "timeseries"),
    ("ttft", "bargauge"),
    ("request_latency_percentiles", "timeseries"),
]

SCRIPT_TAG = "<script>window.__pwned=1</script>"
IMG_TAG = '"><img src=x onerror="window.__pwned=1">'
TEXTAREA = "</textarea>"
LONG = "zp-long-" + "L" * (20_000 - len("zp-long-"))
BAD_PLACEHOLDER = b"ZPBADUTF8X"
BAD_UTF8 = b"ZP\xff\xfe\xc3(BAD!"  # same length as the placeholder, so every length prefix stays right
assert len(BAD_PLACEHOLDER) == len(BAD_UTF8)


# --------------------------------------------------------------------------------------------
# Fixtures


class ZGateway:
    def __init__(self, gw, zpages: int):
        self.gw = gw
        self.zpages = zpages

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.zpages}{path}"

    def api(self, path: str):
        """(status, parsed JSON) of a zpages API path."""
        try:
            with urllib.request.urlopen(self.url(path), timeout=5) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")


@pytest.fixture(scope="module")
def zgw(module_gateways) -> ZGateway:
    p = free_ports(7)
    ports = Ports(*p[:4])
    text = CONFIG.format(grpc=ports.grpc, http=ports.http, health=ports.health, telemetry=ports.telemetry,
                         prometheus=p[4], memory=p[5], zpages=p[6])
    gw = module_gateways.start(yaml.safe_load(text), ports=ports)
    z = ZGateway(gw, p[6])

    def ready():
        status, doc = z.api("/api/v1/service")
        return status == 200 and isinstance(doc, dict)

    gw.wait_for(ready, timeout=20, what="zpages /api/v1/service")
    return z


@pytest.fixture(scope="module")
def driver():
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(arg)
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    d.set_page_load_timeout(30)
    yield d
    d.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    where = os.environ.get("ZPAGES_SCREENSHOTS")
    path = Path(where) if where else tmp_path_factory.mktemp("zpages-screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


# --------------------------------------------------------------------------------------------
# Browser helpers


def open_page(driver, z: ZGateway, path: str) -> None:
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(z.url(path))


def wait_js(driver, script: str, what: str, timeout: float = 30.0, *args):
    """Polls a JavaScript expression (a function body returning a value) until it is truthy; returns it."""
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.25).until(
            lambda d: d.execute_script(script, *args))
    except Exception as e:  # TimeoutException: say what was awaited, with the page's state
        state = driver.execute_script(
            "const m = document.getElementById('page'); const b = document.getElementById('error-banner');"
            "return {text: m ? m.innerText.slice(0, 1500) : null, banner: b && !b.hidden ? b.textContent : null}")
        raise AssertionError(f"timed out after {timeout}s waiting for {what}; page: {state}; "
                             f"browser log: {driver.get_log('browser')}") from e


def severe_entries(driver, allow: tuple[str, ...] = ()) -> list[dict]:
    """SEVERE browser log entries since the last call, except those whose message contains one of `allow`."""
    return [e for e in driver.get_log("browser")
            if e.get("level") == "SEVERE" and not any(a in e.get("message", "") for a in allow)]


def assert_clean(driver, allow: tuple[str, ...] = ()) -> None:
    assert driver.execute_script("return typeof window.__pwned") == "undefined", "hostile markup ran as script"
    assert not driver.find_elements(By.CSS_SELECTOR, 'img[src="x"]'), "hostile markup became an <img>"
    assert not driver.find_elements(By.CSS_SELECTOR, "main script, main img, main iframe"), "markup from data"
    errors = severe_entries(driver, allow)
    assert not errors, f"console errors: {errors}"


def banner_hidden(driver) -> bool:
    return driver.execute_script("const b = document.getElementById('error-banner'); return !b || b.hidden")


def texts_containing(driver, needle: str) -> int:
    """How many elements have `needle` in their own text nodes (so it is rendered as text, not markup)."""
    return driver.execute_script("""
        const needle = arguments[0];
        let n = 0;
        const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walk.nextNode()) if (walk.currentNode.nodeValue.includes(needle)) n++;
        return n;""", needle)


def shot(driver, shots: Path, name: str) -> None:
    assert driver.save_screenshot(str(shots / name)), f"screenshot {name} failed"


# --------------------------------------------------------------------------------------------
# Sending data


def send_sdk_trace(z: ZGateway, service: str, *, root_name: str = "checkout", child_name: str = "reserve stock",
                   attrs: dict | None = None) -> dict:
    """A root span with two children, the first with a grandchild (attribute and event), through OTLP gRPC.
    Returns the hex ids."""
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExportResult
    from opentelemetry.trace import SpanKind

    from sdkutil import RecordingSpanExporter

    rec = RecordingSpanExporter(th.sdk_grpc_exporter(z.gw.grpc_target))
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(rec, schedule_delay_millis=60_000))
    tracer = provider.get_tracer("zpages-browser-test")
    t0 = time.time_ns() - 2_000 * MS

    def start(name, parent, at_ms, kind=SpanKind.INTERNAL, attributes=None):
        ctx = trace.set_span_in_context(parent) if parent is not None else None
        return tracer.start_span(name, context=ctx, kind=kind, attributes=attributes, start_time=t0 + at_ms * MS)

    root = start(root_name, None, 0, SpanKind.SERVER, {"http.method": "POST", **(attrs or {})})
    child = start(child_name, root, 10, SpanKind.CLIENT, {"stock.items": 3})
    grandchild = start("db query", child, 15, SpanKind.CLIENT, {"db.statement": "SELECT stock FROM items"})
    grandchild.add_event("cache miss", {"cache.key": "items:42"}, timestamp=t0 + 20 * MS)
    sibling = start("charge card", root, 60, SpanKind.CLIENT, {"amount": 99.5})
    grandchild.end(end_time=t0 + 35 * MS)
    child.end(end_time=t0 + 50 * MS)
    sibling.end(end_time=t0 + 90 * MS)
    root.end(end_time=t0 + 100 * MS)
    assert provider.force_flush(10_000), "SDK force_flush failed"
    provider.shutdown()
    assert rec.results and all(r == SpanExportResult.SUCCESS for r in rec.results), rec.results
    hexs = lambda s: format(s.get_span_context().span_id, "016x")  # noqa: E731
    return {"trace": format(root.get_span_context().trace_id, "032x"), "root": hexs(root), "child": hexs(child),
            "grandchild": hexs(grandchild), "sibling": hexs(sibling)}


def send_sdk_metrics(z: ZGateway, build) -> None:
    """build(meter) records; one force_flush exports over OTLP gRPC."""
    from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import MetricExportResult, PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import Resource

    from sdkutil import RecordingMetricExporter

    rec = RecordingMetricExporter(OTLPMetricExporter(endpoint=z.gw.grpc_target, insecure=True, timeout=10))
    reader = PeriodicExportingMetricReader(rec, export_interval_millis=float("inf"))
    provider = MeterProvider(metric_readers=[reader], resource=Resource.create({"service.name": "zp-metrics"}))
    build(provider.get_meter("zpages-browser-test"))
    assert provider.force_flush(10_000), "SDK metrics force_flush failed"
    provider.shutdown()
    assert rec.results and all(r == MetricExportResult.SUCCESS for r in rec.results), rec.results


def invalid_utf8_trace_request(case: str) -> tuple[bytes, str]:
    """A serialized ExportTraceServiceRequest whose service name, span name and an attribute value hold invalid
    UTF-8 (protobuf refuses to build that, so a same-length placeholder is replaced in the bytes)."""
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as ts
    from opentelemetry.proto.resource.v1 import resource_pb2 as r

    req = ts.ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    rs.resource.CopyFrom(r.Resource(attributes=[th.kv("service.name", BAD_PLACEHOLDER.decode())]))
    sp = rs.scope_spans.add().spans.add()
    trace_id = uuid.uuid4().bytes
    sp.trace_id = trace_id
    sp.span_id = os.urandom(8)
    sp.name = BAD_PLACEHOLDER.decode()
    sp.kind = 2
    now = time.time_ns()
    sp.start_time_unix_nano = now - 5 * MS
    sp.end_time_unix_nano = now
    sp.attributes.append(th.kv("zp.case", case))
    sp.attributes.append(th.kv("bad", BAD_PLACEHOLDER.decode()))
    body = req.SerializeToString()
    assert body.count(BAD_PLACEHOLDER) == 3, body
    return body.replace(BAD_PLACEHOLDER, BAD_UTF8), trace_id.hex()


# --------------------------------------------------------------------------------------------
# Every page


READY = {
    # Each: JavaScript returning true once the page shows its content.
    "service": "return document.querySelectorAll('#service dl dt').length >= 4 && "
               "document.querySelector('#service dl dd').textContent.length > 0",
    "pipelines": "return document.querySelectorAll('#pipelines section.pipeline').length >= 2",
    "extensions": "return document.querySelectorAll('#extensions tbody tr[data-extension]').length >= 2",
    "engine": "return document.querySelectorAll('section.panel[data-panel] svg[data-points]').length >= 10",
    "traces": "return !!document.querySelector('form#trace-search input#trace-query') && "
              "document.querySelectorAll('table#red tbody tr[data-service]').length >= 1",
    "cardinality": "return document.querySelectorAll('table#metrics-table tbody tr[data-metric]').length >= 1",
}


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_loads_polls_and_logs_no_error(zgw, driver, shots, page):
    open_page(driver, zgw, PAGES[page])
    loaded = time.monotonic()
    assert driver.find_element(By.CSS_SELECTOR, "main#page").get_attribute("data-page") == page
    hrefs = {a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "nav#nav a[href]")}
    assert {zgw.url(p) for p in PAGES.values()} <= hrefs, hrefs
    wait_js(driver, READY[page], f"the {page} page's content", timeout=40)
    first = wait_js(driver, "const n = document.getElementById('last-update'); return n && n.textContent",
                    "#last-update text")
    # Polling: the time of the last update moves on (the page polls every 2 s).
    wait_js(driver, "return document.getElementById('last-update').textContent !== arguments[0]",
            "#last-update to change", 15, first)
    time.sleep(max(0.0, 5.0 - (time.monotonic() - loaded)))
    assert banner_hidden(driver), driver.find_element(By.ID, "error-banner").text

    if page == "service":
        _, doc = zgw.api("/api/v1/service")
        fields = driver.execute_script(
            "return Array.from(document.querySelectorAll('#service dl dt')).map(dt => "
            "[dt.textContent, dt.nextElementSibling.textContent])")
        assert ["Name", doc["name"]] in fields, fields
        assert ["Version", doc["version"]] in fields, fields
    elif page == "pipelines":
        comps = driver.execute_script("""
            const out = {};
            for (const s of document.querySelectorAll('#pipelines section.pipeline')) {
              out[s.dataset.pipeline] = Array.from(s.querySelectorAll('.component')).map(c =>
                [c.dataset.kind, c.dataset.id, c.classList.contains('trouble'), c.textContent]);
            }
            return out;""")
        assert set(comps) == {"traces", "metrics"}, comps
        kinds = {name: [(k, i) for k, i, _, _ in cs] for name, cs in comps.items()}
        assert kinds["traces"] == [("receiver", "otlp"), ("receiver", "engine"), ("processor", "batch"),
                                   ("exporter", "memory"), ("connector", "spanmetrics")], kinds
        assert kinds["metrics"] == [("receiver", "otlp"), ("receiver", "engine"), ("connector", "spanmetrics"),
                                    ("processor", "batch"), ("exporter", "prometheus")], kinds
        otlp = next(c for c in comps["traces"] if c[1] == "otlp")
        assert "/s" in otlp[3], otlp  # its rates, as "name N/s"
        assert not any(c[2] for cs in comps.values() for c in cs), "a component in trouble in a healthy gateway"
    elif page == "extensions":
        ids = driver.execute_script(
            "return Array.from(document.querySelectorAll('#extensions tbody tr')).map(r => r.dataset.extension)")
        assert {"health_check", "zpages"} <= set(ids), ids
    elif page == "traces":
        assert driver.find_element(By.ID, "trace-query").get_attribute("value") == "{}"
        # The engine's request spans are in the store: the default search `{}` lists traces.
        wait_js(driver, "return document.querySelectorAll('#trace-results tbody tr[data-trace-id] "
                        "a[href^=\"/debug/tracez?trace=\"]').length >= 1", "search results for {}", 30)
    assert_clean(driver)
    if page in ("service", "pipelines"):
        shot(driver, shots, f"{PAGES[page].rsplit('/', 1)[1]}.png")


# --------------------------------------------------------------------------------------------
# Engine


def test_engine_panels_draw_their_points(zgw, driver, shots):
    open_page(driver, zgw, "/debug/enginez")
    read = """
        return Array.from(document.querySelectorAll('section.panel[data-panel]')).map(p => {
          const svgs = p.querySelectorAll('svg');
          const svg = svgs[0];
          return [p.dataset.panel, p.dataset.kind, svgs.length,
                  svg ? Number(svg.getAttribute('data-points')) : -1,
                  svg ? svg.querySelectorAll('.pt').length : -1,
                  (p.querySelector('h3') || {}).textContent || ''];
        });"""

    def all_drawn():
        panels = driver.execute_script(read)
        got = {p[0]: p for p in panels}
        return panels if all(pid in got and got[pid][3] >= 2 for pid, _ in ENGINE_PANELS) else None

    try:
        panels = WebDriverWait(driver, 60, poll_frequency=0.5).until(lambda d: all_drawn())
    except Exception as e:
        raise AssertionError(f"engine panels without 2 points after 60 s: {driver.execute_script(read)}") from e
    ids = [p[0] for p in panels]
    assert ids[:len(ENGINE_PANELS)] == [pid for pid, _ in ENGINE_PANELS], ids
    for (pid, kind), (got_id, got_kind, n_svg, points, pts, title) in zip(ENGINE_PANELS, panels):
        assert got_kind == kind, (pid, got_kind)
        assert n_svg == 1, (pid, n_svg)
        assert points >= 2 and pts >= points, (pid, points, pts)
        assert title.strip(), pid
    kinds = driver.execute_script("""
        const q = (id, sel) => document.querySelectorAll(`section.panel[data-panel="${id}"] svg ${sel}`).length;
        const legend = 'section.panel[data-panel="batch_fill_percentiles"] .legend li';
        return {bars: q('ttft', 'rect.pt'), circles: q('decode_tokens_rate', 'circle.pt'),
                legend: document.querySelectorAll(legend).length};""")
    assert kinds["bars"] >= 2, kinds  # bargauge: one rect.pt per series
    assert kinds["circles"] >= 2, kinds
    assert kinds["legend"] == 3, kinds  # p50, p95, p99
    assert driver.find_elements(By.ID, "engine-hint")[0].get_attribute("hidden") is not None, \
        "the no-engine-metrics hint shows although the engine's metrics are there"
    time.sleep(1)
    assert banner_hidden(driver)
    assert_clean(driver)
    shot(driver, shots, "enginez.png")


# --------------------------------------------------------------------------------------------
# Traces


def search(driver, query: str) -> None:
    box = driver.find_element(By.ID, "trace-query")
    box.clear()
    box.send_keys(query)
    driver.find_element(By.CSS_SELECTOR, "form#trace-search button[type=submit]").click()


def test_trace_search_and_waterfall(zgw, driver, shots):
    service = f"zp-waterfall-{uuid.uuid4().hex[:10]}"
    ids = send_sdk_trace(zgw, service)
    open_page(driver, zgw, "/debug/tracez")
    wait_js(driver, "return !!document.getElementById('trace-query')", "the search form")
    search(driver, f'{{resource.service.name="{service}"}}')
    row_sel = f'#trace-results tbody tr[data-trace-id="{ids["trace"]}"]'
    wait_js(driver, f"return !!document.querySelector('{row_sel}')", f"trace {ids['trace']} in the results", 40)
    rows = driver.execute_script(
        "return Array.from(document.querySelectorAll('#trace-results tbody tr')).map(r => "
        "[r.dataset.traceId, Array.from(r.cells).map(c => c.textContent)])")
    assert len(rows) == 1, rows  # only this test's service matches
    tid, cells = rows[0]
    assert cells[0] == ids["trace"] and cells[1] == service and cells[2] == "checkout", cells
    assert cells[5] == "4", cells  # span count
    assert "ms" in cells[4], cells  # duration 100 ms
    wait_js(driver, f"return !!document.querySelector('#red tbody tr[data-service=\"{service}\"]')",
            f"{service} in the RED table", 20)
    assert_clean(driver)
    shot(driver, shots, "tracez.png")

    driver.find_element(By.CSS_SELECTOR, f'{row_sel} a[href="/debug/tracez?trace={ids["trace"]}"]').click()
    wait_js(driver, "return document.querySelectorAll('#waterfall .span-row').length === 4", "4 span rows", 30)
    got = driver.execute_script(
        "return Array.from(document.querySelectorAll('#waterfall .span-row')).map(r => [r.dataset.spanId, "
        "r.dataset.parentId, r.dataset.depth, r.textContent, r.querySelector('.span-bar').style.left, "
        "r.querySelector('.span-bar').style.width])")
    # Depth-first, siblings by start: root, its first child, that child's child, then the second child.
    assert [(g[0], g[1], g[2]) for g in got] == [
        (ids["root"], "", "0"),
        (ids["child"], ids["root"], "1"),
        (ids["grandchild"], ids["child"], "2"),
        (ids["sibling"], ids["root"], "1"),
    ], got
    for g, name in zip(got, ["checkout", "reserve stock", "db query", "charge card"]):
        assert name in g[3] and service in g[3], g
    left = [float(g[4].rstrip("%")) for g in got]
    width = [float(g[5].rstrip("%")) for g in got]
    # Spans at 0/10/15/60 ms lasting 100/40/20/30 ms of a 100 ms trace.
    for i, (lw, ww) in enumerate([(0, 100), (10, 40), (15, 20), (60, 30)]):
        assert abs(left[i] - lw) < 0.5 and abs(width[i] - ww) < 0.5, (i, left, width)

    driver.find_element(By.CSS_SELECTOR, f'#waterfall .span-row[data-span-id="{ids["grandchild"]}"]').click()
    wait_js(driver, "const d = document.getElementById('span-detail'); return d && !d.hidden && "
                    "!!d.querySelector('table.attributes')", "the span detail")
    attrs = driver.execute_script(
        "return Array.from(document.querySelectorAll('#span-detail table.attributes tbody tr')).map(r => "
        "Array.from(r.cells).map(c => c.textContent))")
    assert ["db.statement", "string", "SELECT stock FROM items"] in attrs, attrs
    events = driver.find_element(By.CSS_SELECTOR, "#span-detail table.events").text
    assert "cache miss" in events and "cache.key = items:42" in events, events
    assert driver.find_elements(By.CSS_SELECTOR, "#span-detail table.links")
    assert "SELECT stock FROM items" not in driver.find_element(By.ID, "waterfall").text
    assert_clean(driver)
    shot(driver, shots, "trace.png")


def test_unknown_and_invalid_trace_ids(zgw, driver):
    unknown = "00000000000000000000000000abcdef"
    open_page(driver, zgw, f"/debug/tracez?trace={unknown}")
    text = wait_js(driver, "const n = document.getElementById('not-found'); return n && n.textContent",
                   "#not-found for an unknown trace id")
    assert "not found" in text.lower(), text
    assert not driver.find_elements(By.CSS_SELECTOR, "#waterfall .span-row")
    # The API's 404 is logged by Chromium as a failed resource load; nothing else may be.
    assert_clean(driver, allow=(f"/tempo/api/v2/traces/{unknown} - Failed to load resource",))

    open_page(driver, zgw, "/debug/tracez?trace=zz")
    text = wait_js(driver, "const n = document.getElementById('not-found'); return n && n.textContent",
                   "#not-found for an invalid trace id")
    assert "invalid" in text.lower() or "not found" in text.lower(), text
    time.sleep(2.5)
    assert_clean(driver)


# --------------------------------------------------------------------------------------------
# Cardinality


def test_cardinality_ranks_metrics_and_pages_series(zgw, driver, shots):
    def build(meter):
        counter = meter.create_counter("zp_big", description="one series per shard")
        for i in range(300):
            counter.add(1 + i % 7, {"shard": f"s{i:03d}"})

    send_sdk_metrics(zgw, build)
    open_page(driver, zgw, "/debug/cardinalityz")
    wait_js(driver, "const r = document.querySelector('#metrics-table tbody tr'); "
                    "return r && r.dataset.metric === 'zp_big_total' && r.cells[2].textContent === '300'",
            "zp_big_total with 300 series first in #metrics-table", 40)
    order = driver.execute_script(
        "return Array.from(document.querySelectorAll('#metrics-table tbody tr')).map(r => r.dataset.metric)")
    assert order[0] == "zp_big_total" and len(order) > 1, order  # the engine's metrics follow
    assert_clean(driver)
    shot(driver, shots, "cardinalityz.png")

    driver.find_element(By.CSS_SELECTOR,
                        '#metrics-table tbody tr[data-metric="zp_big_total"] '
                        'a[href="/debug/cardinalityz?metric=zp_big_total"]').click()
    wait_js(driver, "const t = document.getElementById('series-total'); return t && t.textContent === '300' && "
                    "document.querySelectorAll('#series-table tbody tr').length === 100", "series page 1")
    assert driver.find_element(By.ID, "prev-page").get_attribute("disabled") is not None
    assert driver.find_element(By.ID, "next-page").get_attribute("disabled") is None

    def page_labels():
        return driver.execute_script(
            "return Array.from(document.querySelectorAll('#series-table tbody tr')).map(r => r.cells[1].textContent)")

    seen: list[str] = []
    for n in range(3):
        labels = wait_js(driver, "const rows = document.querySelectorAll('#series-table tbody tr');"
                                 "return rows.length === 100 && rows[0].cells[0].textContent === arguments[0] && "
                                 "Array.from(rows).map(r => r.cells[1].textContent)",
                         f"series page {n + 1}", 20, str(n * 100 + 1))
        assert all('shard="s' in t for t in labels), labels[:3]
        assert not set(labels) & set(seen), "a series on two pages"
        seen.extend(labels)
        if n < 2:
            driver.find_element(By.ID, "next-page").click()
    assert len(seen) == 300 and len({t.split('shard="')[1][:4] for t in seen}) == 300, seen[:5]
    wait_js(driver, "return document.getElementById('next-page').disabled", "next disabled on the last page")
    assert driver.find_element(By.ID, "prev-page").get_attribute("disabled") is None
    driver.find_element(By.ID, "prev-page").click()
    wait_js(driver, "const r = document.querySelector('#series-table tbody tr');"
                    "return r && r.cells[0].textContent === '101'", "back to page 2")
    assert page_labels() == seen[100:200]
    assert_clean(driver)


# --------------------------------------------------------------------------------------------
# Hostile strings


def test_hostile_strings_stay_text(zgw, driver):
    case = uuid.uuid4().hex[:12]
    service = f"zp-hostile-{case}{SCRIPT_TAG}{IMG_TAG}{TEXTAREA}"
    ids = send_sdk_trace(zgw, service, root_name=IMG_TAG, child_name=LONG,
                         attrs={SCRIPT_TAG: IMG_TAG, TEXTAREA: SCRIPT_TAG, "long": LONG, "zp.case": case})

    def build(meter):
        gauge = meter.create_gauge("zp_hostile")
        for i, v in enumerate((SCRIPT_TAG, IMG_TAG, TEXTAREA, LONG)):
            gauge.set(i, {"v": v})

    send_sdk_metrics(zgw, build)
    body, bad_trace = invalid_utf8_trace_request(case)
    resp = http_post(zgw.gw.http_url("/v1/traces"), body)
    assert resp.status_code in (200, 400), (resp.status_code, resp.text[:300])
    bad_accepted = resp.status_code == 200

    # Search results and the RED table.
    open_page(driver, zgw, "/debug/tracez")
    wait_js(driver, "return !!document.getElementById('trace-query')", "the search form")
    search(driver, f'{{span.zp.case="{case}"}}')
    wait_js(driver, f"return !!document.querySelector('#trace-results tr[data-trace-id=\"{ids['trace']}\"]')",
            "the hostile trace in the results", 40)
    wait_js(driver, "return Array.from(document.querySelectorAll('#red tbody tr')).some(r => "
                    "r.dataset.service === arguments[0])", "the hostile service in the RED table", 30, service)
    assert texts_containing(driver, SCRIPT_TAG) >= 2  # root service in the results and in the RED table
    assert texts_containing(driver, IMG_TAG) >= 1  # root span name
    if bad_accepted:
        wait_js(driver, f"return !!document.querySelector('#trace-results tr[data-trace-id=\"{bad_trace}\"]')",
                "the invalid-UTF-8 trace in the results", 30)
    time.sleep(2.5)  # a poll or two with the hostile data on the page
    assert_clean(driver)

    # The trace view and its detail tables.
    open_page(driver, zgw, f"/debug/tracez?trace={ids['trace']}")
    wait_js(driver, "return document.querySelectorAll('#waterfall .span-row').length === 4", "the hostile trace")
    names = driver.execute_script(
        "return Array.from(document.querySelectorAll('#waterfall .span-name')).map(n => n.textContent)")
    assert names[0] == IMG_TAG and names[1] == LONG, [n[:60] for n in names]
    assert driver.find_element(By.CSS_SELECTOR, f'.span-row[data-span-id="{ids["child"]}"] .span-name') \
        .get_attribute("title") == LONG
    driver.find_element(By.CSS_SELECTOR, f'#waterfall .span-row[data-span-id="{ids["root"]}"]').click()
    attrs = wait_js(driver, "const rows = document.querySelectorAll('#span-detail table.attributes tbody tr');"
                            "return rows.length && "
                            "Array.from(rows).map(r => Array.from(r.cells).map(c => c.textContent))",
                    "the root span's attributes")
    assert [SCRIPT_TAG, "string", IMG_TAG] in attrs, attrs
    assert [TEXTAREA, "string", SCRIPT_TAG] in attrs, attrs
    assert ["long", "string", LONG] in attrs
    assert texts_containing(driver, TEXTAREA) >= 1
    assert_clean(driver)

    if bad_accepted:
        open_page(driver, zgw, f"/debug/tracez?trace={bad_trace}")
        text = wait_js(driver, "const w = document.getElementById('waterfall'); return w && "
                               "w.querySelectorAll('.span-row').length === 1 && w.textContent",
                       "the invalid-UTF-8 trace")
        assert "ZP" in text and "BAD" in text, text
        assert_clean(driver)

    # Cardinality: the metric and its series with hostile label values.
    open_page(driver, zgw, "/debug/cardinalityz")
    wait_js(driver, "return !!document.querySelector('#metrics-table tr[data-metric=\"zp_hostile\"]')",
            "zp_hostile in #metrics-table", 40)
    assert_clean(driver)
    open_page(driver, zgw, "/debug/cardinalityz?metric=zp_hostile")
    labels = wait_js(driver, "const rows = document.querySelectorAll('#series-table tbody tr:not(.empty)');"
                             "return rows.length === 4 && Array.from(rows).map(r => r.cells[1].textContent)",
                     "the 4 zp_hostile series")
    joined = "\n".join(labels)
    assert f'v="{SCRIPT_TAG}"' in joined and f'v="{TEXTAREA}"' in joined, joined[:500]
    assert 'v="\\"><img src=x onerror=\\"window.__pwned=1\\">"' in joined, joined[:500]
    assert f'v="{LONG}"' in joined
    assert texts_containing(driver, SCRIPT_TAG) >= 1
    time.sleep(2.5)
    assert_clean(driver)
