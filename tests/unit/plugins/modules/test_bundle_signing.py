# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""bundle_manifest signs, bundle_verify checks the signature first and the pinned image
digests; on a real temporary bundle with real Ed25519 keys."""
from __future__ import annotations

import json
import os

from ansible_collections.aiinfra.k8s.plugins.modules import bundle_manifest, bundle_verify
from ansible_collections.aiinfra.k8s.tests.unit.plugins.module_utils.test_bundle_trust import write_key
from ansible_collections.aiinfra.k8s.tests.unit.plugins.modules.utils import run_module

DIGEST = "sha256:" + "e" * 64


def make_bundle(base):
    for rel, data in (("bin/runc", b"runc" * 100), ("images/docker.io_library_busybox_1.36.tar", b"tar" * 10)):
        os.makedirs(os.path.join(base, os.path.dirname(rel)), exist_ok=True)
        with open(os.path.join(base, rel), "wb") as handle:
            handle.write(data)
    return [{"path": "bin/runc", "name": "runc", "kind": "artifact", "version": "1.3.0", "source": "https://x/runc.amd64",
             "checksum": "published"},
            {"path": "images/docker.io_library_busybox_1.36.tar", "name": "docker.io/library/busybox:1.36", "kind": "image",
             "version": "1.36", "source": "docker://docker.io/library/busybox:1.36", "checksum": "pinned", "digest": DIGEST}]


def test_sign_then_verify_then_tamper(tmp_path):
    base = str(tmp_path / "bundle")
    private, public, kid = write_key(tmp_path, "k")
    entries = make_bundle(base)
    kind, result = run_module(bundle_manifest.main, {"path": base, "entries": entries, "arch": "amd64", "signing_key": private})
    assert kind == "exit" and result["changed"] and result["signature"] == {"status": "signed", "key_ids": [kid]}
    with open(os.path.join(base, "manifest.json")) as handle:
        assert json.load(handle)["files"]["images/docker.io_library_busybox_1.36.tar"]["digest"] == DIGEST
    # signing the same manifest again changes nothing (Ed25519 is deterministic)
    kind, result = run_module(bundle_manifest.main, {"path": base, "entries": entries, "arch": "amd64", "signing_key": private})
    assert kind == "exit" and result["changed"] is False

    kind, result = run_module(bundle_verify.main, {"path": base, "trusted_keys": [public]})
    assert kind == "exit" and result["signature"]["status"] == "verified" and result["problems"] == 0
    assert result["report"].startswith("Signature: manifest.json verified, signed by trusted key %s" % kid)
    assert "manifest.json.sig" not in result["unlisted"]

    # the pinned digest must be the one recorded
    expected = [{"path": entries[1]["path"], "name": entries[1]["name"], "version": "1.36", "digest": "sha256:" + "f" * 64}]
    kind, result = run_module(bundle_verify.main, {"path": base, "trusted_keys": [public], "expected": expected})
    assert kind == "fail" and result["digest"][0]["recorded"] == DIGEST
    assert "DIGEST     images/docker.io_library_busybox_1.36.tar" in result["msg"]

    # a manifest edited after signing fails before any file is hashed
    path = os.path.join(base, "manifest.json")
    with open(path) as handle:
        data = json.load(handle)
    data["files"]["bin/runc"]["sha256"] = "0" * 64
    with open(path, "w") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
    kind, result = run_module(bundle_verify.main, {"path": base, "trusted_keys": [public]})
    assert kind == "fail" and "does not match its signature by trusted key %s" % kid in result["msg"]
    # signature-only mode refuses it too
    kind, result = run_module(bundle_verify.main, {"path": base, "trusted_keys": [public], "check_files": False})
    assert kind == "fail" and "does not match its signature" in result["msg"]


def test_rewriting_without_a_key_drops_stale_signatures(tmp_path):
    base = str(tmp_path / "bundle")
    private, public, kid = write_key(tmp_path, "k")
    entries = make_bundle(base)
    run_module(bundle_manifest.main, {"path": base, "entries": entries, "arch": "amd64", "signing_key": private})
    sig = os.path.join(base, "manifest.json.sig")
    # unchanged manifest, no key: the signature stays valid and is kept
    kind, result = run_module(bundle_manifest.main, {"path": base, "entries": entries, "arch": "amd64"})
    assert kind == "exit" and result["changed"] is False and os.path.exists(sig)
    assert result["signature"]["key_ids"] == [kid]
    # a new file changes the manifest: the old signature would not match, so it goes
    os.makedirs(os.path.join(base, "packages", "debian12"))
    with open(os.path.join(base, "packages", "debian12", "x.deb"), "wb") as handle:
        handle.write(b"deb")
    kind, result = run_module(bundle_manifest.main, {"path": base, "entries": entries, "arch": "amd64"})
    assert kind == "exit" and result["changed"] and not os.path.exists(sig)
    assert result["signature"] == {"status": "unsigned", "key_ids": []}
    kind, result = run_module(bundle_verify.main, {"path": base, "trusted_keys": [public]})
    assert kind == "fail" and "manifest.json.sig is missing" in result["msg"]
    kind, result = run_module(bundle_verify.main, {"path": base})
    assert kind == "exit" and result["signature"]["status"] == "unsigned"


def test_unpinned_files_are_listed_not_failed(tmp_path):
    base = str(tmp_path / "bundle")
    entries = make_bundle(base)
    entries[1] = dict(entries[1], checksum="unpinned")
    run_module(bundle_manifest.main, {"path": base, "entries": entries, "arch": "amd64"})
    kind, result = run_module(bundle_verify.main, {"path": base})
    assert kind == "exit" and result["unpinned"] == [entries[1]["path"]]
    assert "unpinned   %s" % entries[1]["path"] in result["report"]


def test_a_bad_signing_key_fails_with_its_name(tmp_path):
    base = str(tmp_path / "bundle")
    entries = make_bundle(base)
    (tmp_path / "bad.pem").write_text("not a key")
    args = {"path": base, "entries": entries, "arch": "amd64", "signing_key": str(tmp_path / "bad.pem")}
    kind, result = run_module(bundle_manifest.main, args)
    assert kind == "fail" and "bad.pem is not an unencrypted PEM or OpenSSH private key" in result["msg"]
    assert not os.path.exists(os.path.join(base, "manifest.json"))
