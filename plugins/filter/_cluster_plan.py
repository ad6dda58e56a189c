# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: _cluster_plan
short_description: "Internal: which nodes a kubeadm or k3s run initialises and joins"
author: aiinfra.k8s contributors
description:
  - Internal to the C(kubeadm_init) and C(k3s) roles (C(tasks/plan.yml)), not part of the
    collection's public API; its name, arguments and result may change in any release.
  - The logic and its description are in C(plugins/plugin_utils/_cluster_plan.py).
options:
  _input:
    description: Host name to C({joined, initialised}) as the roles observed them.
    type: dict
    required: true
  groups:
    description: The C(groups) mapping.
    type: dict
    required: true
  play_hosts:
    description: Hosts of the current play.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Plan | decide (as roles/kubeadm_init/tasks/plan.yml does)
  ansible.builtin.set_fact:
    _plan: "{{ observations | aiinfra.k8s._cluster_plan(groups, ansible_play_hosts) }}"
"""

RETURN = r"""
_value:
  description: The plan (first_master, init, control_plane_joins, worker_joins, joins, join_info_needed, certificate_key_needed, problems).
  type: dict
"""

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain


def _cluster_plan(states, groups, play_hosts=None):
    # imported on first use, not with this file: ansible-core loads every filter file of the
    # collection in each worker process that looks up any of its filters
    from ansible_collections.aiinfra.k8s.plugins.plugin_utils._cluster_plan import cluster_plan

    return call("_cluster_plan", cluster_plan, plain(states), plain(groups), plain(play_hosts))


class FilterModule(object):
    def filters(self):
        return {"_cluster_plan": _cluster_plan}
