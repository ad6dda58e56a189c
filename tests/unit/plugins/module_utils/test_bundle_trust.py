# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_bundle_trust: Ed25519 keys, signing and checking manifest.json (every tampering case),
and the pin lookups, on real keys and files."""
from __future__ import annotations

import hashlib
import json
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key

from ansible_collections.aiinfra.k8s.plugins.module_utils import _bundle_trust as trust

MANIFEST = b'{"arch": "amd64", "files": {}, "format": 1}\n'


def write_key(tmp_path, name, ssh=False):
    key = Ed25519PrivateKey.generate()
    private = tmp_path / (name + ".pem")
    fmt = serialization.PrivateFormat.OpenSSH if ssh else serialization.PrivateFormat.PKCS8
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()))
    public = tmp_path / (name + ".pub")
    if ssh:
        public.write_bytes(key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH))
    else:
        public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return str(private), str(public), hashlib.sha256(raw).hexdigest()[:16]


def signed_bundle(tmp_path, private, data=MANIFEST):
    bundle = tmp_path / "bundle"
    bundle.mkdir(exist_ok=True)
    (bundle / "manifest.json").write_bytes(data)
    sigs = trust.sign(data, trust.load_private_key(private))
    (bundle / trust.SIGNATURE).write_text(trust.dump_signatures(sigs))
    return str(bundle)


@pytest.mark.parametrize("ssh", [False, True], ids=["pem", "openssh"])
def test_sign_and_verify(tmp_path, ssh):
    private, public, kid = write_key(tmp_path, "k", ssh=ssh)
    bundle = signed_bundle(tmp_path, private)
    result = trust.check_signature(bundle, MANIFEST, [public])
    assert result["status"] == "verified" and result["trusted"] == [kid]
    assert result["line"] == "Signature: manifest.json verified, signed by trusted key %s" % kid
    # the key given inline works the same as its file
    with open(public) as handle:
        assert trust.check_signature(bundle, MANIFEST, [handle.read()])["status"] == "verified"


def test_signing_is_deterministic(tmp_path):
    private, dummy, dummy_id = write_key(tmp_path, "k")
    key = trust.load_private_key(private)
    assert trust.dump_signatures(trust.sign(MANIFEST, key)) == trust.dump_signatures(trust.sign(MANIFEST, key))


def test_tampered_manifest_is_refused(tmp_path):
    private, public, kid = write_key(tmp_path, "k")
    bundle = signed_bundle(tmp_path, private)
    with pytest.raises(trust.TrustError) as err:
        trust.check_signature(bundle, MANIFEST.replace(b"amd64", b"arm64"), [public])
    assert "manifest.json does not match its signature by trusted key %s" % kid in str(err.value)
    assert "changed after it was signed" in str(err.value)


def test_missing_signature_is_refused_only_with_trusted_keys(tmp_path):
    dummy, public, kid = write_key(tmp_path, "k")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    with pytest.raises(trust.TrustError) as err:
        trust.check_signature(str(bundle), MANIFEST, [public])
    assert "%s is missing" % os.path.join(str(bundle), trust.SIGNATURE) in str(err.value) and kid in str(err.value)
    result = trust.check_signature(str(bundle), MANIFEST, [])
    assert result["status"] == "unsigned" and "UNSIGNED" in result["line"]


def test_unknown_signer_is_refused(tmp_path):
    private, dummy, signer = write_key(tmp_path, "signer")
    dummy, other_public, other = write_key(tmp_path, "other")
    bundle = signed_bundle(tmp_path, private)
    with pytest.raises(trust.TrustError) as err:
        trust.check_signature(bundle, MANIFEST, [other_public])
    assert "is signed by key %s, which is not in k8s_bundle_trusted_keys (%s)" % (signer, other) in str(err.value)
    # no keys configured: accepted, but said to be unchecked
    result = trust.check_signature(bundle, MANIFEST, [])
    assert result["status"] == "unchecked" and "NOT CHECKED" in result["line"] and signer in result["line"]


def test_signature_of_another_key_with_a_trusted_key_id_is_refused(tmp_path):
    """A forged entry that claims a trusted key's id does not verify with that key."""
    private, public, kid = write_key(tmp_path, "trusted")
    forger, dummy, dummy_id = write_key(tmp_path, "forger")
    bundle = signed_bundle(tmp_path, forger)
    doc = json.loads((tmp_path / "bundle" / trust.SIGNATURE).read_text())
    doc["signatures"][0]["key_id"] = kid
    (tmp_path / "bundle" / trust.SIGNATURE).write_text(json.dumps(doc))
    with pytest.raises(trust.TrustError) as err:
        trust.check_signature(bundle, MANIFEST, [public])
    assert "does not match its signature" in str(err.value)


