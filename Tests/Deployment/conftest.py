"""Fixtures for the checks of docker/ (image, compose stack, dashboards, alert rules, sidecar) that run
without a Docker engine.

The gateway and Prometheus fixtures are Tests/Integration's (loaded from its conftest.py, not copied):
`gateway_bin` ($OTLP_GATEWAY_BIN), `gateways`, `prometheus_bin`, `prometheus_servers`, `prometheus`.
Tools the checks run (promtool, docker-compose, kubernetes-validate, cc) FAIL the test when missing,
as the Integration tests do for Prometheus: `scripts/bootstrap --test` installs them.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
INTEGRATION = HERE.parent / "Integration"
for path in (HERE, INTEGRATION):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

_spec = importlib.util.spec_from_file_location("integration_conftest", INTEGRATION / "conftest.py")
integration_conftest = importlib.util.module_from_spec(_spec)
sys.modules["integration_conftest"] = integration_conftest
_spec.loader.exec_module(integration_conftest)

# Re-exported so pytest registers them for this directory too.
gateway_bin = integration_conftest.gateway_bin
gateways = integration_conftest.gateways
gw = integration_conftest.gw
module_gateways = integration_conftest.module_gateways
prometheus_bin = integration_conftest.prometheus_bin
prometheus_servers = integration_conftest.prometheus_servers
prometheus = integration_conftest.prometheus
pytest_runtest_makereport = integration_conftest.pytest_runtest_makereport

import deployhelpers  # noqa: E402


def _tool(name: str, env: str | None, hint: str) -> str:
    path = os.environ.get(env) if env else None
    path = path or shutil.which(name)
    if not path or not os.access(path, os.X_OK):
        pytest.fail(f"{name} not found: {hint}", pytrace=False)
    return path


@pytest.fixture(scope="session")
def promtool_bin() -> str:
    import promhelpers

    path = promhelpers.PROMTOOL_BIN
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is not executable: install Prometheus (Debian package `prometheus`) or set PROMTOOL_BIN",
                    pytrace=False)
    return path


@pytest.fixture(scope="session")
def docker_compose_bin() -> str:
    return _tool("docker-compose", "DOCKER_COMPOSE_BIN",
                 "install Debian's docker-compose (scripts/bootstrap --test does)")


@pytest.fixture(scope="session")
def kubernetes_validate_bin() -> str:
    # pip installs it into .venv/bin, which is not necessarily on PATH.
    beside = Path(sys.executable).parent / "kubernetes-validate"
    if os.access(beside, os.X_OK):
        return str(beside)
    return _tool("kubernetes-validate", None, "pip install kubernetes-validate (scripts/bootstrap --test does)")


@pytest.fixture(scope="session")
def fake_nvml(tmp_path_factory) -> Path:
    """The test suite's fake NVML (two GPUs), compiled to libnvidia-ml.so.1 in a temporary folder."""
    cc = _tool("cc", "CC", "install a C compiler (Debian package gcc)")
    return deployhelpers.build_fake_nvml(cc, tmp_path_factory.mktemp("nvml"))
