# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Trust in an offline bundle: Ed25519 signatures of manifest.json and pinned sums.
Internal to aiinfra.k8s: not a public API, may change any time.

manifest.json.sig, next to manifest.json, holds one or more signatures of the exact bytes
of manifest.json:

    {"format": 1, "algorithm": "ed25519",
     "signatures": [{"key_id": "3f9a0c21d4e5b677", "public_key": "<base64, 32 bytes>",
                     "signature": "<base64, 64 bytes>"}]}

A key's id is the first 16 hex digits of the sha256 of its raw 32-byte public key. The
public key in a signature only says who signed; trust comes from the caller's list of
trusted keys (k8s_bundle_trusted_keys), never from the file.

Pins: k8s_artifact_pins maps a catalogue key to {"<version>" or "<version>/<arch>": pin},
a pin being a sha256 hex string or {"sha256": hex, "source": where it came from};
k8s_image_digests maps an image reference (name:tag) to "sha256:<hex>" or
{"digest": "sha256:<hex>", "source": ...}.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import traceback

from ansible_collections.aiinfra.k8s.plugins.module_utils._bundle import SIGNATURE, BundleError, read_bundle_file

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
    HAS_CRYPTOGRAPHY = True
    CRYPTOGRAPHY_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - reported by the callers through missing_required_lib
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_IMPORT_ERROR = traceback.format_exc()

SIGNATURE_FORMAT = 1
ALGORITHM = "ed25519"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


class TrustError(Exception):
    """A signature, key or pin is unusable; the message names the file or key and what to do."""


def _need_cryptography():
    if not HAS_CRYPTOGRAPHY:
        raise TrustError("signing and checking bundle signatures needs the Python package cryptography on the "
                         "controller (pip install cryptography; it is in requirements.txt)")


# ---- keys -------------------------------------------------------------------------------

def _raw_public(public_key):
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key):
    """Short id of an Ed25519 public key (object or raw 32 bytes)."""
    raw = public_key if isinstance(public_key, bytes) else _raw_public(public_key)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_private_key(path):
    """The Ed25519 private key in a PEM (PKCS#8, unencrypted) or OpenSSH file."""
    _need_cryptography()
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise TrustError("cannot read the signing key k8s_bundle_signing_key=%s: %s" % (path, exc.strerror or exc))
    try:
        if b"OPENSSH PRIVATE KEY" in data:
            key = serialization.load_ssh_private_key(data, password=None)
        else:
            key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise TrustError("the signing key %s is not an unencrypted PEM or OpenSSH private key (%s); make one with "
                         "`openssl genpkey -algorithm ed25519 -out bundle-signing.pem`" % (path, exc))
    if not isinstance(key, Ed25519PrivateKey):
        raise TrustError("the signing key %s is a %s key; bundle signatures use Ed25519 "
                         "(openssl genpkey -algorithm ed25519)" % (path, type(key).__name__.replace("PrivateKey", "")))
    return key


def _public_key_text(spec):
    """(text, label) of a trusted key given inline or as a file path."""
    text = spec.strip()
    if text.startswith("-----BEGIN") or text.startswith("ssh-ed25519 "):
        return text, "inline key %s..." % text[:40].replace("\n", " ")
    try:
        with open(os.path.expanduser(text)) as handle:
            return handle.read().strip(), text
    except OSError as exc:
        raise TrustError("k8s_bundle_trusted_keys entry %s: cannot read it (%s); give the path of a public key file "
                         "on the controller or the key itself (PEM or ssh-ed25519 line)" % (text, exc.strerror or exc))


def load_public_key(spec):
    """An Ed25519 public key from a PEM text, an `ssh-ed25519 AAAA...` line or a file holding one."""
    _need_cryptography()
    if not isinstance(spec, str) or not spec.strip():
        raise TrustError("k8s_bundle_trusted_keys entries must be public keys or paths to them, got %r" % (spec,))
    text, label = _public_key_text(spec)
    try:
        if text.startswith("ssh-"):
            key = serialization.load_ssh_public_key(text.encode())
        else:
            key = serialization.load_pem_public_key(text.encode())
    except (ValueError, TypeError, binascii.Error) as exc:
        raise TrustError("k8s_bundle_trusted_keys entry %s is not a PEM or OpenSSH public key (%s); export one with "
                         "`openssl pkey -in bundle-signing.pem -pubout`" % (label, exc))
    if not isinstance(key, Ed25519PublicKey):
        raise TrustError("k8s_bundle_trusted_keys entry %s is not an Ed25519 key" % label)
    return key


