"""The repository's default collector.yaml (what `scripts/run` starts) is valid for this build."""

from pathlib import Path

from gwhelpers import run_cli

ROOT = Path(__file__).resolve().parents[2]


def test_default_collector_yaml_validates(gateway_bin):
    result = run_cli(gateway_bin, "validate", "--config", str(ROOT / "collector.yaml"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
