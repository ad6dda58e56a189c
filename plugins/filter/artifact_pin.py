# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: artifact_pin
short_description: The pinned sha256 of an artifact catalogue entry
version_added: 0.1.0
author: aiinfra.k8s contributors
description:
  - Looks up the sha256 pinned for catalogue entry O(key) at O(version) in
    C(k8s_artifact_pins) (written by C(playbooks/pin.yml)) and returns it as a catalogue
    checksum, C(sha256:<hex>), or an empty string when nothing is pinned for that version.
  - With O(arch), a pin for C(<version>/<arch>) wins over one for C(<version>) (files that
    differ per architecture, such as packages).
  - The versions file uses it for the entries whose upstream publishes no checksum, so a
    version bump without a pin leaves the entry unpinned, which the bundle build and
    online downloads refuse unless C(k8s_allow_unpinned) is true.
  - A pin is a sha256 hex string or a mapping with C(sha256) and C(source) (where the
    value was taken from).
options:
  _input:
    description: The pins, C(k8s_artifact_pins) (catalogue key to version to pin).
    type: dict
    required: true
  key:
    description: The catalogue key.
    type: str
    required: true
  version:
    description: The entry's version.
    type: str
    required: true
  arch:
    description: The architecture (C(k8s_arch)) for per-architecture pins.
    type: str
"""

EXAMPLES = r"""
k8s_artifacts:
  calico_operator_manifest:
    version: "{{ calico_version }}"
    url: "{{ k8s_github_raw_url }}/projectcalico/calico/v{{ calico_version }}/manifests/tigera-operator.yaml"
    checksum: "{{ k8s_artifact_pins | aiinfra.k8s.artifact_pin('calico_operator_manifest', calico_version) }}"
    path: "manifests/tigera-operator-v{{ calico_version }}.yaml"
"""

RETURN = r"""
_value:
  description: C(sha256:<hex>), or an empty string when the version has no pin.
  type: str
"""

from ansible.errors import AnsibleFilterError


def artifact_pin(pins, key, version, arch=None):
    # imported on first use, not with this file: ansible-core loads every filter file of the
    # collection that sorts before the one a template names, in every worker process
    from ansible_collections.aiinfra.k8s.plugins.module_utils import _bundle_trust

    if pins is not None and not isinstance(pins, dict):
        raise AnsibleFilterError("artifact_pin: expected k8s_artifact_pins (a dict), got %r" % (type(pins).__name__,))
    try:
        return _bundle_trust.artifact_pin(pins, key, version, arch)
    except _bundle_trust.TrustError as exc:
        raise AnsibleFilterError("artifact_pin: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"artifact_pin": artifact_pin}