def test_rotation_keeps_the_other_signature_while_the_manifest_is_unchanged(tmp_path):
    old, old_public, old_id = write_key(tmp_path, "old")
    new, new_public, new_id = write_key(tmp_path, "new")
    first = trust.sign(MANIFEST, trust.load_private_key(old))
    both = trust.sign(MANIFEST, trust.load_private_key(new), {"signatures": first}, MANIFEST)
    assert sorted(s["key_id"] for s in both) == sorted([old_id, new_id])
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / trust.SIGNATURE).write_text(trust.dump_signatures(both))
    for keys in ([old_public], [new_public], [old_public, new_public]):
        assert trust.check_signature(str(bundle), MANIFEST, keys)["status"] == "verified"
    # a changed manifest drops every earlier signature
    changed = MANIFEST.replace(b"{}", b'{"a": {}}')
    assert [s["key_id"] for s in trust.sign(changed, trust.load_private_key(new), {"signatures": both}, MANIFEST)] == [new_id]
    assert trust.kept_signatures({"signatures": both}, changed, MANIFEST) == []
    assert trust.kept_signatures({"signatures": both}, changed) == []  # they do not verify either


@pytest.mark.parametrize("content,message", [
    ("not json", "not readable as a signature file"),
    ('{"algorithm": "rsa", "signatures": []}', "not an aiinfra.k8s bundle signature file"),
    ('{"algorithm": "ed25519", "signatures": [{"key_id": "x"}]}', "not an aiinfra.k8s bundle signature file"),
])
def test_malformed_signature_file(tmp_path, content, message):
    dummy, public, dummy_id = write_key(tmp_path, "k")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / trust.SIGNATURE).write_text(content)
    with pytest.raises(trust.TrustError) as err:
        trust.check_signature(str(bundle), MANIFEST, [public])
    assert message in str(err.value)


def test_key_errors_name_the_key(tmp_path):
    with pytest.raises(trust.TrustError) as err:
        trust.load_trusted_keys([str(tmp_path / "nope.pub")])
    assert "nope.pub: cannot read it" in str(err.value)
    (tmp_path / "junk.pub").write_text("hello")
    with pytest.raises(trust.TrustError) as err:
        trust.load_trusted_keys([str(tmp_path / "junk.pub")])
    assert "junk.pub is not a PEM or OpenSSH public key" in str(err.value)
    rsa = generate_private_key(public_exponent=65537, key_size=2048)
    (tmp_path / "rsa.pem").write_bytes(rsa.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    (tmp_path / "rsa.pub").write_bytes(rsa.public_key().public_bytes(serialization.Encoding.PEM,
                                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    with pytest.raises(trust.TrustError) as err:
        trust.load_private_key(str(tmp_path / "rsa.pem"))
    assert "is a RSA key; bundle signatures use Ed25519" in str(err.value)
    with pytest.raises(trust.TrustError) as err:
        trust.load_trusted_keys([str(tmp_path / "rsa.pub")])
    assert "is not an Ed25519 key" in str(err.value)
    with pytest.raises(trust.TrustError) as err:
        trust.load_private_key(str(tmp_path / "missing.pem"))
    assert "cannot read the signing key k8s_bundle_signing_key=" in str(err.value)


PINS = {"calico_operator_manifest": {"3.31.3": {"sha256": "a" * 64, "source": "x"}},
        "toolkit_deb": {"1.18.1/amd64": "B" * 64, "1.18.1": "c" * 64}}


@pytest.mark.parametrize("key,version,arch,expected", [
    ("calico_operator_manifest", "3.31.3", None, "sha256:" + "a" * 64),
    ("calico_operator_manifest", "3.31.4", None, ""),
    ("toolkit_deb", "1.18.1", "amd64", "sha256:" + "b" * 64),
    ("toolkit_deb", "1.18.1", "arm64", "sha256:" + "c" * 64),
    ("unknown", "1", None, ""),
])
def test_artifact_pin(key, version, arch, expected):
    assert trust.artifact_pin(PINS, key, version, arch) == expected


def test_bad_pins_are_named():
    with pytest.raises(trust.TrustError, match=r"k8s_artifact_pins.k\[1\] is 'abc', not a sha256"):
        trust.artifact_pin({"k": {"1": "abc"}}, "k", "1")
    with pytest.raises(trust.TrustError, match="must map versions to sums"):
        trust.artifact_pin({"k": "abc"}, "k", "1")
    with pytest.raises(trust.TrustError, match=r"k8s_image_digests\[r:1\] is 'sha256:12', not sha256"):
        trust.image_digest({"r:1": "sha256:12"}, "r:1")


@pytest.mark.parametrize("checksum,kind", [
    ("", "unpinned"), ("sha256:" + "a" * 64, "pinned"), ("sha256:" + "A" * 64, "pinned"),
    ("sha256:https://dl.k8s.io/release/v1.34.3/bin/linux/amd64/kubeadm.sha256", "published"),
])
def test_checksum_kind(checksum, kind):
    assert trust.checksum_kind(checksum) == kind


def test_checksum_kind_refuses_other_forms():
    with pytest.raises(trust.TrustError, match="must be sha256:<64 hex digits> or sha256:<url"):
        trust.checksum_kind("md5:abc")


def test_image_digest():
    assert trust.image_digest({"r:1": {"digest": "sha256:" + "d" * 64}}, "r:1") == "sha256:" + "d" * 64
    assert trust.image_digest({}, "r:1") == ""
    assert trust.is_digest("sha256:" + "d" * 64) and not trust.is_digest("sha256:d")
