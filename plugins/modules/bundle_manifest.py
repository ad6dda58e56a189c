#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: bundle_manifest
short_description: Write the manifest.json of an aiinfra.k8s offline bundle
version_added: 0.1.0
author: aiinfra.k8s contributors (@aiinfra)
extends_documentation_fragment:
  - aiinfra.k8s.attributes
description:
  - Records every file of an offline bundle in C(manifest.json) with its name, kind,
    version, source, how its checksum was established, size and sha256.
  - The files come from O(entries) (catalogue files and images, which must all be in
    the bundle), plus any file under C(packages/) or C(models/) that no entry names;
    those are recorded as kind C(local), so OS packages added by hand with
    C(apt-get download) or C(dnf download) are verified like the rest.
  - The manifest is written with sorted keys and no timestamps, so rewriting an
    unchanged bundle reports no change.
  - With O(signing_key), signs the exact bytes of C(manifest.json) with that Ed25519
    private key into C(manifest.json.sig). Signatures of other keys are kept while the
    manifest does not change (a bundle can carry the old and the new key's signature
    while keys rotate); signatures of an earlier manifest are removed.
options:
  path:
    description: The bundle directory.
    type: path
    required: true
  entries:
    description:
      - One dict per file, with C(path) (relative to the bundle), C(name), C(kind)
        (artifact, image, model), C(version), C(source) (URL or image reference) and
        C(checksum) (C(published) when the download was checked against an upstream
        checksum, C(digest) for content-addressed blobs, else C(computed)).
    type: list
    elements: dict
    required: true
  arch:
    description: CPU architecture the bundle was built for.
    type: str
    required: true
  known_hashes:
    description: sha256 by path of files already hashed in this run (skips hashing them again).
    type: dict
    default: {}
  signing_key:
    description:
      - Path of an Ed25519 private key (PEM PKCS#8 or OpenSSH, unencrypted) on the machine the
        module runs on (C(k8s_bundle_signing_key)). Empty leaves the bundle unsigned.
    type: path
requirements:
  - cryptography (Python package on the machine the module runs on), when O(signing_key) is set.
attributes:
  check_mode:
    support: full
    details: Computes the manifest and reports whether it would change, without writing it.
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Record the bundle
  aiinfra.k8s.bundle_manifest:
    path: /srv/bundle
    arch: amd64
    entries:
      - path: bin/kubeadm
        name: kubeadm
        kind: artifact
        version: "1.34.3"
        source: https://dl.k8s.io/release/v1.34.3/bin/linux/amd64/kubeadm
        checksum: published
    signing_key: /etc/aiinfra/bundle-signing.pem
"""

RETURN = r"""
manifest:
  description: The manifest as written.
  returned: success
  type: dict
files:
  description: Number of files recorded.
  returned: success
  type: int
signature:
  description: C(status) V(signed) or V(unsigned), and C(key_ids) of the keys whose signature C(manifest.json.sig) now holds.
  returned: success
  type: dict
"""

import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.aiinfra.k8s.plugins.module_utils._bundle import (
    MANIFEST,
    BundleError,
    build_manifest,
    dump_manifest,
    load_manifest,
)
from ansible_collections.aiinfra.k8s.plugins.module_utils._bundle_trust import (
    CRYPTOGRAPHY_IMPORT_ERROR,
    HAS_CRYPTOGRAPHY,
    SIGNATURE,
    TrustError,
    dump_signatures,
    kept_signatures,
    load_private_key,
    read_signatures,
    sign,
)


def _previous(path, load, error):
    """(text of the file at path or None, what load() makes of it, None when it fails with error)."""
    if not os.path.exists(path):
        return None, None
    with open(path) as handle:
        text = handle.read()
    try:
        return text, load()
    except error:
        return text, None  # unreadable: replaced


def plan(params):
    """Pure part: returns (new manifest, new text, old text or None)."""
    bundle_dir = params["path"]
    if not os.path.isdir(bundle_dir):
        raise BundleError("bundle directory %s does not exist" % bundle_dir)
    old_text, previous = _previous(os.path.join(bundle_dir, MANIFEST), lambda: load_manifest(bundle_dir), BundleError)
    manifest = build_manifest(bundle_dir, params["entries"], params["arch"], params.get("known_hashes"), previous)
    return manifest, dump_manifest(manifest), old_text


def plan_signature(bundle_dir, text, old_text, signing_key=None):
    """(new signature text or None to remove the file, old signature text or None, key ids)."""
    old_sig, previous = _previous(os.path.join(bundle_dir, SIGNATURE), lambda: read_signatures(bundle_dir), TrustError)
    data, old_data = text.encode("utf-8"), None if old_text is None else old_text.encode("utf-8")
    if signing_key:
        sigs = sign(data, load_private_key(signing_key), previous, old_data)
    else:
        sigs = kept_signatures(previous, data, old_data)
    return (dump_signatures(sigs) if sigs else None), old_sig, [s["key_id"] for s in sigs]


def _write(module, target, text):
    tmp = target + ".part"
    with open(tmp, "w") as handle:
        handle.write(text)
    module.atomic_move(tmp, target)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            entries=dict(type="list", elements="dict", required=True),
            arch=dict(type="str", required=True),
            known_hashes=dict(type="dict", default={}),
            signing_key=dict(type="path", no_log=False),
        ),
        supports_check_mode=True,
    )
    if module.params["signing_key"] and not HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib("cryptography"), exception=CRYPTOGRAPHY_IMPORT_ERROR)
    try:
        manifest, text, old_text = plan(module.params)
        sig_text, old_sig, key_ids = plan_signature(module.params["path"], text, old_text, module.params["signing_key"])
    except (BundleError, TrustError) as exc:
        module.fail_json(msg=str(exc))
    changed = text != old_text or sig_text != old_sig
    if not module.check_mode:
        if text != old_text:
            _write(module, os.path.join(module.params["path"], MANIFEST), text)
        sig_path = os.path.join(module.params["path"], SIGNATURE)
        if sig_text is None and old_sig is not None:
            os.remove(sig_path)
        elif sig_text is not None and sig_text != old_sig:
            _write(module, sig_path, sig_text)
    module.exit_json(changed=changed, manifest=manifest, files=len(manifest["files"]),
                     signature={"status": "signed" if key_ids else "unsigned", "key_ids": key_ids})


if __name__ == "__main__":
    main()