def load_trusted_keys(specs):
    """{key id: public key} of every trusted key."""
    keys = {}
    for spec in specs or []:
        key = load_public_key(spec)
        keys[key_id(key)] = key
    return keys


# ---- signatures ---------------------------------------------------------------------------

def read_signatures(bundle_dir):
    """The signature document of a bundle, or None when it has none."""
    path = os.path.join(bundle_dir, SIGNATURE)
    try:
        raw = read_bundle_file(bundle_dir, SIGNATURE)
        if raw is None:
            return None
        doc = json.loads(raw.decode("utf-8"))
    except (BundleError, ValueError) as exc:
        raise TrustError("%s is not readable as a signature file (%s); sign the bundle again" % (path, exc))
    sigs = doc.get("signatures") if isinstance(doc, dict) else None
    if doc.get("algorithm") != ALGORITHM or not isinstance(sigs, list) or not all(
            isinstance(s, dict) and s.get("key_id") and s.get("signature") and s.get("public_key") for s in sigs):
        raise TrustError("%s is not an aiinfra.k8s bundle signature file (format %s, Ed25519 signatures with "
                         "key_id, public_key, signature)" % (path, SIGNATURE_FORMAT))
    return doc


def dump_signatures(signatures):
    """Deterministic text of a signature document (Ed25519 signing is deterministic too)."""
    doc = {"format": SIGNATURE_FORMAT, "algorithm": ALGORITHM,
           "signatures": sorted(signatures, key=lambda s: s["key_id"])}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _signature_valid(public_key, signature_b64, data):
    try:
        public_key.verify(base64.b64decode(signature_b64, validate=True), data)
        return True
    except (InvalidSignature, binascii.Error, ValueError):
        return False


def sign(data, private_key, previous=None, previous_data=None):
    """Signature list for the manifest bytes `data` signed with `private_key`.

    Signatures of other keys in `previous` are kept when they still sign `data` (the
    manifest did not change), so one bundle can carry the old and the new key's signature
    while keys rotate; stale ones are dropped.
    """
    _need_cryptography()
    public = private_key.public_key()
    mine = {"key_id": key_id(public), "public_key": base64.b64encode(_raw_public(public)).decode(),
            "signature": base64.b64encode(private_key.sign(data)).decode()}
    return [mine] + [s for s in kept_signatures(previous, data, previous_data) if s["key_id"] != mine["key_id"]]


def kept_signatures(previous, data, previous_data=None):
    """The signatures of `previous` (a signature document) that still sign `data`."""
    sigs = (previous or {}).get("signatures") or []
    if not sigs:
        return []
    if previous_data is not None and previous_data != data:
        return []  # the manifest changed: every earlier signature is over other bytes
    if not HAS_CRYPTOGRAPHY:
        return list(sigs)
    kept = []
    for sig in sigs:
        try:
            public = Ed25519PublicKey.from_public_bytes(base64.b64decode(sig["public_key"], validate=True))
        except (binascii.Error, ValueError):
            continue
        if key_id(public) == sig["key_id"] and _signature_valid(public, sig["signature"], data):
            kept.append(sig)
    return kept


