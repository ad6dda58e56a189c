# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""bundle_verify and bundle_manifest main() on a real temporary bundle."""
from __future__ import annotations

import hashlib
import json
import os

from ansible_collections.aiinfra.k8s.plugins.modules import bundle_manifest, bundle_verify
from ansible_collections.aiinfra.k8s.tests.unit.plugins.modules.utils import run_module


def make_bundle(base):
    os.makedirs(os.path.join(base, "bin"))
    with open(os.path.join(base, "bin", "runc"), "wb") as handle:
        handle.write(b"runc" * 100)
    entries = [{"path": "bin/runc", "name": "runc", "kind": "artifact", "version": "1.3.0",
                "source": "https://github.com/opencontainers/runc/releases/download/v1.3.0/runc.amd64", "checksum": "published"}]
    return entries


def test_manifest_then_verify(tmp_path):
    base = str(tmp_path)
    entries = make_bundle(base)
    kind, result = run_module(bundle_manifest.main, {"path": base, "entries": entries, "arch": "amd64"})
    assert kind == "exit" and result["changed"] is True and result["files"] == 1
    with open(os.path.join(base, "manifest.json")) as handle:
        recorded = json.load(handle)["files"]["bin/runc"]
    assert recorded["sha256"] == hashlib.sha256(b"runc" * 100).hexdigest() and recorded["version"] == "1.3.0"
    kind, result = run_module(bundle_manifest.main, {"path": base, "entries": entries, "arch": "amd64"})
    assert kind == "exit" and result["changed"] is False  # nothing new: no rewrite

    kind, result = run_module(bundle_verify.main, {"path": base})
    assert kind == "exit" and result["ok"] == ["bin/runc"] and result["problems"] == 0 and result["changed"] is False

    with open(os.path.join(base, "bin", "runc"), "ab") as handle:
        handle.write(b"!")
    kind, result = run_module(bundle_verify.main, {"path": base})
    assert kind == "fail" and "CORRUPT    bin/runc" in result["msg"] and result["problems"] == 1
    kind, result = run_module(bundle_verify.main, {"path": base, "fail_on_problems": False})
    assert kind == "exit" and result["corrupt"][0]["path"] == "bin/runc"


def test_check_mode_writes_nothing(tmp_path):
    base = str(tmp_path)
    entries = make_bundle(base)
    kind, result = run_module(bundle_manifest.main, {"path": base, "entries": entries, "arch": "amd64"}, check_mode=True)
    assert kind == "exit" and result["changed"] is True
    assert not os.path.exists(os.path.join(base, "manifest.json"))


def test_verify_explains_a_missing_bundle_or_manifest(tmp_path):
    kind, result = run_module(bundle_verify.main, {"path": str(tmp_path / "nope")})
    assert kind == "fail" and "does not exist" in result["msg"] and "playbooks/bundle.yml" in result["msg"]
    kind, result = run_module(bundle_verify.main, {"path": str(tmp_path)})
    assert kind == "fail" and "no manifest.json" in result["msg"]
    kind, result = run_module(bundle_verify.main, {"path": str(tmp_path), "require_manifest": False, "fail_on_problems": False,
                                                   "expected": [{"path": "bin/runc", "version": "1.3.0"}]})
    assert kind == "exit" and result["manifest_found"] is False and result["unrecorded"][0]["path"] == "bin/runc"


def test_manifest_refuses_missing_files(tmp_path):
    kind, result = run_module(bundle_manifest.main, {"path": str(tmp_path), "arch": "amd64",
                                                     "entries": [{"path": "bin/kubeadm", "name": "kubeadm"}]})
    assert kind == "fail" and "bin/kubeadm" in result["msg"]


def test_hash_cache_option(tmp_path, monkeypatch):
    """With hash_cache, a second check reads no unchanged file; a change is still found."""
    from ansible_collections.aiinfra.k8s.plugins.module_utils import _bundle

    # the files were written just now: let them count as settled
    monkeypatch.setattr(_bundle.HashCache, "RACY_SECONDS", -60.0)
    base = str(tmp_path / "bundle")
    os.makedirs(base)
    entries = make_bundle(base)
    run_module(bundle_manifest.main, {"path": base, "entries": entries, "arch": "amd64"})
    cache = str(tmp_path / "hashes.json")
    kind, result = run_module(bundle_verify.main, {"path": base, "hash_cache": cache})
    assert kind == "exit" and (result["hashed"], result["reused"]) == (1, 0) and "hash cache" not in result["report"]
    kind, result = run_module(bundle_verify.main, {"path": base, "hash_cache": cache})
    assert kind == "exit" and (result["hashed"], result["reused"]) == (0, 1) and result["ok"] == ["bin/runc"]
    assert "(1 file unchanged since hashed by an earlier check: sums from the hash cache; 0 hashed now)" in result["report"]
    with open(os.path.join(base, "bin", "runc"), "r+b") as handle:
        handle.write(b"R")
    kind, result = run_module(bundle_verify.main, {"path": base, "hash_cache": cache})
    assert kind == "fail" and "CORRUPT    bin/runc" in result["msg"] and result["hashed"] == 1
    kind, result = run_module(bundle_verify.main, {"path": base})
    assert kind == "fail" and (result["hashed"], result["reused"]) == (1, 0)
