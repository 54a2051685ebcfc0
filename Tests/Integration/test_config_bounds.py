"""Configuration input is bounded (issue: hardening): alias bombs, huge files, paths that are not files, unset
variables and floods of problems each get one clear line from `validate` (and from a start), quickly and in
bounded memory."""

from __future__ import annotations

import os
import resource
import subprocess
import time

from gwhelpers import Ports, gateway_config, run_cli, to_yaml


def validate(gateway_bin, path, *, env=None, timeout=20.0):
    started = time.monotonic()
    res = subprocess.run([gateway_bin, "validate", "--config", str(path)], capture_output=True, text=True,
                         timeout=timeout, stdin=subprocess.DEVNULL, env=env)
    # ru_maxrss of the finished child (KiB on Linux); children accumulate, so take the largest seen.
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return res, time.monotonic() - started, peak_mib


def lines(res) -> list[str]:
    return [line for line in res.stderr.splitlines() if line.strip()]


def alias_bomb() -> str:
    """The classic "billion laughs": nine levels of nine aliases, under 700 bytes, 9^9 values expanded."""
    out = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        out.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(out) + "\n"


def test_alias_bomb_is_refused_fast(gateway_bin, tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb())
    assert path.stat().st_size < 700
    res, seconds, peak = validate(gateway_bin, path)
    assert res.returncode == 1
    assert any("alias bomb" in line for line in lines(res)), res.stderr
    assert seconds < 5, seconds
    assert peak < 300, peak


def test_alias_as_a_collection_key_is_refused(gateway_bin, tmp_path):
    path = tmp_path / "keys.yaml"
    path.write_text('a: &a [1, 2]\nb:\n  ? *a\n  : x\n')
    res, _, _ = validate(gateway_bin, path)
    assert res.returncode == 1
    assert any("mapping keys must be strings" in line for line in lines(res)), res.stderr


def test_aliases_within_budget_still_work(gateway_bin, tmp_path):
    # An anchor on the batch processor's settings, reused by a second one: an ordinary use of aliases.
    path = tmp_path / "ok.yaml"
    path.write_text(
        "receivers:\n  otlp:\n    protocols:\n      grpc: {endpoint: 127.0.0.1:0}\n"
        "processors:\n  batch: &b {timeout: 1s, send_batch_size: 100}\n  batch/copy: *b\n"
        "exporters:\n  debug: {}\n"
        "service:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [batch, batch/copy]\n"
        "      exporters: [debug]\n")
    res, _, _ = validate(gateway_bin, path)
    assert res.returncode == 0, res.stderr


def test_huge_file_is_refused_before_reading(gateway_bin, tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "w") as f:
        f.write("receivers:\n")
        chunk = "".join(f"  k{i}: {'v' * 80}\n" for i in range(1000))
        while f.tell() < 50 * 1024 * 1024:
            f.write(chunk)
    res, seconds, _ = validate(gateway_bin, path)
    assert res.returncode == 1
    assert lines(res) == [f"{path}: the file has {path.stat().st_size} bytes; a configuration may have at most 4194304"]
    assert seconds < 3, seconds


def test_paths_that_are_not_files(gateway_bin, tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    cases = {
        str(tmp_path / "missing.yaml"): "cannot read the file: no such file",
        str(tmp_path): "is a directory, not a configuration file",
        "/dev/zero": "is a device, not a configuration file",
        str(fifo): "is a FIFO (named pipe), not a configuration file",
    }
    for path, message in cases.items():
        res, seconds, _ = validate(gateway_bin, path, timeout=10)
        assert res.returncode == 1
        assert lines(res) == [f"{path}: {message}"], res.stderr
        assert seconds < 5


def test_unset_variable_is_named(gateway_bin, tmp_path):
    cfg = gateway_config(Ports.allocate())
    cfg["processors"]["batch"]["send_batch_size"] = "${env:OTLP_TEST_UNSET_BATCH}"
    path = tmp_path / "env.yaml"
    path.write_text(to_yaml(cfg))
    env = {k: v for k, v in os.environ.items() if k != "OTLP_TEST_UNSET_BATCH"}
    res, _, _ = validate(gateway_bin, path, env=env)
    assert res.returncode == 1
    assert any("processors.batch.send_batch_size" in line and "${env:OTLP_TEST_UNSET_BATCH} is not set" in line
               for line in lines(res)), res.stderr
    # Set, it works.
    env["OTLP_TEST_UNSET_BATCH"] = "100"
    res, _, _ = validate(gateway_bin, path, env=env)
    assert res.returncode == 0, res.stderr


def test_flood_of_problems_is_capped(gateway_bin, tmp_path):
    cfg = gateway_config(Ports.allocate())
    for i in range(100_000):
        cfg["processors"]["batch"][f"unknown_{i}"] = 1
    path = tmp_path / "flood.yaml"
    path.write_text(to_yaml(cfg))
    res, seconds, _ = validate(gateway_bin, path, timeout=60)
    assert res.returncode == 1
    out = lines(res)
    assert len(out) == 101, len(out)
    assert out[-1] == "... and 99900 more problems (100000 in all)", out[-1]
    # A start with the same file says the same and exits non-zero.
    res = run_cli(gateway_bin, "--config", str(path), timeout=60)
    assert res.returncode != 0
    assert len(lines(res)) <= 102
