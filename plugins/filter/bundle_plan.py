# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: bundle_plan
short_description: List the files of an aiinfra.k8s offline bundle
version_added: 0.1.0
author: aiinfra.k8s contributors
description:
  - Turns catalogue keys (of C(k8s_artifacts) merged with C(k8s_artifacts_extra)) and
    image references into the list of files the offline bundle holds, one dict per file.
  - Images are stored as C(images/<reference with '/', ':' and '@' replaced by '_'>.tar);
    the version recorded for an image is its tag. References need a tag and no digest.
  - Fails on unknown keys, entries without C(url), C(path) or C(version), paths that
    leave the bundle, checksums that are not C(sha256:), and two files claiming the same
    path.
options:
  _input:
    description: The artifact catalogue (key to C({version, url, checksum, path})).
    type: dict
    required: true
  keys:
    description: Catalogue keys to include.
    type: list
    elements: str
    required: true
  images:
    description: Image references to include.
    type: list
    elements: str
    default: []
seealso:
  - module: aiinfra.k8s.bundle_manifest
  - module: aiinfra.k8s.bundle_verify
"""

EXAMPLES = r"""
- name: List what the bundle must hold
  ansible.builtin.debug:
    msg: "{{ item.path }}: {{ item.kind }} {{ item.name }} {{ item.version }}"
  loop: "{{ k8s_artifacts | aiinfra.k8s.bundle_plan(['containerd'], ['registry.k8s.io/pause:3.10.1']) }}"
"""

RETURN = r"""
_value:
  description: One dict per bundle file, sorted by path.
  type: list
  elements: dict
  contains:
    path:
      description: Path relative to the bundle directory.
      type: str
    name:
      description: The catalogue key, or the image reference.
      type: str
    kind:
      description: C(artifact) or C(image).
      type: str
    version:
      description: The catalogue entry's version, or the image's tag.
      type: str
    source:
      description: Where the file comes from, the URL or C(docker://<reference>).
      type: str
    url:
      description: The catalogue URL (artifacts only).
      type: str
    checksum:
      description: The catalogue's checksum specification, C(sha256:<hex>) or C(sha256:<url>), empty when none (artifacts only).
      type: str
"""

from ansible.errors import AnsibleFilterError


def bundle_plan(catalogue, keys, images=None):
    # imported on first use, not with this file: ansible-core loads every filter file of the
    # collection in each worker process that looks up any of its filters
    from ansible_collections.aiinfra.k8s.plugins.module_utils._bundle import (
        BundleError,
        check_relative,
        image_archive_path,
        image_tag,
    )

    if not isinstance(catalogue, dict):
        raise AnsibleFilterError("bundle_plan: expected the artifact catalogue (a dict), got %r" % (type(catalogue).__name__,))
    unknown = sorted(set(keys or []) - set(catalogue))
    if unknown:
        raise AnsibleFilterError("bundle_plan: unknown artifact key(s) %s; known: %s" % (", ".join(unknown), ", ".join(sorted(catalogue))))
    plan = {}

    def add(entry):
        other = plan.get(entry["path"])
        if other is not None and (other["name"], other["version"]) != (entry["name"], entry["version"]):
            raise AnsibleFilterError("bundle_plan: %s and %s both want bundle path %s" % (other["name"], entry["name"], entry["path"]))
        plan[entry["path"]] = entry

    for key in sorted(set(keys or [])):
        item = catalogue[key] or {}
        missing = [f for f in ("version", "url", "path") if not str(item.get(f, "") or "").strip()]
        if missing:
            raise AnsibleFilterError("bundle_plan: catalogue entry %s lacks %s" % (key, ", ".join(missing)))
        try:
            path = check_relative(str(item["path"]).strip())
        except BundleError as exc:
            raise AnsibleFilterError("bundle_plan: catalogue entry %s: %s" % (key, exc))
        checksum = str(item.get("checksum") or "").strip()
        if checksum and not checksum.startswith("sha256:"):
            raise AnsibleFilterError("bundle_plan: catalogue entry %s: checksum %r must be sha256:<hex> or sha256:<url>" % (key, checksum))
        add({"path": path, "name": key, "kind": "artifact", "version": str(item["version"]), "source": str(item["url"]).strip(),
             "url": str(item["url"]).strip(), "checksum": checksum})
    for ref in sorted(set(images or [])):
        try:
            path = image_archive_path(ref)
        except BundleError as exc:
            raise AnsibleFilterError("bundle_plan: %s" % exc)
        ref = ref.strip()
        if "@" in ref or not image_tag(ref):
            raise AnsibleFilterError("bundle_plan: image %r needs a tag (name:tag) and no digest: a docker-archive names "
                                     "its image by tag" % ref)
        add({"path": path, "name": ref, "kind": "image", "version": image_tag(ref), "source": "docker://" + ref})
    return [plan[p] for p in sorted(plan)]


class FilterModule(object):
    def filters(self):
        return {"bundle_plan": bundle_plan}
