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
    description: The role settings the plan follows.
    type: dict
    required: true
"""

EXAMPLES = r"""
# Internal; see roles/gpu_operator/vars/main.yml.
"""

RETURN = r"""
_value:
  description: The plan (driver_enabled, toolkit_enabled, physical, expected, advertised_total, replicas, replicas_in_expected, problems).
  type: dict
"""

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain
from ansible_collections.aiinfra.k8s.plugins.plugin_utils._gpu_plan import gpu_plan


def _gpu_plan(nodes, settings):
    return call("_gpu_plan", gpu_plan, plain(nodes), plain(settings))


class FilterModule(object):
    def filters(self):
        return {"_gpu_plan": _gpu_plan}
