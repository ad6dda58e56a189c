"""The online path of the shared artifact task (roles/common/tasks/artifact.yml), run for
real on the controller against a loopback "upstream" shaped like dl.k8s.io
(<k8s_release_url>/v<version>/bin/linux/amd64/kubectl and kubectl.sha256):

- a first run downloads the file, checked against the published sum (changed);
- a second run changes nothing;
- a file that does not match its published sum is refused;
- an unreachable source fails with a message that names the file, the URL and what to do
  (a mirror prefix or the offline bundle), not a bare urlopen error;
- an entry without a checksum (no published sum, no pin) is refused before any download,
  unless k8s_allow_unpinned.
"""
from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOK = os.path.join(ROOT, "tests", "integration", "playbooks", "artifact_online.yml")
VERSION = "1.34.3"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def upstream(tmp_path_factory):
    root = tmp_path_factory.mktemp("upstream")
    rel = root / ("v%s" % VERSION) / "bin" / "linux" / "amd64"
    rel.mkdir(parents=True)
    # a real binary stands in for kubectl (its content does not matter, its sum does)
    shutil.copyfile(shutil.which("true") or "/bin/true", rel / "kubectl")
    digest = hashlib.sha256((rel / "kubectl").read_bytes()).hexdigest()
    (rel / "kubectl.sha256").write_text(digest + "\n")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": "http://127.0.0.1:%d" % server.server_address[1], "dir": rel, "sha256": digest}
    server.shutdown()


def _run(tmp_path, release_url, name, **more):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"), ANSIBLE_NOCOLOR="1")
    out = tmp_path / ("%s.json" % name)
    extra = {"k8s_release_url": release_url, "k8s_version": VERSION, "ansible_python_interpreter": sys.executable,
             "dest": str(tmp_path / "node" / "kubectl"), "out": str(out)}
    extra.update(more)
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
                           PLAYBOOK, "-e", json.dumps(extra)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False)
    report = json.loads(out.read_text()) if out.exists() else None
    return proc, report


def test_download_then_nothing_to_do(upstream, tmp_path):
    proc, report = _run(tmp_path, upstream["url"], "first")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert report["changed"] is True
    assert report["source"] == "%s/v%s/bin/linux/amd64/kubectl" % (upstream["url"], VERSION)
    got = tmp_path / "node" / "kubectl"
    assert hashlib.sha256(got.read_bytes()).hexdigest() == upstream["sha256"]
    assert oct(got.stat().st_mode & 0o777) == "0o755"  # bin/ files are executable

    proc, report = _run(tmp_path, upstream["url"], "second")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert report["changed"] is False


def test_a_file_that_does_not_match_its_published_sum_is_refused(upstream, tmp_path):
    good = (upstream["dir"] / "kubectl.sha256").read_text()
    (upstream["dir"] / "kubectl.sha256").write_text("0" * 64 + "\n")
    try:
        proc, report = _run(tmp_path, upstream["url"], "corrupt")
    finally:
        (upstream["dir"] / "kubectl.sha256").write_text(good)
    assert proc.returncode != 0
    assert report is None
    assert "Could not download kubectl %s on localhost" % VERSION in proc.stdout
    assert "checksum" in proc.stdout.lower()
    assert not (tmp_path / "node" / "kubectl").exists()


def test_an_unreachable_source_says_what_to_do(tmp_path):
    with socket.socket() as sock:  # a loopback port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc, report = _run(tmp_path, "http://127.0.0.1:%d" % port, "unreachable")
    assert proc.returncode != 0
    assert report is None
    text = " ".join(proc.stdout.split())
    assert ("Could not download kubectl %s on localhost from http://127.0.0.1:%d/v%s/bin/linux/amd64/kubectl"
            % (VERSION, port, VERSION)) in text
    assert "If this node cannot reach 127.0.0.1, point the download prefix (k8s_release_url" in text
    assert "k8s_install_mode: offline" in text


def test_an_entry_without_a_sum_is_refused_unless_allowed(upstream, tmp_path):
    unpinned = {"kubectl": {"version": VERSION, "url": "%s/v%s/bin/linux/amd64/kubectl" % (upstream["url"], VERSION),
                            "checksum": "", "path": "bin/kubectl"}}
    proc, report = _run(tmp_path, upstream["url"], "unpinned", k8s_artifacts_extra=unpinned)
    assert proc.returncode != 0 and report is None
    text = " ".join(proc.stdout.split())
    assert "kubectl %s has no checksum" % VERSION in text and "k8s_allow_unpinned: true" in text and "make pin" in text
    assert not (tmp_path / "node" / "kubectl").exists()
    proc, report = _run(tmp_path, upstream["url"], "allowed", k8s_artifacts_extra=unpinned, k8s_allow_unpinned=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert hashlib.sha256((tmp_path / "node" / "kubectl").read_bytes()).hexdigest() == upstream["sha256"]
