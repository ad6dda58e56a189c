# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: _day2_drain_targets
short_description: 'Internal: what a drain evicts, leaves and refuses'
author: aiinfra.k8s contributors
description:
- Internal to the day-2 playbooks (docs/day2.md), not part of the collection's public API; its name, arguments and
  result may change in any release.
- 'kubectl drain''s rules over a PodList: static (mirror) pods and DaemonSet pods stay; a pod without a controller
  is refused unless O(force); one with emptyDir unless O(delete_emptydir_data); terminating pods are waited for.'
- 'Logic: C(drain_targets) in plugins/plugin_utils/_day2.py.'
options:
  _input:
    description: PodList of the node.
    type: dict
    required: true
  node:
    description: Node name.
    type: str
    required: true
  ignore_daemonsets:
    description: Leave DaemonSet pods.
    type: bool
  delete_emptydir_data:
    description: Evict pods with emptyDir.
    type: bool
  force:
    description: Evict pods without a controller.
    type: bool
"""

EXAMPLES = r"""
- name: Plan (as the day-2 playbooks do)
  ansible.builtin.set_fact:
    _drain: "{{ pods.json | aiinfra.k8s._day2_drain_targets('worker1') }}"
"""

RETURN = r"""
_value:
  description: Mapping with evict, skipped, remaining, problems.
  type: dict
"""

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._day2 import drain_targets
from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain


def _day2_drain_targets(pods, node, ignore_daemonsets=True, delete_emptydir_data=True, force=False):
    return plain(call("_day2_drain_targets", drain_targets,
                      plain(pods), node, bool(ignore_daemonsets), bool(delete_emptydir_data), bool(force)))


class FilterModule(object):
    def filters(self):
        return {"_day2_drain_targets": _day2_drain_targets}
