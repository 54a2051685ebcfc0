"""docker/Dockerfile without a Docker engine: its stages and instructions, and its package lists checked
against Debian's own data (dpkg) and the gateway binary's dynamic dependencies (readelf), so the runtime
stage installs what the binary links and the build stage what Package.swift's system libraries need.
docker/check-runtime-rootfs runs a release binary in a root holding only those packages."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

import deployhelpers as dh

# What debian:bookworm-slim has without installing anything (Essential and required packages) and
# the binary may link: glibc, libstdc++, libgcc.
BASE_IMAGE_LIBRARIES = {"libc6", "libstdc++6", "libgcc-s1"}
# Linked statically by `swift build --static-swift-stdlib` (dynamic only in debug builds).
SWIFT_RUNTIME = re.compile(r"^(libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime)")


@pytest.fixture(scope="module")
def stages():
    return dh.dockerfile_stages(dh.DOCKERFILE.read_text())


def instructions(stage, keyword):
    return [args for kw, args in stage["instructions"] if kw == keyword]


def test_two_stages_on_pinned_images(stages):
    assert [(s["image"], s["name"]) for s in stages] == [("swift:6.3-bookworm", "build"),
                                                          ("debian:bookworm-slim", "runtime")]


def test_build_stage(stages):
    build = stages[0]
    runs = instructions(build, "RUN")
    copies = instructions(build, "COPY")
    # Dependencies are resolved from the manifest alone, in a layer before the sources arrive.
    resolve = next(i for i, (kw, a) in enumerate(build["instructions"]) if kw == "RUN" and "swift package resolve" in a)
    first_source = next(i for i, (kw, a) in enumerate(build["instructions"]) if kw == "COPY" and "Sources" in a)
    manifest = next(i for i, (kw, a) in enumerate(build["instructions"]) if kw == "COPY" and "Package." in a)
    assert manifest < resolve < first_source
    assert any("swift build -c release --static-swift-stdlib --product otlp-gateway" in r for r in runs), runs
    assert any(c.split()[0] == "Tests" for c in copies), "the manifest's test targets need Tests/"

    # Every system library Package.swift declares is installed, and nothing more.
    wanted = _system_library_packages()
    installed = set()
    for r in runs:
        if "apt-get install" in r:
            installed |= {w for w in shlex.split(r.split("apt-get install", 1)[1].split("&&")[0]) if not w.startswith("-")}
    assert wanted and wanted <= installed, wanted - installed
    assert installed - wanted <= {"pkg-config"}, installed - wanted


def _system_library_packages() -> set[str]:
    """The Debian -dev packages of Package.swift's system-library targets (`providers: [.apt([...])]`)."""
    wanted = set()
    for apt in re.findall(r"\.apt\(\[([^\]]*)\]\)", (dh.REPO / "Package.swift").read_text()):
        wanted |= set(re.findall(r'"([^"]+)"', apt))
    assert wanted, "no .apt([...]) providers found in Package.swift"
    return wanted


def _dpkg_depends(package: str) -> set[str]:
    out = subprocess.run(["dpkg-query", "-W", "-f=${Depends}", package], capture_output=True, text=True)
    if out.returncode != 0:
        pytest.fail(f"{package} is not installed here (scripts/bootstrap installs it): {out.stderr}")
    return {alt.split()[0].split(":")[0] for dep in out.stdout.split(",") for alt in dep.split("|")}


def test_runtime_packages_are_the_dev_packages_runtime_libraries(stages):
    """Each -dev package of the build stage depends (in Debian) on the shared-library package the
    runtime stage installs; the runtime stage installs nothing else but CA certificates."""
    runtime = set(dh.dockerfile_runtime_packages(dh.DOCKERFILE.read_text()))
    dev = _system_library_packages()
    libs = {}
    for d in dev:
        deps = {p for p in _dpkg_depends(d) if re.match(r"^(lib|zlib)", p) and not p.endswith("-dev") and p != "libc6"}
        assert len(deps) == 1, (d, deps)
        libs[d] = deps.pop()
    assert runtime == set(libs.values()) | {"ca-certificates"}, (runtime, libs)
    install = [r for r in instructions(stages[1], "RUN") if "apt-get install" in r]
    assert len(install) == 1 and "${RUNTIME_PACKAGES}" in install[0] and "--no-install-recommends" in install[0]


