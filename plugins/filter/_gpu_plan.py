# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: _gpu_plan
short_description: "Internal: the GPU Operator settings and GPU capacity expectation of the gpu_operator role"
author: aiinfra.k8s contributors
description:
  - Internal to the C(gpu_operator) role (C(vars/main.yml)), not part of the collection's
    public API; its name, arguments and result may change in any release.
  - The logic and its description are in C(plugins/plugin_utils/_gpu_plan.py); docs/gpu.md
    explains the plan.
options:
  _input:
    description: GPU node name to what the gpu phase learned about it.
    type: dict
    required: true
  settings:
    description:
      - The role settings the plan follows, C(mode), C(driver_enabled), C(toolkit_enabled),
        C(time_slicing_replicas) and C(device_plugin_gfd).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: The GPU plan (roles/gpu_operator/vars/main.yml computes it as a role variable)
  ansible.builtin.set_fact:
    _plan: "{{ gpu_nodes_facts | aiinfra.k8s._gpu_plan({'mode': 'operator', 'driver_enabled': 'auto'}) }}"
"""

RETURN = r"""
_value:
  description: The plan; also C(physical), C(advertised_total), C(replicas) and C(replicas_in_expected).
  type: dict
  contains:
    driver_enabled:
      description: The chart's C(driver.enabled).
      type: bool
    toolkit_enabled:
      description: The chart's C(toolkit.enabled).
      type: bool
    expected:
      description: Per-node count for M(aiinfra.k8s.gpu_capacity).
      type: dict
    problems:
      description: Why the plan cannot hold; empty when it does.
      type: list
      elements: str
"""

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain


def _gpu_plan(nodes, settings):
    # imported on first use, not with this file: ansible-core loads every filter file of the
    # collection that sorts before the one a template names, in every worker process
    from ansible_collections.aiinfra.k8s.plugins.plugin_utils._gpu_plan import gpu_plan

    return call("_gpu_plan", gpu_plan, plain(nodes), plain(settings))


class FilterModule(object):
    def filters(self):
        return {"_gpu_plan": _gpu_plan}
