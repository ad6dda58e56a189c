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
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.aiinfra.k8s.plugins.module_utils._bundle import (
    MANIFEST,
    BundleError,
    build_manifest,
    dump_manifest,
    load_manifest,
)


def plan(params):
    """Pure part: returns (new manifest, new text, old text or None)."""
    bundle_dir = params["path"]
    if not os.path.isdir(bundle_dir):
        raise BundleError("bundle directory %s does not exist" % bundle_dir)
    path = os.path.join(bundle_dir, MANIFEST)
    old_text = None
    previous = None
    if os.path.exists(path):
        with open(path) as handle:
            old_text = handle.read()
        try:
            previous = load_manifest(bundle_dir)
        except BundleError:
            previous = None
    manifest = build_manifest(bundle_dir, params["entries"], params["arch"], params.get("known_hashes"), previous)
    return manifest, dump_manifest(manifest), old_text


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            entries=dict(type="list", elements="dict", required=True),
            arch=dict(type="str", required=True),
            known_hashes=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    try:
        manifest, text, old_text = plan(module.params)
    except BundleError as exc:
        module.fail_json(msg=str(exc))
    changed = text != old_text
    if changed and not module.check_mode:
        target = os.path.join(module.params["path"], MANIFEST)
        tmp = target + ".part"
        with open(tmp, "w") as handle:
            handle.write(text)
        module.atomic_move(tmp, target)
    module.exit_json(changed=changed, manifest=manifest, files=len(manifest["files"]))


if __name__ == "__main__":
    main()
