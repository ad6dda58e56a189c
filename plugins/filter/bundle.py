# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline bundle filters for aiinfra.k8s. Documentation: one YAML file per filter next
to this file (bundle_plan.yml, bundle_image_path.yml)."""
from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.module_utils._bundle import (
    BundleError,
    check_relative,
    image_archive_path,
    image_tag,
)


def bundle_image_path(ref):
    try:
        return image_archive_path(ref)
    except BundleError as exc:
        raise AnsibleFilterError("bundle_image_path: %s" % exc)


def bundle_plan(catalogue, keys, images=None):
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
        return {"bundle_plan": bundle_plan, "bundle_image_path": bundle_image_path}
