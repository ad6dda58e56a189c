# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: normalize_image_ref
short_description: Write a container image reference the way containerd lists it
version_added: 0.1.0
author: aiinfra.k8s contributors
description:
  - Applies the Docker reference normalisation containerd uses for image names, so that a
    reference from the versions file can be compared with C(ctr images ls -q).
  - A name without a registry gets C(docker.io/); a single-component C(docker.io) name gets
    C(library/); a reference with neither tag nor digest gets C(:latest).
  - The registry part is recognised as in the Docker reference grammar, by containing a
    C(.) or a C(:), or being C(localhost).
options:
  _input:
    description: An image reference, for example C(busybox), C(calico/node:v3.31.3) or
      C(registry.k8s.io/pause:3.10.1).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Images containerd does not have yet
  ansible.builtin.debug:
    msg: "{{ wanted | map('aiinfra.k8s.normalize_image_ref') | reject('in', present) | list }}"
  vars:
    wanted: [busybox, "calico/node:v3.31.3"]
    present: ["docker.io/library/busybox:latest"]
"""

RETURN = r"""
_value:
  description: The normalised reference, e.g. C(docker.io/library/busybox:latest).
  type: str
"""

import re

from ansible.errors import AnsibleFilterError

# name components and tag per the distribution/reference grammar (lower-case path components)
_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$")
_DOMAIN = re.compile(r"^(?:localhost|[A-Za-z0-9.-]*[.:][A-Za-z0-9.:-]*|\[[0-9a-fA-F:]+\](?::[0-9]+)?)$")


def normalize_image_ref(ref):
    if not isinstance(ref, str) or not ref.strip():
        raise AnsibleFilterError("normalize_image_ref: expected an image reference string, got %r" % (ref,))
    ref = ref.strip()
    digest = ""
    if "@" in ref:
        ref, digest = ref.split("@", 1)
        if not _DIGEST.match(digest):
            raise AnsibleFilterError("normalize_image_ref: %r has an invalid digest %r" % (ref, digest))
    tag = ""
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        ref, tag = ref.rsplit(":", 1)
        if not _TAG.match(tag):
            raise AnsibleFilterError("normalize_image_ref: %r has an invalid tag %r" % (ref, tag))
    parts = ref.split("/")
    if len(parts) > 1 and _DOMAIN.match(parts[0]):
        domain, path = parts[0], parts[1:]
    else:
        domain, path = "docker.io", parts
    if domain == "index.docker.io":
        domain = "docker.io"
    if not path or not all(_COMPONENT.match(p) for p in path):
        raise AnsibleFilterError("normalize_image_ref: %r is not a valid image name" % (ref,))
    if domain == "docker.io" and len(path) == 1:
        path = ["library"] + path
    name = "%s/%s" % (domain, "/".join(path))
    if tag:
        name += ":" + tag
    if digest:
        name += "@" + digest
    if not tag and not digest:
        name += ":latest"
    return name


class FilterModule(object):
    def filters(self):
        return {"normalize_image_ref": normalize_image_ref}
