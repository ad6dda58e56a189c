# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: _day2_upgrade_text
short_description: 'Internal: an upgrade plan as lines for the operator'
author: aiinfra.k8s contributors
description:
- Internal to the day-2 playbooks (docs/day2.md), not part of the collection's public API; its name, arguments and
  result may change in any release.
- 'Logic: C(upgrade_text) in plugins/plugin_utils/_day2.py.'
options:
  _input:
    description: A plan from P(aiinfra.k8s._day2_upgrade_plan#filter).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Plan (as the day-2 playbooks do)
  ansible.builtin.set_fact:
    msg: "{{ plan | aiinfra.k8s._day2_upgrade_text }}"
"""

RETURN = r"""
_value:
  description: List of lines.
  type: list
"""

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._day2 import upgrade_text
from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain


def _day2_upgrade_text(plan):
    return plain(call("_day2_upgrade_text", upgrade_text,
                      plain(plan)))


class FilterModule(object):
    def filters(self):
        return {"_day2_upgrade_text": _day2_upgrade_text}
