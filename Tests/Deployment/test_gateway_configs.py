"""The gateway configs of docker/ loaded by the real binary (`otlp-gateway validate`), the image's
default config kept in step with the repository's collector.yaml, and the image's health check script
run against a real gateway and against servers that are not healthy."""

from __future__ import annotations

import http.server
import os
import re
import socket
import subprocess
import threading
import time

import pytest

import deployhelpers as dh
from gwhelpers import free_ports, run_cli


def test_image_config_is_valid(gateway_bin):
    out = run_cli(gateway_bin, "validate", "--config", str(dh.COLLECTOR_IMAGE))
    assert out.returncode == 0, out.stdout + out.stderr
    env = {**os.environ, "ENGINE_WORKLOAD_RATE": "fast"}
    bad = subprocess.run([gateway_bin, "validate", "--config", str(dh.COLLECTOR_IMAGE)], capture_output=True,
                         text=True, env=env, timeout=30)
    assert bad.returncode != 0 and "workload.rate" in bad.stdout + bad.stderr


def test_compose_config_is_valid(gateway_bin):
    out = run_cli(gateway_bin, "validate", "--config", str(dh.COLLECTOR_COMPOSE))
    assert out.returncode == 0, out.stdout + out.stderr


def _listen_hosts_to_loopback(node):
    if isinstance(node, dict):
        return {k: _listen_hosts_to_loopback(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_listen_hosts_to_loopback(v) for v in node]
    if isinstance(node, str):
        return node.replace("0.0.0.0:", "127.0.0.1:")
    return node


def _strip_env(node):
    """${env:X:-default} -> default, as the gateway expands it with X unset."""
    if isinstance(node, dict):
        return {k: _strip_env(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_strip_env(v) for v in node]
    if isinstance(node, str):
        m = re.fullmatch(r"\$\{env:\w+:-(.*)\}", node)
        if m:
            v = m.group(1)
            return int(v) if v.isdigit() else v
    return node


def test_image_config_is_collector_yaml_listening_on_all_interfaces():
    """docker/collector.image.yaml differs from collector.yaml only in listening on 0.0.0.0."""
    default = _strip_env(dh.load_yaml(dh.REPO / "collector.yaml"))
    image = _strip_env(dh.load_yaml(dh.COLLECTOR_IMAGE))
    assert _listen_hosts_to_loopback(image) == default
    listeners = [v for p, v in dh.walk_strings(image) if p.endswith(("endpoint", "address"))]
    assert listeners and all(v.startswith("0.0.0.0:") for v in listeners), listeners


# --------------------------------------------------------------------------------------------
# docker/healthcheck (the image's HEALTHCHECK)


def healthcheck(port: int, path: str = "/", timeout: str = "2") -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OTLP_GATEWAY_HEALTH_PORT": str(port),
           "OTLP_GATEWAY_HEALTH_PATH": path, "OTLP_GATEWAY_HEALTH_TIMEOUT": timeout}
    return subprocess.run([str(dh.HEALTHCHECK)], capture_output=True, text=True, env=env, timeout=30)


def test_healthcheck_passes_on_a_healthy_gateway(gw):
    out = healthcheck(gw.ports.health)
    assert out.returncode == 0, out.stderr
    # The extension's 404 for another path is not healthy.
    out = healthcheck(gw.ports.health, "/nope")
    assert out.returncode == 1 and "404" in out.stderr


def test_healthcheck_fails_without_a_listener():
    (port,) = free_ports(1)
    out = healthcheck(port)
    assert out.returncode == 2 and "cannot connect" in out.stderr


class _Answer(http.server.BaseHTTPRequestHandler):
    status = 503

    def do_GET(self):  # noqa: N802
        body = b'{"status":"Server not available"}'
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the probe hangs up once it has the status line

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    servers = []

    def start(status: int):
        handler = type("Handler", (_Answer,), {"status": status})
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return srv.server_address[1]

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def test_healthcheck_fails_on_503_and_passes_on_200(http_server):
    out = healthcheck(http_server(503))
    assert out.returncode == 1 and "503" in out.stderr
    assert healthcheck(http_server(200)).returncode == 0


def test_healthcheck_gives_up_on_a_silent_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        start = time.monotonic()
        out = healthcheck(s.getsockname()[1], timeout="1")
        took = time.monotonic() - start
    assert out.returncode == 2 and "no answer" in out.stderr
    assert took < 5, took
