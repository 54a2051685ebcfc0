"""The command line: `validate --config`, `--version`, and refusing to run an invalid config."""

from __future__ import annotations

import subprocess

import pytest

from gwhelpers import Ports, gateway_config, run_cli, to_yaml

PROBLEMS = {
    "unknown-exporter-type": 'exporters.nosuchexporter/tempo: unknown type "nosuchexporter"',
    "undefined-exporter": 'service.pipelines.traces.exporters: "debug/missing" is not defined in exporters',
    "bad-duration": 'processors.batch.timeout: expected a duration like 200ms or 5s, got "fast"',
}


def broken_config(which: set[str]) -> dict:
    cfg = gateway_config(Ports.allocate())
    if "unknown-exporter-type" in which:
        cfg["exporters"]["nosuchexporter/tempo"] = {"endpoint": "127.0.0.1:4317"}
    if "undefined-exporter" in which:
        cfg["service"]["pipelines"]["traces"]["exporters"] = ["debug", "debug/missing"]
    if "bad-duration" in which:
        cfg["processors"]["batch"]["timeout"] = "fast"
    return cfg


def write(tmp_path, cfg: dict, name: str = "collector.yaml"):
    p = tmp_path / name
    p.write_text(to_yaml(cfg))
    return p


def stderr_lines(res) -> list[str]:
    return [line.strip() for line in res.stderr.splitlines() if line.strip()]


def test_version(gateway_bin):
    res = run_cli(gateway_bin, "--version")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip(), "--version prints a version"
    assert any(c.isdigit() for c in res.stdout)


def test_validate_accepts_valid_config(gateway_bin, tmp_path):
    res = run_cli(gateway_bin, "validate", "--config", str(write(tmp_path, gateway_config(Ports.allocate()))))
    assert res.returncode == 0, res.stderr
    assert stderr_lines(res) == [], res.stderr


def test_validate_accepts_fanout_config(gateway_bin, tmp_path):
    cfg = gateway_config(Ports.allocate(), exporters={"debug": {}, "debug/second": {"verbosity": "detailed"}})
    cfg["service"]["pipelines"]["traces/b"] = {"receivers": ["otlp"], "processors": [], "exporters": ["debug/second"]}
    res = run_cli(gateway_bin, "validate", "--config", str(write(tmp_path, cfg)))
    assert res.returncode == 0, res.stderr


def test_validate_reports_every_problem_one_line_each(gateway_bin, tmp_path):
    res = run_cli(gateway_bin, "validate", "--config", str(write(tmp_path, broken_config(set(PROBLEMS)))))
    assert res.returncode != 0
    lines = stderr_lines(res)
    for expected in PROBLEMS.values():
        assert expected in lines, f"missing {expected!r} in stderr:\n{res.stderr}"
    assert sorted(lines) == sorted(PROBLEMS.values()), f"one line per problem, nothing else:\n{res.stderr}"


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
def test_validate_reports_single_problem(gateway_bin, tmp_path, problem):
    res = run_cli(gateway_bin, "validate", "--config", str(write(tmp_path, broken_config({problem}))))
    assert res.returncode != 0
    assert stderr_lines(res) == [PROBLEMS[problem]], res.stderr


def test_validate_missing_file_fails(gateway_bin, tmp_path):
    res = run_cli(gateway_bin, "validate", "--config", str(tmp_path / "nope.yaml"))
    assert res.returncode != 0
    assert res.stderr.strip()


def test_run_refuses_invalid_config(gateway_bin, tmp_path):
    path = write(tmp_path, broken_config({"undefined-exporter"}))
    try:
        res = run_cli(gateway_bin, "--config", str(path), timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("the gateway kept running with an invalid config")
    assert res.returncode != 0
    assert PROBLEMS["undefined-exporter"] in res.stderr
