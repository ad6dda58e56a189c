"""make ee-context: the execution environment's build context, as ansible-builder writes it.

A base image cannot be pulled here, so the image is not built; what the build would do
is checked instead: the Containerfile ansible-builder generates from
execution-environment.yml, the requirements files it copies into the context, and the
dependency list its builder stage computes (ansible-builder introspect over the
collections the EE installs, run here against the installed copies of those
collections). The helm/skopeo build step (ee/install-tools.sh) runs for real into a
temporary directory, from a bundle archive and from a URL with its published checksum.

EE_CONTEXT=dir checks a context already created there (make ee-context does); without
it the context is created in a temporary directory.
"""
from __future__ import annotations

import functools
import hashlib
import http.server
import io
import os
import re
import subprocess
import sys
import tarfile
import threading
from importlib.metadata import version

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
SITE_COLLECTIONS = os.path.join(os.path.dirname(os.path.dirname(yaml.__file__)), "ansible_collections")


def read(*path):
    with open(os.path.join(*path)) as f:
        return f.read()


def requirements(text):
    """pip requirement lines (comments and -r includes left out)."""
    lines = (line.split("#")[0].strip() for line in text.splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    ctx = os.environ.get("EE_CONTEXT")
    if not ctx:
        ctx = str(tmp_path_factory.mktemp("ee"))
        subprocess.run([os.path.join(BIN, "ansible-builder"), "create", "-f", "execution-environment.yml",
                        "-c", ctx, "--output-filename", "Containerfile"], cwd=ROOT, check=True, capture_output=True)
    return ctx


@pytest.fixture(scope="module")
def containerfile(context):
    return read(context, "Containerfile")


def test_containerfile_installs_ansible_core_219_and_the_pinned_runner(containerfile):
    refs = re.search(r'^ARG ANSIBLE_INSTALL_REFS="(.*)"$', containerfile, re.M).group(1).split()
    reqs = {r.name: r for r in map(Requirement, refs)}
    assert set(reqs) == {"ansible-core", "ansible-runner"}
    assert version("ansible-core") in reqs["ansible-core"].specifier, "the tested ansible-core must be allowed"
    assert not reqs["ansible-core"].specifier.contains("2.20.0")
    runner_pin = next(r for r in requirements(read(ROOT, "requirements-test.txt")) if r.name == "ansible-runner")
    assert reqs["ansible-runner"].specifier == runner_pin.specifier
    assert 'ARG PYCMD="/usr/bin/python3.11"' in containerfile
    assert "RUN $PYCMD -m pip install --no-cache-dir $ANSIBLE_INSTALL_REFS" in containerfile


def test_galaxy_requirements_are_the_collection_dependencies(context, containerfile):
    galaxy = yaml.safe_load(read(ROOT, "galaxy.yml"))["dependencies"]
    wanted = yaml.safe_load(read(context, "_build", "requirements.yml"))["collections"]
    assert {c["name"]: c["version"] for c in wanted} == galaxy
    assert 'ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml' in containerfile


def test_python_and_system_requirements_are_the_collection_files(context):
    assert read(context, "_build", "requirements.txt") == read(ROOT, "meta", "ee-requirements.txt")
    assert read(context, "_build", "bindep.txt") == read(ROOT, "meta", "bindep.txt")
    # The versions the tests run with (requirements.txt) are allowed in the EE.
    pins = {r.name: r for r in requirements(read(ROOT, "requirements.txt"))}
    for req in requirements(read(ROOT, "meta", "ee-requirements.txt")):
        pinned = next(iter(pins[req.name].specifier)).version
        assert pinned in req.specifier, "%s: requirements.txt pins %s" % (req, pinned)


def test_dependency_list_of_the_builder_stage(context, tmp_path):
    """What the builder stage's introspect step computes, over the collections the EE installs."""
    collections = tmp_path / "ansible_collections"
    for name in yaml.safe_load(read(ROOT, "galaxy.yml"))["dependencies"]:
        namespace, coll = name.split(".")
        (collections / namespace).mkdir(parents=True, exist_ok=True)
        (collections / namespace / coll).symlink_to(os.path.join(SITE_COLLECTIONS, namespace, coll))
    build = os.path.join(context, "_build")
    subprocess.run([os.path.join(BIN, "ansible-builder"), "introspect", "--sanitize",
                    "--user-pip", os.path.join(build, "requirements.txt"), "--user-bindep", os.path.join(build, "bindep.txt"),
                    "--write-pip", str(tmp_path / "pip.txt"), "--write-bindep", str(tmp_path / "bindep.txt"), str(tmp_path)],
                   check=True, capture_output=True)
    python = {r.name.lower() for r in requirements((tmp_path / "pip.txt").read_text())}
    assert {"kubernetes", "netaddr", "jmespath"} <= python        # this collection
    assert {"jsonpatch", "requests-oauthlib"} <= python           # kubernetes.core
    system = (tmp_path / "bindep.txt").read_text()
    assert re.search(r"^openssh-clients \[platform:rpm\]", system, re.M)


def test_helm_and_skopeo_build_step(context, containerfile):
    helm = yaml.safe_load(read(ROOT, "roles", "common", "defaults", "main", "versions.yml"))["helm_version"]
    final = containerfile.split("FROM base AS final")[1]
    step = ["ARG HELM_URL=https://get.helm.sh/helm-v%s-linux-amd64.tar.gz" % helm, "ARG SKOPEO_URL=",
            "COPY _build/tools/ /tmp/aiinfra-tools/", "RUN sh /tmp/aiinfra-tools/install-tools.sh && rm -rf /tmp/aiinfra-tools"]
    assert "\n".join(step) in final
    # After the system packages (tar, gzip) and before /output is purged.
    assert final.index("install-from-bindep") < final.index(step[-1]) < final.index("RUN rm -rf /output")
    assert read(context, "_build", "tools", "install-tools.sh") == read(ROOT, "ee", "install-tools.sh")
    tag = yaml.safe_load(read(ROOT, "execution-environment.yml"))["options"]["tags"][0]
    assert tag.endswith(":" + yaml.safe_load(read(ROOT, "galaxy.yml"))["version"])


FAKE = "#!/bin/sh\necho %s\n"


def helm_archive(path):
    data = (FAKE % "v9.9.9").encode()
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("linux-amd64/helm")
        info.size, info.mode = len(data), 0o755
        tar.addfile(info, io.BytesIO(data))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def install_tools(tools, bindir, **env):
    script = tools / "install-tools.sh"
    if not script.exists():
        script.write_text(read(ROOT, "ee", "install-tools.sh"))
    return subprocess.run(["sh", str(script)], env=dict(os.environ, BINDIR=str(bindir), **env),
                          capture_output=True, text=True, check=False)


@pytest.fixture()
def upstream(tmp_path):
    """A loopback web server standing in for get.helm.sh and a skopeo mirror."""
    web = tmp_path / "web"
    web.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(web)))
    server.RequestHandlerClass.log_message = lambda *a: None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield web, "http://127.0.0.1:%d" % server.server_port
    server.shutdown()