def check_signature(bundle_dir, data, trusted_specs):
    """Check manifest.json's bytes (`data`) against its signature file and the trusted keys.

    Returns {"status": "verified" | "unsigned" | "unchecked", "key_ids": [...], "trusted": [...],
    "line": one line for the report}. Raises TrustError, naming the file or key, when keys are
    trusted and the manifest is unsigned, signed only by unknown keys, or changed after signing.
    """
    trusted = load_trusted_keys(trusted_specs) if trusted_specs else {}
    doc = read_signatures(bundle_dir)
    signers = [s["key_id"] for s in (doc or {}).get("signatures", [])]
    sig_path = os.path.join(bundle_dir, SIGNATURE)
    if not trusted:
        if signers:
            line = ("Signature: manifest.json is signed by key %s, NOT CHECKED: no k8s_bundle_trusted_keys configured"
                    % ", ".join(signers))
            return {"status": "unchecked", "key_ids": signers, "trusted": [], "line": line}
        return {"status": "unsigned", "key_ids": [], "trusted": [],
                "line": "Signature: UNSIGNED bundle (no manifest.json.sig), accepted because no k8s_bundle_trusted_keys "
                        "are configured: the files match manifest.json, but nothing proves who made it"}
    ids = ", ".join(sorted(trusted))
    if not signers:
        raise TrustError("%s is missing: the bundle in %s is unsigned, and k8s_bundle_trusted_keys lists key %s, so it is "
                         "refused. Sign it where it was built: ansible-playbook aiinfra.k8s.bundle -i <inventory> "
                         "-e k8s_bundle_dir=<dir> -e k8s_bundle_signing_key=<private key file>"
                         % (sig_path, bundle_dir, ids))
    known = [s for s in doc["signatures"] if s["key_id"] in trusted]
    if not known:
        raise TrustError("%s is signed by key %s, which is not in k8s_bundle_trusted_keys (%s): the bundle's origin is "
                         "unknown, so it is refused. If you trust that signer, add its public key to "
                         "k8s_bundle_trusted_keys; otherwise get a bundle signed by a trusted key"
                         % (sig_path, ", ".join(signers), ids))
    good = [s["key_id"] for s in known if _signature_valid(trusted[s["key_id"]], s["signature"], data)]
    if not good:
        raise TrustError("%s does not match its signature by trusted key %s (%s): manifest.json was changed after it was "
                         "signed, so nothing in this bundle can be trusted. Do not install from it; copy the bundle "
                         "again from the build machine, or rebuild and re-sign it there"
                         % (os.path.join(bundle_dir, "manifest.json"), ", ".join(s["key_id"] for s in known), sig_path))
    return {"status": "verified", "key_ids": signers, "trusted": good,
            "line": "Signature: manifest.json verified, signed by trusted key %s" % ", ".join(good)}


# ---- pins -----------------------------------------------------------------------------

def pin_value(pin, field="sha256"):
    """The hex sum (field sha256) or digest (field digest) of a pin given as text or as a dict."""
    return str((pin.get(field) if isinstance(pin, dict) else pin) or "").strip().lower()


def artifact_pin(pins, key, version, arch=None):
    """'sha256:<hex>' for catalogue entry `key` at `version` (and arch), '' when unpinned."""
    per_key = (pins or {}).get(key) or {}
    if not isinstance(per_key, dict):
        raise TrustError("k8s_artifact_pins.%s must map versions to sums, got %r" % (key, per_key))
    version = str(version)
    pin = None
    if arch:
        pin = per_key.get("%s/%s" % (version, arch))
    if pin is None:
        pin = per_key.get(version)
    if pin is None:
        return ""
    value = pin_value(pin)
    if not _HEX64.match(value):
        raise TrustError("k8s_artifact_pins.%s[%s] is %r, not a sha256 (64 hex digits)" % (key, version, value))
    return "sha256:" + value


def checksum_kind(checksum):
    """How a catalogue checksum establishes a file: published (sha256:<url>), pinned (sha256:<hex>) or unpinned."""
    value = str(checksum or "").strip()
    if not value:
        return "unpinned"
    rest = value.split(":", 1)[1] if value.startswith("sha256:") else ""
    if _HEX64.match(rest.lower()):
        return "pinned"
    if "://" in rest:
        return "published"
    raise TrustError("checksum %r must be sha256:<64 hex digits> or sha256:<url of the published checksum file>" % value)


def image_digest(digests, ref):
    """The pinned 'sha256:<hex>' digest of image reference `ref`, '' when unpinned."""
    pin = (digests or {}).get(ref)
    if pin is None:
        return ""
    value = pin_value(pin, "digest")
    if not _DIGEST.match(value):
        raise TrustError("k8s_image_digests[%s] is %r, not sha256:<64 hex digits>" % (ref, value))
    return value


def is_digest(value):
    return bool(_DIGEST.match(str(value or "")))
