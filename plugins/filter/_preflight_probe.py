# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: _preflight_probe
short_description: "Internal: parse the output of the preflight role's host probe"
author: aiinfra.k8s contributors
description:
  - Turns the output of C(_preflight_probe_script) (C(key=value) lines, then C(--- listening)
    and C(ss -Htlnp)) into the host information P(aiinfra.k8s.host_problems#filter) checks.
    The logic is C(parse_probe) in C(plugins/plugin_utils/_host_checks.py).
  - Internal to the C(preflight) role (C(tasks/hosts.yml)), not part of the collection's
    public API; its name, arguments and result may change in any release.
options:
  _input:
    description: The probe's standard output.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Hosts | what the probe found (as roles/preflight/tasks/hosts.yml does)
  ansible.builtin.set_fact:
    _found: "{{ _preflight_probe.stdout | aiinfra.k8s._preflight_probe }}"
"""

RETURN = r"""
_value:
  description: The probe's findings (clock, vcpus, memory_mb, cgroup_fs, ntp_synchronized, product_uuid, missing_tools, ss_rc, listening).
  type: dict
"""

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call


def _preflight_probe(text):
    # imported on first use, not with this file: ansible-core loads every filter file of the
    # collection that sorts before the one a template names, in every worker process
    from ansible_collections.aiinfra.k8s.plugins.plugin_utils._host_checks import parse_probe

    return call("_preflight_probe", parse_probe, text)


class FilterModule(object):
    def filters(self):
        return {"_preflight_probe": _preflight_probe}