def test_install_tools_from_bundle_files(tmp_path):
    tools, bindir = tmp_path / "tools", tmp_path / "bin"
    tools.mkdir()
    bindir.mkdir()
    helm_archive(tools / "helm-v9.9.9-linux-amd64.tar.gz")
    (tools / "skopeo").write_text(FAKE % "skopeo version 1.2.3")
    proc = install_tools(tools, bindir, HELM_URL="http://127.0.0.1:9/unused")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["v9.9.9", "skopeo", "version", "1.2.3"]
    assert os.access(bindir / "helm", os.X_OK) and os.access(bindir / "skopeo", os.X_OK)


def test_install_tools_from_urls_checks_the_published_sum(tmp_path, upstream):
    web, url = upstream
    tools, bindir = tmp_path / "tools", tmp_path / "bin"
    tools.mkdir()
    bindir.mkdir()
    digest = helm_archive(web / "helm.tar.gz")
    (web / "skopeo").write_text(FAKE % "skopeo version 1.2.3")
    (web / "helm.tar.gz.sha256sum").write_text("%s  helm.tar.gz\n" % digest)
    env = {"HELM_URL": url + "/helm.tar.gz", "SKOPEO_URL": url + "/skopeo"}
    proc = install_tools(tools, bindir, **env)
    assert proc.returncode == 0, proc.stderr
    assert (bindir / "helm").read_text() == FAKE % "v9.9.9"
    (web / "helm.tar.gz.sha256sum").write_text("%s  helm.tar.gz\n" % ("0" * 64))
    proc = install_tools(tools, bindir, **env)
    assert proc.returncode != 0
    assert "install-tools: %s/helm.tar.gz: sha256 %s, expected %s" % (url, digest, "0" * 64) in proc.stderr
    proc = install_tools(tools, bindir, HELM_URL=url + "/missing.tar.gz")
    assert proc.returncode != 0 and "cannot download %s/missing.tar.gz" % url in proc.stderr
