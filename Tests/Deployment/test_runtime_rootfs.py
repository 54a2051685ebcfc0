"""docker/check-runtime-rootfs: the gateway binary in a debootstrapped Debian minbase root holding only
the runtime stage's packages (ldd, --version, validate of the image config, a health-checked start as
the image's uid and a clean SIGTERM).

The binary is $OTLP_GATEWAY_BIN. A release build (static Swift runtime, as the Dockerfile builds it) is
checked as it is. A debug build links the Swift runtime dynamically, which the image never contains: it
must FAIL the plain check (missing libswiftCore), and pass once the toolchain's runtime libraries are
added, which checks everything else. Needs root and Debian's mirror (debootstrap); the root is cached in
.build/runtime-rootfs, so only the first run downloads (about 40 s)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import deployhelpers as dh


def run_check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(dh.ROOTFS_CHECK), *args], capture_output=True, text=True, timeout=900,
                          stdin=subprocess.DEVNULL)


def swift_runtime_dir(binary: str) -> Path | None:
    """Where the binary's libswiftCore.so comes from, or None when the runtime is linked statically."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    m = re.search(r"libswiftCore\.so => (\S+)", out)
    return Path(m.group(1)).parent if m else None


@pytest.fixture(scope="module")
def can_chroot():
    if os.geteuid() != 0:
        pytest.fail("docker/check-runtime-rootfs needs root (debootstrap, chroot); CI runs as root", pytrace=False)
    if not shutil.which("debootstrap"):
        pytest.fail("install debootstrap (scripts/bootstrap --test does)", pytrace=False)


def test_binary_runs_in_the_runtime_root(gateway_bin, can_chroot):
    runtime = swift_runtime_dir(gateway_bin)
    if runtime is None:
        out = run_check(gateway_bin)
        assert out.returncode == 0, out.stdout + out.stderr
    else:
        # A debug build: without the Swift runtime the check must fail at the library step...
        bare = run_check(gateway_bin)
        assert bare.returncode == 1, bare.stdout + bare.stderr
        assert "libswiftCore.so => not found" in bare.stdout + bare.stderr, bare.stdout + bare.stderr
        # ...and with it everything else must pass.
        out = run_check("--swift-runtime", str(runtime), gateway_bin)
        assert out.returncode == 0, out.stdout + out.stderr
    text = out.stdout
    packages = dh.dockerfile_runtime_packages(dh.DOCKERFILE.read_text())
    assert f"packages: {' '.join(packages)}" in text
    for step in ("1. shared libraries", "2. otlp-gateway --version", "3. otlp-gateway validate",
                 "4. run as 10001:10001", "healthy on 127.0.0.1:", "exited 0 on SIGTERM", "PASSED"):
        assert step in text, f"missing {step!r} in:\n{text}"
    # Nothing of the run is left in the cached root.
    roots = list((dh.REPO / ".build" / "runtime-rootfs").glob("*-minbase-*"))
    for root in roots:
        assert not (root / "usr/local/bin/otlp-gateway").exists()
        assert not any((root / "proc").iterdir()), f"{root}/proc is still mounted"


def test_the_release_binary_runs_in_the_runtime_root(can_chroot):
    """The image's own binary (scripts/test builds it with --static-swift-stdlib into .build-static) must run
    with nothing but the runtime stage's packages: no Swift runtime option."""
    release = os.environ.get("OTLP_GATEWAY_RELEASE_BIN")
    if not release:
        if os.environ.get("SKIP_RELEASE_IMAGE_CHECK") == "1":
            pytest.skip("SKIP_RELEASE_IMAGE_CHECK=1: the static release build was not made")
        pytest.fail("OTLP_GATEWAY_RELEASE_BIN is not set: scripts/test builds it (swift build -c release "
                    "--static-swift-stdlib --scratch-path .build-static)", pytrace=False)
    assert swift_runtime_dir(release) is None, f"{release} links the Swift runtime dynamically"
    out = run_check(release)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "PASSED" in out.stdout and "exited 0 on SIGTERM" in out.stdout, out.stdout


def test_the_check_fails_for_a_binary_that_is_not_there(can_chroot, tmp_path):
    out = run_check(str(tmp_path / "missing"))
    assert out.returncode == 2 and "not an executable" in out.stderr
