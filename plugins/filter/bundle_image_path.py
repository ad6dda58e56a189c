# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: bundle_image_path
short_description: Path of an image archive inside an aiinfra.k8s offline bundle
version_added: 0.1.0
author: aiinfra.k8s contributors
description:
  - Returns C(images/<reference with '/', ':' and '@' replaced by '_'>.tar), where
    C(playbooks/bundle.yml) saves the image (a docker-archive that
    C(ctr -n k8s.io images import) reads). Apply it to the reference as the versions
    file lists it (not normalised).
options:
  _input:
    description: An image reference such as C(registry.k8s.io/pause:3.10.1).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Copy an image archive from the bundle
  ansible.builtin.copy:
    src: "{{ k8s_bundle_dir }}/{{ 'registry.k8s.io/pause:3.10.1' | aiinfra.k8s.bundle_image_path }}"  # images/registry.k8s.io_pause_3.10.1.tar
    dest: /var/lib/aiinfra/images/
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The archive's path relative to the bundle directory.
  type: str
"""

from ansible.errors import AnsibleFilterError


def bundle_image_path(ref):
    # imported on first use, not with this file: ansible-core loads every filter file of the
    # collection in each worker process that looks up any of its filters
    from ansible_collections.aiinfra.k8s.plugins.module_utils._bundle import BundleError, image_archive_path

    try:
        return image_archive_path(ref)
    except BundleError as exc:
        raise AnsibleFilterError("bundle_image_path: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"bundle_image_path": bundle_image_path}
