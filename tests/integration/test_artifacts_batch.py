"""The common role's `artifacts` entry point (several bundle files checked in one round trip).

Runs the real tasks against the controller itself (connection local) with an offline bundle
made here: two files recorded in manifest.json by the collection's own bundle_manifest
module. A first run copies both and stamps them; a re-run decides from the stamps and one
stat that nothing is missing and runs no copy at all (the no-op path of the nodes and
cluster phases); a file changed on the node (content, hence size or mtime) is brought back
from the bundle, the other one is left alone.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)

PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Bring the files
      ansible.builtin.include_role:
        name: aiinfra.k8s.common
        tasks_from: artifacts
      vars:
        common_artifacts:
          - {key: runc, dest: "%(dest)s/runc", mode: "0755"}
          - {key: cni_plugins, dest: "%(dest)s/cni.tgz"}
    - name: Report
      ansible.builtin.copy:
        content: >-
          {{ {'todo': _common_artifacts_todo | map(attribute='key') | list, 'result': common_artifacts_result,
              'sent': (_common_artifacts_copied.files | default([]) | map(attribute='dest') | list)
                      if _common_artifacts_copied is defined else []} | to_json }}
        dest: "%(report)s"
        mode: "0600"
"""


def env():
    return dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
                ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"), ANSIBLE_NOCOLOR="1",
                ANSIBLE_CACHE_PLUGIN="memory")


# (path in the bundle, catalogue key, version)
BUNDLE_FILES = [("bin/runc", "runc", "1.3.0"), ("archives/cni-plugins-linux-amd64-v1.7.1.tgz", "cni_plugins", "1.7.1")]


def write_manifest(bundle, files):
    """manifest.json over the bundle's files, by the collection's own bundle_manifest module."""
    entries = [dict(path=path, name=name, version=version, kind="artifact", checksum="computed", source="test")
               for path, name, version in files]
    proc = subprocess.run([os.path.join(BIN, "ansible"), "localhost", "-c", "local", "-m", "aiinfra.k8s.bundle_manifest",
                           "-a", json.dumps({"path": str(bundle), "arch": "amd64", "entries": entries})],
                          cwd=ROOT, env=env(), capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture()
def setup(tmp_path):
    bundle = tmp_path / "bundle"
    (bundle / "bin").mkdir(parents=True)
    (bundle / "archives").mkdir()
    (bundle / "bin" / "runc").write_bytes(b"\x7fELF runc stand-in\n" * 1000)
    (bundle / "archives" / "cni-plugins-linux-amd64-v1.7.1.tgz").write_bytes(b"cni archive\n" * 500)
    write_manifest(bundle, BUNDLE_FILES)
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAY % {"dest": tmp_path / "node", "report": tmp_path / "report.json"})
    extra = {"k8s_install_mode": "offline", "k8s_bundle_dir": str(bundle), "runc_version": "1.3.0",
             "cni_plugins_version": "1.7.1", "_common_artifacts_stamp": str(tmp_path / "node" / "stamps.json"),
             "ansible_python_interpreter": sys.executable}
    return tmp_path, playbook, extra


def run(playbook, extra):
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", str(playbook),
                           "-e", json.dumps(extra)], cwd=ROOT, env=env(), capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    report = json.loads((playbook.parent / "report.json").read_text())
    todo, result = ",".join(report["todo"]), report["result"]
    # the files bundle_copy sent to the node (one task for all of them)
    copies = len(report["sent"])
    # the report file itself is written on every run (changed when its content changes)
    changed = int(re.search(r"^localhost\s+: ok=\d+\s+changed=(\d+)", proc.stdout, re.M).group(1)) - \
        int("changed: [localhost]" in proc.stdout.split("TASK [Report]")[1])
    return todo, result, copies, changed


def test_copies_once_then_only_what_changed(setup):
    tmp, playbook, extra = setup
    node = tmp / "node"
    todo, result, copies, changed = run(playbook, extra)
    assert todo == "runc,cni_plugins" and copies == 2 and changed > 0
    assert result["runc"]["changed"] and result["cni_plugins"]["changed"]
    assert (node / "runc").read_bytes() == (tmp / "bundle" / "bin" / "runc").read_bytes()
    assert oct((node / "runc").stat().st_mode & 0o777) == "0o755"
    stamps = json.loads((node / "stamps.json").read_text())
    assert set(stamps) == {str(node / "runc"), str(node / "cni.tgz")}

    # unchanged node: decided from the stamps, nothing copied, nothing changed
    todo, result, copies, changed = run(playbook, extra)
    assert (todo, copies, changed) == ("", 0, 0)
    assert not result["runc"]["changed"] and result["runc"]["path"] == str(node / "runc")

    # a file changed on the node comes back from the bundle; the other is left alone
    (node / "runc").write_bytes(b"tampered")
    todo, result, copies, changed = run(playbook, extra)
    assert todo == "runc" and copies == 1 and result["runc"]["changed"] and not result["cni_plugins"]["changed"]
    assert (node / "runc").read_bytes() == (tmp / "bundle" / "bin" / "runc").read_bytes()
    assert run(playbook, extra)[2:] == (0, 0)


