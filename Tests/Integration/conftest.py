"""Fixtures for the end-to-end tests of the otlp-gateway binary.

The binary comes from $OTLP_GATEWAY_BIN (scripts/test sets it). Tests that need it FAIL, not skip,
when it is unset or missing. Every gateway gets fresh loopback ports, its own collector.yaml in
tmp_path, and stdout/stderr captured to files; it is stopped with SIGTERM (then SIGKILL after 10 s)
at teardown, and a hang or a non-zero exit on SIGTERM fails the test.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gwhelpers  # noqa: E402
from gwhelpers import Gateway, Ports, gateway_config  # noqa: E402


@pytest.fixture(scope="session")
def gateway_bin() -> str:
    path = os.environ.get("OTLP_GATEWAY_BIN")
    if not path:
        pytest.fail("OTLP_GATEWAY_BIN is not set: point it at the built otlp-gateway binary "
                    "(scripts/test sets it to .build/debug/otlp-gateway)", pytrace=False)
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        pytest.fail(f"OTLP_GATEWAY_BIN={path!r} is not an executable file (build it with swift build)",
                    pytrace=False)
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


class _Gateways:
    def __init__(self, binary: str, base: Path):
        self.binary = binary
        self.base = base
        self.started: list[Gateway] = []

    def start(self, config=None, *, ports: Ports | None = None, **config_kwargs) -> Gateway:
        """Starts a gateway. config: a dict, or a callable(ports) -> dict; by default
        gateway_config(ports, **config_kwargs)."""
        ports = ports or Ports.allocate()
        if config is None:
            cfg = gateway_config(ports, **config_kwargs)
        elif callable(config):
            cfg = config(ports)
        else:
            cfg = config
        gw = Gateway(self.binary, self.base / f"gw{len(self.started)}", cfg, ports)
        self.started.append(gw)
        gw.start()
        return gw

    def teardown(self, failed: bool) -> list[str]:
        problems = []
        for gw in self.started:
            if gw.killed_on_purpose:
                continue
            already_dead = gw.proc is not None and gw.proc.poll() is not None and gw.returncode is None
            rc, killed = gw.stop(signal.SIGTERM, timeout=10.0)
            if killed:
                problems.append(f"{gw.workdir.name}: did not exit within 10 s of SIGTERM (killed)")
            elif already_dead and rc != 0:
                problems.append(f"{gw.workdir.name}: exited on its own with {rc} during the test")
            elif rc != 0 and not already_dead:
                problems.append(f"{gw.workdir.name}: exit code {rc} after SIGTERM (expected 0)")
            if failed or problems:
                print(f"\n[{gw.workdir.name}] config {gw.config_path}\n{gw.logs_tail()}")
        return problems


def _make_gateways(request, gateway_bin, base: Path):
    gws = _Gateways(gateway_bin, base)
    yield gws
    rep = getattr(request.node, "rep_call", None)
    failed = rep is not None and rep.failed
    problems = gws.teardown(failed)
    if problems and not failed:
        pytest.fail("gateway shutdown problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def gateways(request, gateway_bin, tmp_path):
    """Factory: gateways.start(**gateway_config kwargs) -> running Gateway; all stopped at teardown."""
    yield from _make_gateways(request, gateway_bin, tmp_path)


@pytest.fixture
def gw(gateways) -> Gateway:
    """A running gateway with the default config (otlp grpc+http -> batch 200ms -> debug basic)."""
    return gateways.start()


@pytest.fixture
def gw_detailed(gateways) -> Gateway:
    return gateways.start(verbosity="detailed")


@pytest.fixture(scope="module")
def module_gateways(request, gateway_bin, tmp_path_factory):
    """Module-scoped factory, for modules whose tests share one gateway (assert deltas there)."""
    yield from _make_gateways(request, gateway_bin, tmp_path_factory.mktemp(request.module.__name__))


@pytest.fixture
def grpc_channel_factory():
    import grpc

    channels = []

    def make(target: str, **options):
        ch = grpc.insecure_channel(target, options=list(options.items()))
        channels.append(ch)
        return ch

    yield make
    for ch in channels:
        ch.close()


# --------------------------------------------------------------------------------------------
# A real Prometheus (test_prometheus_*.py)


@pytest.fixture(scope="session")
def prometheus_bin() -> str:
    """/usr/bin/prometheus (or $PROMETHEUS_BIN). Missing -> FAIL, not skip: CI installs it."""
    import promhelpers

    path = promhelpers.PROMETHEUS_BIN
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        pytest.fail(f"{path} is not an executable file: install Prometheus (Debian package `prometheus`) "
                    "or set PROMETHEUS_BIN", pytrace=False)
    return path


class _Prometheuses:
    def __init__(self, binary: str, base: Path):
        self.binary = binary
        self.base = base
        self.started: list = []

    def start(self, **kwargs):
        """A started Prometheus; kwargs go to promhelpers.Prometheus (port, scrape_configs, ...)."""
        import promhelpers

        prom = promhelpers.Prometheus(self.binary, self.base / f"prom{len(self.started)}", **kwargs)
        self.started.append(prom)
        prom.start()
        return prom

    def teardown(self, failed: bool) -> list[str]:
        problems = []
        for prom in self.started:
            _, killed = prom.stop(timeout=10.0)
            if killed:
                problems.append(f"{prom.workdir.name}: prometheus did not exit within 10 s of SIGTERM (killed)")
            if failed or killed:
                print(f"\n[{prom.workdir.name}] config {prom.config_path}\n{prom.logs_tail()}")
        return problems


@pytest.fixture
def prometheus_servers(request, prometheus_bin, tmp_path):
    """Factory: prometheus_servers.start(scrape_configs=[...]) -> running promhelpers.Prometheus;
    all stopped (SIGTERM, wait, kill) at teardown."""
    proms = _Prometheuses(prometheus_bin, tmp_path)
    yield proms
    rep = getattr(request.node, "rep_call", None)
    proms.teardown(rep is not None and rep.failed)


@pytest.fixture
def prometheus(prometheus_servers):
    """A fresh Prometheus (no scrape jobs) for one test: remote-write receiver, native histograms.
    List it before `gateways` in a test's arguments: fixtures tear down in reverse, so the gateways
    stop (and make their last writes) while Prometheus is still up."""
    return prometheus_servers.start()


__all__ = ["gwhelpers"]
