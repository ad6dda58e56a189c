#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: pins_file
short_description: Write pinned sums and image digests into the aiinfra.k8s versions file
version_added: 0.1.0
author: aiinfra.k8s contributors (@aiinfra)
extends_documentation_fragment:
  - aiinfra.k8s.attributes
description:
  - Maintains the block of the versions file between C(# BEGIN aiinfra.k8s pins) and
    C(# END aiinfra.k8s pins), which defines C(k8s_artifact_pins) (sha256 of catalogue
    files by key and version) and C(k8s_image_digests) (registry digest by image
    reference), each value with the source it was taken from. Everything outside the
    block is left as it is; a file without the block gets it appended.
  - Adds the O(computed) values that are not pinned yet. A computed value that differs from
    the pin already there means upstream serves other content under the same name and
    version; that stops the module with the list of such entries unless O(replace=true)
    (after a review).
  - Writes the block in a fixed order (sorted keys), so running it again with the same
    values changes nothing. C(playbooks/pin.yml) computes the values.
options:
  path:
    description: The versions file (C(roles/common/defaults/main/versions.yml)).
    type: path
    required: true
  computed:
    description:
      - One dict per value, C(kind) V(artifact) with C(key) (catalogue key), C(version), C(sha256)
        and optionally C(arch) (the pin is then for C(<version>/<arch>)), or C(kind) V(image) with
        C(key) (image reference, name:tag) and C(digest) (C(sha256:<hex>)); C(source) says where
        the value comes from.
    type: list
    elements: dict
    default: []
  replace:
    description: Overwrite pins that differ from the computed value (upstream changed a published file).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    details: Reports what would be added or replaced, without writing.
  diff_mode:
    support: full
"""

EXAMPLES = r"""
- name: Pin the Calico manifest of a new release
  aiinfra.k8s.pins_file:
    path: roles/common/defaults/main/versions.yml
    computed:
      - kind: artifact
        key: calico_operator_manifest
        version: "3.31.4"
        sha256: 23d4b023fd862741b8c0fe068d27cecd18f27edda93ecc6b4433c7faeb2b940e
        source: "playbooks/pin.yml: sha256 of https://raw.githubusercontent.com/projectcalico/calico/v3.31.4/manifests/tigera-operator.yaml"
"""

RETURN = r"""
added:
  description: The entries pinned now (C(key), C(version) or C(digest) label).
  returned: always
  type: list
  elements: str
replaced:
  description: Pins overwritten (only with O(replace=true)).
  returned: always
  type: list
  elements: str
conflicts:
  description: Entries whose computed value differs from the pin, each with C(entry), C(pinned) and C(computed).
  returned: always
  type: list
  elements: dict
artifact_pins:
  description: C(k8s_artifact_pins) as now written.
  returned: success
  type: dict
image_digests:
  description: C(k8s_image_digests) as now written.
  returned: success
  type: dict
"""

import json
import os
import re

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.yaml import yaml_load

BEGIN = "# BEGIN aiinfra.k8s pins"
END = "# END aiinfra.k8s pins"
HEADER = """{begin} (playbooks/pin.yml writes this block: `make pin`, then review the diff)
# sha256 of every catalogue file whose upstream publishes no checksum file, by catalogue key
# and version ("<version>/<arch>" where the file differs per architecture), and the registry
# digest of every image, by reference as the image lists write it; each with its source.
# playbooks/bundle.yml and online downloads refuse a file or image without one unless
# k8s_allow_unpinned is true (docs/offline-bundle.md, "Pinned sums")."""
_HEX = re.compile(r"^[0-9a-f]{64}$")


class PinError(Exception):
    """The versions file or a computed value is unusable."""


def split_file(text):
    """(before, block or None, after) of the versions file's text."""
    start = text.find(BEGIN)
    if start < 0:
        return text, None, ""
    end = text.find(END, start)
    if end < 0:
        raise PinError("the versions file has %r but no %r line; restore the block's end marker" % (BEGIN, END))
    end = text.index("\n", end) + 1 if "\n" in text[end:] else len(text)
    return text[:start], text[start:end], text[end:]


def parse_block(block):
    """(artifact pins, image digests) defined in the block."""
    if not block:
        return {}, {}
    data = yaml_load(block) or {}
    if not isinstance(data, dict):
        raise PinError("the pins block of the versions file is not a YAML mapping")
    return dict(data.get("k8s_artifact_pins") or {}), dict(data.get("k8s_image_digests") or {})


def _q(value):
    return json.dumps(str(value))


def render_block(artifact_pins, image_digests):
    lines = HEADER.format(begin=BEGIN).splitlines()
    lines.append("k8s_artifact_pins:" + ("" if artifact_pins else " {}"))
    for key in sorted(artifact_pins):
        lines.append("  %s:" % key)
        for version in sorted(artifact_pins[key]):
            pin = artifact_pins[key][version]
            pin = pin if isinstance(pin, dict) else {"sha256": pin}
            lines.append("    %s:" % _q(version))
            lines.append("      sha256: %s" % str(pin["sha256"]).lower())
            if pin.get("source"):
                lines.append("      source: %s" % _q(pin["source"]))
    lines.append("k8s_image_digests:" + ("" if image_digests else " {}"))
    for ref in sorted(image_digests):
        pin = image_digests[ref]
        pin = pin if isinstance(pin, dict) else {"digest": pin}
        lines.append("  %s:" % _q(ref))
        lines.append("    digest: %s" % _q(str(pin["digest"]).lower()))
        if pin.get("source"):
            lines.append("    source: %s" % _q(pin["source"]))
    lines.append(END)
    return "\n".join(lines) + "\n"


def _value(pin, field):
    return str((pin.get(field) if isinstance(pin, dict) else pin) or "").lower()


def merge(artifact_pins, image_digests, computed, replace=False):
    """New (artifact pins, image digests) and a report {added, replaced, conflicts}."""
    artifacts = {k: dict(v) for k, v in artifact_pins.items()}
    images = dict(image_digests)
    report = {"added": [], "replaced": [], "conflicts": []}
    for item in computed or []:
        kind, key = item.get("kind"), str(item.get("key") or "")
        source = str(item.get("source") or "")
        if kind == "artifact":
            value = str(item.get("sha256") or "").lower()
            if not key or not str(item.get("version") or "") or not _HEX.match(value):
                raise PinError("computed artifact pin %r needs key, version and a sha256 of 64 hex digits" % (item,))
            version = str(item["version"]) + ("/%s" % item["arch"] if item.get("arch") else "")
            table, slot, field, new = artifacts.setdefault(key, {}), version, "sha256", {"sha256": value, "source": source}
            label = "%s %s" % (key, version)
        elif kind == "image":
            value = str(item.get("digest") or "").lower()
            if not key or not re.match(r"^sha256:[0-9a-f]{64}$", value):
                raise PinError("computed image digest %r needs key (the reference) and digest sha256:<64 hex>" % (item,))
            table, slot, field, new = images, key, "digest", {"digest": value, "source": source}
            label = key
        else:
            raise PinError("computed entry %r: kind must be artifact or image" % (item,))
        old = table.get(slot)
        if old is None:
            table[slot] = new
            report["added"].append(label)
        elif _value(old, field) != value:
            report["conflicts"].append({"entry": label, "pinned": _value(old, field), "computed": value, "source": source})
            if replace:
                table[slot] = new
                report["replaced"].append(label)
    return artifacts, images, report


def conflict_message(conflicts):
    lines = ["Upstream content changed under a pinned name and version (%d):" % len(conflicts)]
    for c in conflicts:
        lines.append("  CHANGED %s: pinned %s, upstream now gives %s (%s)" % (c["entry"], c["pinned"], c["computed"], c["source"]))
    lines.append("A published file must not change. Find out why (a re-published release, a mirror serving other "
                 "content, an attack) before trusting it; to accept the new content run playbooks/pin.yml again with "
                 "-e pin_replace=true and review the diff.")
    return "\n".join(lines)


def plan(params):
    """Pure part: (new text, old text, report, artifact pins, image digests)."""
    path = params["path"]
    if not os.path.isfile(path):
        raise PinError("versions file %s does not exist" % path)
    with open(path) as handle:
        old = handle.read()
    before, block, after = split_file(old)
    artifacts, images = parse_block(block)
    artifacts, images, report = merge(artifacts, images, params.get("computed"), params.get("replace", False))
    new_block = render_block(artifacts, images)
    if block is None:
        new = before + ("" if before.endswith("\n") or not before else "\n") + "\n" + new_block
    else:
        new = before + new_block + after
    return new, old, report, artifacts, images


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            computed=dict(type="list", elements="dict", default=[]),
            replace=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    try:
        new, old, report, artifacts, images = plan(module.params)
    except PinError as exc:
        module.fail_json(msg=str(exc))
    if report["conflicts"] and not module.params["replace"]:
        module.fail_json(msg=conflict_message(report["conflicts"]), **report)
    changed = new != old
    result = dict(changed=changed, artifact_pins=artifacts, image_digests=images, **report)
    if changed and module._diff:
        result["diff"] = {"before": old, "after": new, "before_header": module.params["path"], "after_header": module.params["path"]}
    if changed and not module.check_mode:
        tmp = module.params["path"] + ".part"
        with open(tmp, "w") as handle:
            handle.write(new)
        module.atomic_move(tmp, module.params["path"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
