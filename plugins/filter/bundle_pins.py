# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: bundle_pins
short_description: Say how every file of an offline bundle plan is pinned
version_added: 0.1.0
author: aiinfra.k8s contributors
description:
  - Takes the list of P(aiinfra.k8s.bundle_plan#filter) and adds to each entry C(pin),
    how its content is established before it is trusted, C(published) (the catalogue
    checksum is upstream's checksum file), C(pinned) (a sha256 pinned in the versions
    file, or an image digest pinned in O(digests)) or C(unpinned).
  - Images get C(digest), the digest pinned for their reference (name:tag) in O(digests)
    (C(k8s_image_digests)), empty when unpinned. The bundle copies a pinned image by that
    digest, records it in the manifest, and the install checks it.
  - Fails on a checksum that is neither C(sha256:<hex>) nor C(sha256:<url>) and on a digest
    that is not C(sha256:<hex>).
options:
  _input:
    description: The bundle plan (list of dicts with C(kind), C(name), C(checksum) for artifacts).
    type: list
    elements: dict
    required: true
  digests:
    description: The pinned image digests, C(k8s_image_digests) (reference to C(sha256:<hex>) or to
      a mapping with C(digest) and C(source)).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: What the bundle holds, and how each file is pinned
  ansible.builtin.set_fact:
    plan: >-
      {{ _common_catalogue | aiinfra.k8s.bundle_plan(_common_bundle_keys, _common_bundle_images)
         | aiinfra.k8s.bundle_pins(k8s_image_digests) }}

- name: Refuse what is not pinned
  ansible.builtin.assert:
    that: k8s_allow_unpinned or (plan | selectattr('pin', 'eq', 'unpinned') | list | length == 0)
"""

RETURN = r"""
_value:
  description: The plan, each entry with C(pin) added, and C(digest) for images.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError


def bundle_pins(plan, digests=None):
    # imported on first use, not with this file: ansible-core loads every filter file of the
    # collection in each worker process that looks up any of its filters
    from ansible_collections.aiinfra.k8s.plugins.module_utils._bundle_trust import TrustError, checksum_kind, image_digest

    if not isinstance(plan, list) or not all(isinstance(e, dict) for e in plan):
        raise AnsibleFilterError("bundle_pins: expected the list bundle_plan returns, got %r" % (type(plan).__name__,))
    if digests is not None and not isinstance(digests, dict):
        raise AnsibleFilterError("bundle_pins: expected k8s_image_digests (a dict), got %r" % (type(digests).__name__,))
    out = []
    try:
        for entry in plan:
            if entry.get("kind") == "image":
                digest = image_digest(digests, entry.get("name"))
                out.append(dict(entry, digest=digest, pin="pinned" if digest else "unpinned"))
            else:
                out.append(dict(entry, pin=checksum_kind(entry.get("checksum"))))
    except TrustError as exc:
        raise AnsibleFilterError("bundle_pins: %s (%s)" % (exc, entry.get("name")))
    return out


class FilterModule(object):
    def filters(self):
        return {"bundle_pins": bundle_pins}
