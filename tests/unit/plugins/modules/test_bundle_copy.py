# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""bundle_copy's module side on real files: the copies the action plugin sent (here: files in a
staging directory) are checked against the manifest's sha256 and moved into place, with mode,
missing parents and stamps; nothing is placed when one differs; a destination that holds the
content keeps its inode; check mode reads only the destinations."""
from __future__ import annotations

import hashlib
import json
import os

from ansible_collections.aiinfra.k8s.plugins.modules import bundle_copy
from ansible_collections.aiinfra.k8s.tests.unit.plugins.modules.utils import run_module

KUBEADM = b"\x7fELF kubeadm stand-in\n" * 4000
RUNC = b"\x7fELF runc stand-in\n" * 900


def sha(data):
    return hashlib.sha256(data).hexdigest()


def staged(tmp_path, name, data):
    """A copy as the action plugin leaves it in the node's temporary directory."""
    stage = tmp_path / "stage"
    stage.mkdir(exist_ok=True)
    path = stage / name
    path.write_bytes(data)
    os.chmod(path, 0o600)
    return path


def request(tmp_path, node, kubeadm=KUBEADM, runc=RUNC):
    return [
        {"src": str(staged(tmp_path, "kubeadm", kubeadm)), "dest": str(node / "usr" / "bin" / "kubeadm"),
         "sha256": sha(KUBEADM), "mode": "0755"},
        {"src": str(staged(tmp_path, "runc", runc)), "dest": str(node / "sbin" / "runc"), "sha256": sha(RUNC),
         "mode": "0700"},
    ]


def test_places_every_file_with_its_mode_and_stamps_it(tmp_path):
    node, stamps = tmp_path / "node", tmp_path / "node" / "var" / "artifacts.json"
    kind, result = run_module(bundle_copy.main, {"files": request(tmp_path, node), "stamps": str(stamps)})
    assert kind == "exit" and result["changed"] is True
    assert [f["changed"] for f in result["files"]] == [True, True]
    kubeadm = node / "usr" / "bin" / "kubeadm"
    assert kubeadm.read_bytes() == KUBEADM and oct(kubeadm.stat().st_mode & 0o777) == "0o755"
    assert oct((node / "sbin" / "runc").stat().st_mode & 0o777) == "0o700"
    assert oct((node / "usr" / "bin").stat().st_mode & 0o777) == "0o755"  # missing parents: 0755
    assert os.listdir(tmp_path / "stage") == []  # moved, not copied
    recorded = json.loads(stamps.read_text())
    assert recorded[str(kubeadm)] == {"sha256": sha(KUBEADM), "size": len(KUBEADM), "mtime": int(kubeadm.stat().st_mtime)}
    assert recorded[str(node / "sbin" / "runc")]["sha256"] == sha(RUNC)


def test_a_destination_that_holds_the_content_is_left_in_place(tmp_path):
    node, stamps = tmp_path / "node", tmp_path / "artifacts.json"
    run_module(bundle_copy.main, {"files": request(tmp_path, node), "stamps": str(stamps)})
    inode = (node / "usr" / "bin" / "kubeadm").stat().st_ino
    kind, result = run_module(bundle_copy.main, {"files": request(tmp_path, node), "stamps": str(stamps)})
    assert kind == "exit" and result["changed"] is False
    assert (node / "usr" / "bin" / "kubeadm").stat().st_ino == inode
    assert os.listdir(tmp_path / "stage") == []  # the unneeded copies are removed too

    # only the mode differs: set, content untouched
    os.chmod(node / "sbin" / "runc", 0o755)
    kind, result = run_module(bundle_copy.main, {"files": request(tmp_path, node), "stamps": str(stamps)})
    assert [f["changed"] for f in result["files"]] == [False, True]
    assert oct((node / "sbin" / "runc").stat().st_mode & 0o777) == "0o700"

    # content changed on the node (same size): replaced by the bundle's
    (node / "sbin" / "runc").write_bytes(b"X" * len(RUNC))
    kind, result = run_module(bundle_copy.main, {"files": request(tmp_path, node), "stamps": str(stamps)})
    assert [f["changed"] for f in result["files"]] == [False, True]
    assert (node / "sbin" / "runc").read_bytes() == RUNC


def test_nothing_is_placed_when_one_copy_differs_from_the_manifest(tmp_path):
    node, stamps = tmp_path / "node", tmp_path / "artifacts.json"
    files = request(tmp_path, node, runc=b"corrupted in transit or in the bundle")
    kind, result = run_module(bundle_copy.main, {"files": files, "stamps": str(stamps)})
    assert kind == "fail"
    assert result["msg"].startswith("Nothing was copied from the bundle: %s: the copy sent has sha256 %s, the "
                                    "bundle's manifest records %s." % (files[1]["dest"], sha(b"corrupted in transit "
                                                                       b"or in the bundle"), sha(RUNC)))
    assert "playbooks/verify_bundle.yml" in result["msg"]
    assert not node.exists() and not stamps.exists()  # kubeadm (whose sum matches) was not placed either
    assert os.listdir(tmp_path / "stage") == []  # no copies left behind


def test_check_mode_reads_the_destinations_only(tmp_path):
    node, stamps = tmp_path / "node", tmp_path / "artifacts.json"
    files = [{k: v for k, v in f.items() if k != "src"} for f in request(tmp_path, node)]
    kind, result = run_module(bundle_copy.main, {"files": files, "stamps": str(stamps)}, check_mode=True)
    assert kind == "exit" and result["changed"] is True and not node.exists() and not stamps.exists()

    run_module(bundle_copy.main, {"files": request(tmp_path, node), "stamps": str(stamps)})
    kind, result = run_module(bundle_copy.main, {"files": files, "stamps": str(stamps)}, check_mode=True)
    assert kind == "exit" and result["changed"] is False
    (node / "usr" / "bin" / "kubeadm").write_bytes(b"other")
    before = stamps.read_text()
    kind, result = run_module(bundle_copy.main, {"files": files, "stamps": str(stamps)}, check_mode=True)
    assert [f["changed"] for f in result["files"]] == [True, False]
    assert (node / "usr" / "bin" / "kubeadm").read_bytes() == b"other" and stamps.read_text() == before


def test_a_bad_request_is_refused_before_anything_moves(tmp_path):
    node = tmp_path / "node"
    files = request(tmp_path, node)
    bad = [dict(files[0], dest="usr/bin/kubeadm"), dict(files[1], sha256="ABC"), dict(files[1])]
    kind, result = run_module(bundle_copy.main, {"files": bad})
    assert kind == "fail"
    assert "usr/bin/kubeadm: not an absolute path on the node" in result["msg"]
    assert "sha256 'ABC' is not 64 lowercase hexadecimal digits" in result["msg"]
    assert "%s: given twice" % files[1]["dest"] in result["msg"]
    assert not node.exists()

    kind, result = run_module(bundle_copy.main, {"files": [{"dest": files[0]["dest"], "sha256": sha(KUBEADM)}]})
    assert kind == "fail" and "no src (the action plugin sends it" in result["msg"]
