"""docker/prometheus.yml and the alert rules, checked by the real promtool: `check config`, `check rules`
and the unit tests of `test rules`. Each check also runs on a deliberately broken copy, which must fail,
so a promtool that accepts anything (or a check that checks nothing) cannot pass."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import deployhelpers as dh


def promtool(promtool_bin: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([promtool_bin, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def copy_rules_dir(tmp_path: Path) -> Path:
    """docker/prometheus.yml and docker/prometheus/ in tmp, keeping their relative layout."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy(dh.PROMETHEUS_YML, tmp_path / "prometheus.yml")
    shutil.copytree(dh.ALERTS.parent, tmp_path / "prometheus")
    return tmp_path


def test_check_config(promtool_bin, tmp_path):
    ok = promtool(promtool_bin, "check", "config", "prometheus.yml", cwd=dh.DOCKER)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    # It read the rule file named in rule_files (and found every rule in it).
    n_rules = sum(len(g["rules"]) for g in dh.load_yaml(dh.ALERTS)["groups"])
    assert f"SUCCESS: {n_rules} rules found" in ok.stdout + ok.stderr, ok.stdout

    broken = copy_rules_dir(tmp_path)
    text = (broken / "prometheus.yml").read_text()
    (broken / "prometheus.yml").write_text(text.replace("scrape_interval: 5s", "scrape_interval: 5 seconds", 1))
    bad = promtool(promtool_bin, "check", "config", "prometheus.yml", cwd=broken)
    assert bad.returncode != 0, "promtool accepted scrape_interval: 5 seconds"

    # A rule file that is not where rule_files says fails the config check too.
    missing = copy_rules_dir(tmp_path / "missing")
    (missing / "prometheus" / "alerts.yml").unlink()
    bad = promtool(promtool_bin, "check", "config", "prometheus.yml", cwd=missing)
    assert bad.returncode != 0 and "alerts.yml" in bad.stdout + bad.stderr


def test_check_rules(promtool_bin, tmp_path):
    ok = promtool(promtool_bin, "check", "rules", str(dh.ALERTS), cwd=dh.DOCKER)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "SUCCESS" in ok.stdout

    broken = tmp_path / "alerts.yml"
    broken.write_text(dh.ALERTS.read_text().replace("hw_gpu_utilization_ratio > 0.80",
                                                    "hw_gpu_utilization_ratio >> 0.80", 1))
    bad = promtool(promtool_bin, "check", "rules", str(broken), cwd=tmp_path)
    assert bad.returncode != 0, "promtool accepted a PromQL syntax error"


def test_rule_unit_tests_pass(promtool_bin):
    ok = promtool(promtool_bin, "test", "rules", dh.ALERTS_TEST.name, cwd=dh.ALERTS_TEST.parent)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "SUCCESS" in ok.stdout


@pytest.mark.parametrize("change", [
    # A threshold moved: the 85% GPU in the tests stops firing the warning.
    ("hw_gpu_utilization_ratio > 0.80", "hw_gpu_utilization_ratio > 0.86"),
    # A label filter dropped: node-3's cached memory (99%) would fire.
    ('system_memory_utilization_ratio{state="used"} > 0.85', "system_memory_utilization_ratio > 0.85"),
    # The uptime guard dropped: gw-4 fires at 4 minutes.
    ('(otelcol_process_uptime_seconds_total{job="otlp-gateway"} > 300)', "vector(1)"),
    # A severity changed.
    ("severity: critical", "severity: page"),
])
def test_rule_unit_tests_catch_a_changed_rule(promtool_bin, tmp_path, change):
    old, new = change
    rules_dir = copy_rules_dir(tmp_path) / "prometheus"
    text = (rules_dir / "alerts.yml").read_text()
    assert old in text, f"the mutation no longer applies: {old!r}"
    (rules_dir / "alerts.yml").write_text(text.replace(old, new, 1))
    bad = promtool(promtool_bin, "test", "rules", "alerts.test.yml", cwd=rules_dir)
    assert bad.returncode != 0, f"promtool test rules still passes with {old!r} -> {new!r}"


def test_every_alert_is_complete_and_unit_tested():
    """Each alert: for, severity (warning or critical), summary and description; and alerts.test.yml
    has a case where it fires and one where it does not."""
    tests = dh.load_yaml(dh.ALERTS_TEST)["tests"]
    firing: set[str] = set()
    quiet: set[str] = set()
    for t in tests:
        for case in t.get("alert_rule_test", []):
            (firing if case.get("exp_alerts") else quiet).add(case["alertname"])
    problems = []
    names = []
    for rule in dh.alert_rules():
        name = rule["alert"]
        names.append(name)
        if not re.fullmatch(r"\d+[smh]", str(rule.get("for", ""))):
            problems.append(f"{name}: no for:")
        if rule.get("labels", {}).get("severity") not in ("warning", "critical"):
            problems.append(f"{name}: severity must be warning or critical")
        ann = rule.get("annotations", {})
        if not ann.get("summary") or not ann.get("description"):
            problems.append(f"{name}: summary and description required")
        if name not in firing:
            problems.append(f"{name}: no unit test where it fires")
        if name not in quiet:
            problems.append(f"{name}: no unit test where it does not fire")
    assert len(names) == len(set(names)), f"duplicate alert names: {names}"
    assert not problems, "\n".join(problems)


def test_reference_thresholds_are_the_seed_documents():
    """The inference alerts use the reference's thresholds (GPU 80/90%, memory 85/95%, p99 latency
    200/500 ms, error rate 5/10%)."""
    exprs = {r["alert"]: " ".join(r["expr"].split()) for r in dh.alert_rules()}
    expected = {
        "GPUUtilizationHigh": "> 0.80", "GPUUtilizationCritical": "> 0.90",
        "HostMemoryUsageHigh": "> 0.85", "HostMemoryUsageCritical": "> 0.95",
        "GPUMemoryUsageHigh": "> 0.85", "GPUMemoryUsageCritical": "> 0.95",
        "InferenceLatencyP99High": "> 200", "InferenceLatencyP99Critical": "> 500",
        "InferenceErrorRateHigh": "> 0.05", "InferenceErrorRateCritical": "> 0.10",
        "ServiceErrorRateHigh": "> 0.05", "ServiceErrorRateCritical": "> 0.10",
    }
    wrong = {name: exprs.get(name) for name, thr in expected.items()
             if name not in exprs or not exprs[name].endswith(thr)}
    assert not wrong, wrong
    assert "histogram_quantile(0.99," in exprs["InferenceLatencyP99High"]