def _package_of_library(soname: str) -> str:
    """The Debian package holding a shared library, found through the loader cache and dpkg."""
    paths = []
    for line in subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout.splitlines():
        name, _, path = line.strip().partition(" => ")
        if name.split(" ")[0] == soname:
            paths.append(path)
    for path in paths:
        # Merged /usr: dpkg may have registered either spelling.
        for candidate in (path, str(Path(path).resolve()), path.replace("/usr/lib/", "/lib/", 1),
                          path.replace("/lib/", "/usr/lib/", 1)):
            out = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
            if out.returncode == 0:
                return out.stdout.split(":")[0]
    raise AssertionError(f"no Debian package provides {soname} here (loader cache: {paths})")


def test_runtime_stage_has_every_library_the_binary_links(gateway_bin):
    """readelf's NEEDED entries of the built binary (Swift's runtime aside: the release build links it
    statically) map, through dpkg, to the runtime packages or to the base image's libraries."""
    dynamic = subprocess.run(["readelf", "-d", gateway_bin], capture_output=True, text=True, check=True).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic)
    assert needed, dynamic[:500]
    runtime = set(dh.dockerfile_runtime_packages(dh.DOCKERFILE.read_text())) | BASE_IMAGE_LIBRARIES
    missing = {}
    for soname in needed:
        if SWIFT_RUNTIME.match(soname) or soname.startswith("ld-linux"):
            continue
        package = _package_of_library(soname)
        if package not in runtime:
            missing[soname] = package
    assert not missing, f"libraries the runtime stage lacks: {missing}"


def test_runtime_stage(stages):
    runtime = stages[1]
    copies = instructions(runtime, "COPY")
    for c in copies:
        parts = c.split()
        if parts[0].startswith("--from="):
            continue
        src, dest = parts[0], parts[-1]
        assert (dh.REPO / src).exists(), f"COPY {src}: no such file in the repository"
    dests = {c.split()[0]: c.split()[-1] for c in copies if not c.startswith("--from=")}
    assert dests["docker/collector.image.yaml"] == "/etc/otlp-gateway/collector.yaml"
    assert dests["docker/healthcheck"] == "/usr/local/bin/otlp-gateway-healthcheck"

    user = instructions(runtime, "USER")
    assert user and re.fullmatch(r"[1-9]\d*:[1-9]\d*", user[-1]), f"USER must be a numeric non-root uid:gid: {user}"
    assert instructions(runtime, "EXPOSE") == ["4317 4318 8888 9464 13133 55679"]
    health = instructions(runtime, "HEALTHCHECK")
    assert len(health) == 1 and 'CMD ["/usr/local/bin/otlp-gateway-healthcheck"]' in health[0]
    assert instructions(runtime, "ENTRYPOINT") == ['["/usr/local/bin/otlp-gateway"]']
    assert instructions(runtime, "CMD") == ['["run", "--config", "/etc/otlp-gateway/collector.yaml"]']


def test_dockerignore_keeps_build_products_out_and_sources_in():
    patterns = [line.strip() for line in (dh.REPO / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    for required in (".build", ".venv", ".git"):
        assert required in patterns, f".dockerignore must exclude {required}"
    for needed in ("Sources", "Tests", "Package.swift", "docker", "collector.yaml"):
        assert not any(p.strip("/") in (needed, needed.split("/")[0]) for p in patterns), needed
    # Parts of Tests/ may be left out only when they hold no Swift (no SwiftPM target lives there).
    for p in patterns:
        if p.startswith("Tests/"):
            assert not list((dh.REPO / p).rglob("*.swift")), f".dockerignore drops {p}, which has Swift sources"
