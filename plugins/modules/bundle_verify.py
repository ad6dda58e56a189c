#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: bundle_verify
short_description: Check an aiinfra.k8s offline bundle against its manifest
version_added: 0.1.0
author: aiinfra.k8s contributors (@aiinfra)
extends_documentation_fragment:
  - aiinfra.k8s.attributes
description:
  - Hashes (sha256, streamed) every file the bundle's C(manifest.json) records, or only
    the files listed in O(expected), and reports what is missing, corrupt (sha256
    mismatch), outdated (the manifest records another version than expected) or
    unrecorded (expected but not in the manifest).
  - Before any file is used, checks the Ed25519 signature of C(manifest.json)
    (C(manifest.json.sig)) against O(trusted_keys). With trusted keys, an unsigned bundle,
    one signed only by unknown keys, or a manifest changed after signing fails with a
    message naming the file or key. Without trusted keys an unsigned bundle is accepted
    and the report says so.
  - Expected images with a C(digest) (pinned in the versions file) must be recorded in
    the manifest with that registry digest.
  - Fails with a readable list of those problems unless O(fail_on_problems=false).
    Files present in the bundle but absent from the manifest are listed as unlisted,
    and files taken without a pinned sum as unpinned; neither is a failure.
  - Runs where the bundle is, normally on the controller (C(delegate_to=localhost),
    C(run_once=true)). Never changes the bundle (only O(hash_cache), when set, is written).
