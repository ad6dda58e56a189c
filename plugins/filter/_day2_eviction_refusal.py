# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: _day2_eviction_refusal
short_description: 'Internal: why the API refused an eviction, for the operator'
author: aiinfra.k8s contributors
description:
- Internal to the day-2 playbooks (docs/day2.md), not part of the collection's public API; its name, arguments and
  result may change in any release.
- 'HTTP 429 means a PodDisruptionBudget allows no disruption now: the budget''s own message (which budget, how many
  healthy pods it needs) is returned.'
- 'Logic: C(eviction_refusal) in plugins/plugin_utils/_day2.py.'
options:
  _input:
    description: The Status object the API returned.
    type: dict
    required: true
  status:
    description: The HTTP status.
    type: int
    required: true
"""

EXAMPLES = r"""
- name: Plan (as the day-2 playbooks do)
  ansible.builtin.set_fact:
    reason: "{{ result.json | aiinfra.k8s._day2_eviction_refusal(result.status) }}"
"""

RETURN = r"""
_value:
  description: One line.
  type: str
"""

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._day2 import eviction_refusal
from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain


def _day2_eviction_refusal(body, status):
    return plain(call("_day2_eviction_refusal", eviction_refusal,
                      status, plain(body)))


class FilterModule(object):
    def filters(self):
        return {"_day2_eviction_refusal": _day2_eviction_refusal}
