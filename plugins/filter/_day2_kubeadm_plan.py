# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: _day2_kubeadm_plan
short_description: 'Internal: what kubeadm upgrade plan says it will do'
author: aiinfra.k8s contributors
description:
- Internal to the day-2 playbooks (docs/day2.md), not part of the collection's public API; its name, arguments and
  result may change in any release.
- Reads the C([upgrade/versions]) lines and the component tables of C(kubeadm upgrade plan vX); upgrade.yml
  checks that kubeadm's target is the step's version before C(kubeadm upgrade apply).
- 'Logic: C(parse_upgrade_plan) in plugins/plugin_utils/_day2.py.'
options:
  _input:
    description: The command's output (stdout and stderr).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Plan (as the day-2 playbooks do)
  ansible.builtin.set_fact:
    _kubeadm_says: "{{ plan_run.stdout | aiinfra.k8s._day2_kubeadm_plan }}"
"""

RETURN = r"""
_value:
  description: Mapping with cluster, kubeadm, target (versions without v) and components (component, node, current,
    target).
  type: dict
"""

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._day2 import parse_upgrade_plan
from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain


def _day2_kubeadm_plan(text):
    return plain(call("_day2_kubeadm_plan", parse_upgrade_plan, text))


class FilterModule(object):
    def filters(self):
        return {"_day2_kubeadm_plan": _day2_kubeadm_plan}