options:
  path:
    description: The bundle directory (C(k8s_bundle_dir)).
    type: path
    required: true
  expected:
    description:
      - Files the caller needs, each with C(path) (relative to the bundle), and
        optionally C(name), C(version) and, for images, C(digest) (C(sha256:<hex>)). When
        omitted, every file of the manifest is checked.
    type: list
    elements: dict
  check_all:
    description:
      - With O(expected), also check every other file the manifest records (present and
        intact). Without O(expected) every recorded file is checked anyway.
    type: bool
    default: false
  fail_on_problems:
    description: Fail when a file is missing, corrupt, outdated or unrecorded.
    type: bool
    default: true
  trusted_keys:
    description:
      - Ed25519 public keys whose signature of C(manifest.json) is trusted
        (C(k8s_bundle_trusted_keys)), each a path to a key file on the machine the
        module runs on, a PEM text, or an C(ssh-ed25519 ...) line.
      - Empty accepts an unsigned bundle (reported as C(unsigned)).
    type: list
    elements: str
    default: []
  check_files:
    description:
      - Hash the files. V(false) checks only the manifest's signature (and that it
        parses), e.g. once per play before files are taken from the bundle.
    type: bool
    default: true
  hash_cache:
    description:
      - A file on the machine the module runs on that remembers the sha256 of each file
        hashed, with the file's device, inode, size, modification and status-change times.
        A file whose identity is unchanged since it was hashed is not read again; any
        write, rename over it or metadata change moves its status-change time, which
        cannot be set back. Files changed within the last 2 seconds of hashing are not
        remembered. Created (mode 0600) when missing; a cache that cannot be read or
        written only costs the hashing.
      - Omitted or empty, every file is read and hashed.
    type: path
  require_manifest:
    description:
      - Fail when the bundle has no C(manifest.json). With V(false) a bundle without
        manifest reports every expected file as unrecorded (what
        C(playbooks/bundle.yml) uses on its first run).
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    details: Only reads the bundle; the same in check mode (O(hash_cache), the controller's own cache, is updated in both).
  diff_mode:
    support: none
requirements:
  - cryptography (Python package on the machine the module runs on), when O(trusted_keys) is set.
notes:
  - The manifest and its signature are written by the P(aiinfra.k8s.bundle_manifest#module)
    module, from C(playbooks/bundle.yml).
"""

EXAMPLES = r"""
- name: Check the offline bundle before installing from it
  aiinfra.k8s.bundle_verify:
    path: "{{ k8s_bundle_dir }}"
    trusted_keys: "{{ k8s_bundle_trusted_keys }}"   # e.g. [/etc/aiinfra/bundle-signing.pub]
  delegate_to: localhost
  run_once: true
  become: false

- name: Which of the wanted files are already good (no failure)
  aiinfra.k8s.bundle_verify:
    path: /srv/bundle
    expected:
      - {path: bin/kubeadm, name: kubeadm, version: "1.34.3"}
    fail_on_problems: false
    require_manifest: false
  register: bundle_state
"""

RETURN = r"""
ok:
  description: Paths of the files that are present and match the manifest.
  returned: always
  type: list
  elements: str
missing:
  description: Recorded files that are not in the bundle (path, name, version).
  returned: always
  type: list
  elements: dict
corrupt:
  description: Files whose sha256 differs from the manifest (path, name, expected, actual).
  returned: always
  type: list
  elements: dict
outdated:
  description: Expected files the manifest records at another version (path, name, version, recorded).
  returned: always
  type: list
  elements: dict
unrecorded:
  description: Expected files the manifest does not record (path, name, version).
  returned: always
  type: list
  elements: dict
digest:
  description: Expected images recorded with another registry digest than the pinned one (path, name, digest, recorded).
  returned: always
  type: list
  elements: dict
unpinned:
  description: Recorded files that were taken without a pinned sum (built with k8s_allow_unpinned).
  returned: always
  type: list
  elements: str
signature:
  description:
    - The signature check, C(status) V(verified) (signed by a trusted key), V(unsigned) (no
      signature, no trusted keys) or V(unchecked) (signed, no trusted keys); C(key_ids) of the
      signers, C(trusted) (the trusted signers whose signature is valid) and C(line) (for the report).
  returned: always
  type: dict
unlisted:
  description: Files in the bundle that the manifest does not record.
  returned: always
  type: list
  elements: str
hashes:
  description: sha256 of every file that was checked (hashed, or taken from O(hash_cache)), by path.
  returned: always
  type: dict
hashed:
  description: Number of files read and hashed.
  returned: always
  type: int
reused:
  description: Number of files whose sum came from O(hash_cache) (unchanged since they were hashed).
  returned: always
  type: int
problems:
  description: Number of missing, corrupt, outdated, unrecorded and wrong-digest files.
  returned: always
  type: int
manifest_found:
  description: Whether the bundle has a manifest.json.
  returned: always
  type: bool
report:
  description: The readable report (also the failure message).
  returned: always
  type: str
"""

import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.aiinfra.k8s.plugins.module_utils._bundle import (
    MANIFEST,
    BundleError,
    HashCache,
    parse_manifest,
    problem_count,
    read_manifest_bytes,
    report,
    sha256_file,
    verify,
)
from ansible_collections.aiinfra.k8s.plugins.module_utils._bundle_trust import (
    CRYPTOGRAPHY_IMPORT_ERROR,
    HAS_CRYPTOGRAPHY,
    TrustError,
    check_signature,
)


def run(params):
    """Pure part of the module: returns (failed, result dict). The signature is checked
    on the manifest's bytes before the manifest or any file is used."""
    bundle_dir = params["path"]
    if not os.path.isdir(bundle_dir):
        raise BundleError("bundle directory %s does not exist; build it with playbooks/bundle.yml on a connected "
                          "machine and copy it there, or fix k8s_bundle_dir" % bundle_dir)
    raw = read_manifest_bytes(bundle_dir)
    if raw is None and params["require_manifest"]:
        raise BundleError("%s has no manifest.json, so it cannot be checked; it was not built by playbooks/bundle.yml "
                          "or the copy is incomplete" % bundle_dir)
    signature = {"status": "unsigned", "key_ids": [], "trusted": [], "line": ""}
    if raw is not None:
        signature = check_signature(bundle_dir, raw, params.get("trusted_keys") or [])
    manifest = None if raw is None else parse_manifest(raw, os.path.join(bundle_dir, MANIFEST))
    cache = HashCache(params["hash_cache"]) if params.get("hash_cache") else None
    if params.get("check_files", True):
        result = verify(bundle_dir, manifest, params.get("expected"), params.get("check_all", False),
                        hash_file=cache.hash_file if cache else sha256_file)
        if cache:
            cache.save()
    else:
        result = {k: [] for k in ("ok", "missing", "corrupt", "outdated", "unrecorded", "digest", "unlisted", "unpinned")}
        result["hashes"] = {}
    result["reused"] = cache.reused if cache else 0
    result["hashed"] = len(result["hashes"]) - result["reused"]
    result["problems"] = problem_count(result)
    result["manifest_found"] = manifest is not None
    result["signature"] = signature
    result["report"] = report(bundle_dir, result, signature["line"])
    return bool(result["problems"]) and params["fail_on_problems"], result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            expected=dict(type="list", elements="dict"),
            check_all=dict(type="bool", default=False),
            fail_on_problems=dict(type="bool", default=True),
            require_manifest=dict(type="bool", default=True),
            trusted_keys=dict(type="list", elements="str", default=[], no_log=False),  # public keys
            check_files=dict(type="bool", default=True),
            hash_cache=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    if module.params["trusted_keys"] and not HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib("cryptography"), exception=CRYPTOGRAPHY_IMPORT_ERROR)
    try:
        failed, result = run(module.params)
    except (BundleError, TrustError) as exc:
        module.fail_json(msg=str(exc))
    if failed:
        module.fail_json(msg=result["report"], **result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
