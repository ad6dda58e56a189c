# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: _day2_upgrade_plan
short_description: 'Internal: the minor steps of an upgrade and who is upgraded in each'
author: aiinfra.k8s contributors
description:
- Internal to the day-2 playbooks (docs/day2.md), not part of the collection's public API; its name, arguments and
  result may change in any release.
- From the versions the kube-apiserver static pods and the kubelets run to the target, one minor version at a time;
  intermediate minors need a release named in O(intermediate).
- Refuses a downgrade, a skipped minor, a major change, nodes not Ready, nodes the inventory lacks, several steps
  offline (a bundle holds one version).
- Whatever already runs a step's version is left out of it, so an interrupted upgrade resumes.
- 'Logic: C(upgrade_plan) in plugins/plugin_utils/_day2.py.'
options:
  _input:
    description: Target version X.Y.Z.
    type: str
    required: true
  groups:
    description: The C(groups) mapping.
    type: dict
    required: true
  nodes:
    description: The NodeList.
    type: dict
    required: true
  apiserver_pods:
    description: PodList of kube-system pods with component=kube-apiserver.
    type: dict
    required: true
  intermediate:
    description: One release per minor between the current and the target.
    type: list
  batch:
    description: Workers per batch.
    type: int
  offline:
    description: Offline install (one step per run).
    type: bool
"""

EXAMPLES = r"""
- name: Plan (as the day-2 playbooks do)
  ansible.builtin.set_fact:
    _plan: "{{ '1.36.2' | aiinfra.k8s._day2_upgrade_plan(groups, nodes.json, pods.json) }}"
"""

RETURN = r"""
_value:
  description: Mapping with current, target, path, steps (version, apply, control_plane_nodes, kubelet_masters,
    workers, worker_batches, masters), hosts, nothing_to_do, problems.
  type: dict
"""

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._day2 import apiserver_versions, upgrade_plan
from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain


def _day2_upgrade_plan(target, groups, nodes, apiserver_pods, intermediate=None, batch=1, offline=False):
    apiservers = call("_day2_upgrade_plan", apiserver_versions, plain(apiserver_pods))
    return plain(call("_day2_upgrade_plan", upgrade_plan,
                      target, plain(groups), plain(nodes), apiservers, plain(intermediate) or [], batch, bool(offline)))


class FilterModule(object):
    def filters(self):
        return {"_day2_upgrade_plan": _day2_upgrade_plan}