def run_failing(playbook, extra):
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", str(playbook),
                           "-e", json.dumps(extra)], cwd=ROOT, env=env(), capture_output=True, text=True, check=False)
    assert proc.returncode != 0, proc.stdout[-3000:]
    return re.sub(r"\s+", " ", proc.stdout)


def test_a_file_missing_from_the_bundle_stops_before_the_node_is_touched(setup):
    tmp, playbook, extra = setup
    (tmp / "bundle" / "bin" / "runc").unlink()
    out = run_failing(playbook, extra)
    assert "Offline install needs bin/runc (runc 1.3.0) but that file is missing in k8s_bundle_dir=" in out
    assert "Offline mode never downloads" in out
    # checked on the controller before any directory, copy or stamp
    assert not (tmp / "node").exists()


def test_a_bundle_of_another_version_stops_before_the_node_is_touched(setup):
    tmp, playbook, extra = setup
    # bin/runc carries no version in its name: the manifest's record says which it is
    out = run_failing(playbook, dict(extra, runc_version="1.4.0"))
    assert "has bin/runc at version 1.3.0, but this inventory asks for runc 1.4.0" in out
    assert "Rebuild the bundle with the same inventory" in out
    assert not (tmp / "node").exists()


def test_a_bundle_file_that_differs_from_its_manifest_record_is_not_placed(setup):
    """bundle_copy checks what reached the node against the manifest's sha256: nothing is
    placed or stamped when one file differs, and the node's temporary copies are gone."""
    tmp, playbook, extra = setup
    node = tmp / "node"
    node.mkdir()
    cni = tmp / "bundle" / "archives" / "cni-plugins-linux-amd64-v1.7.1.tgz"
    cni.write_bytes(b"cni archive, other bytes\n")
    out = run_failing(playbook, extra)
    assert re.search(r"Nothing was copied from the bundle: %s: the copy sent has sha256 [0-9a-f]{64}, the bundle's "
                     r"manifest records [0-9a-f]{64}" % re.escape(str(node / "cni.tgz")), out), out[-2000:]
    assert "playbooks/verify_bundle.yml" in out
    assert sorted(os.listdir(node)) == []  # runc (whose sum matches) was not placed either, no stamps


# The containerd role's own state probe reads the release files' stamps and stats in its one
# round trip and hands them to the artifacts entry point (common_artifacts_probe): the real
# state.yml and install_release.yml, the binaries' unpacking left out.
CONTAINERD_PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: The containerd role's state probe
      ansible.builtin.include_role:
        name: aiinfra.k8s.containerd
        tasks_from: state.yml
      vars:
        _containerd_state_artifacts: true
    - name: Its release files
      ansible.builtin.include_role:
        name: aiinfra.k8s.containerd
        tasks_from: install_release.yml
      vars:
        _containerd_unpack_needed: false
        _containerd_cni_unpack_needed: false
        _containerd_release_pending: []
    - name: Report
      ansible.builtin.copy:
        content: >-
          {{ {'todo': _common_artifacts_todo | map(attribute='key') | list,
              'own_probe': _common_artifacts_probe is not skipped,
              'sent': (_common_artifacts_copied.files | default([]) | map(attribute='dest') | list)
                      if _common_artifacts_copied is defined else []} | to_json }}
        dest: "%(report)s"
        mode: "0600"
"""


def test_the_containerd_probe_decides_for_the_artifacts_entry_point(setup):
    tmp, _playbook, extra = setup
    node = tmp / "node"
    (tmp / "bundle" / "archives" / "containerd-2.1.4-linux-amd64.tar.gz").write_bytes(b"containerd archive\n" * 700)
    write_manifest(tmp / "bundle", BUNDLE_FILES + [("archives/containerd-2.1.4-linux-amd64.tar.gz", "containerd", "2.1.4")])
    playbook = tmp / "containerd.yml"
    playbook.write_text(CONTAINERD_PLAY % {"report": tmp / "report.json"})
    extra = dict(extra, containerd_version="2.1.4", containerd_download_dir=str(node / "dl"),
                 containerd_runc_path=str(node / "runc"), containerd_crictl_install=False,
                 containerd_install_source="release")

    def once():
        proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", str(playbook),
                               "-e", json.dumps(extra)], cwd=ROOT, env=env(), capture_output=True, text=True,
                              check=False)
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
        return json.loads((tmp / "report.json").read_text())

    report = once()
    assert report["todo"] == ["containerd", "runc", "cni_plugins"] and len(report["sent"]) == 3
    assert not report["own_probe"]  # the entry point ran no probe of its own
    assert (node / "dl" / "containerd-2.1.4-linux-amd64.tar.gz").is_file()

    # an unchanged node: the containerd probe's stamps and stats say nothing is missing
    assert once() == {"todo": [], "own_probe": False, "sent": []}

    # a file changed on the node: only that one comes back
    (node / "runc").write_bytes(b"tampered")
    report = once()
    assert report["todo"] == ["runc"] and report["sent"] == [str(node / "runc")]
