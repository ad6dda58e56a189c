# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: problems_report
short_description: Format validation problems as an operator-readable report
version_added: 0.1.0
author: aiinfra.k8s contributors
description:
  - Turns the list returned by P(aiinfra.k8s.cluster_problems#filter) (or any list of
    dicts with C(severity), C(where), C(problem), C(fix)) into numbered lines, errors
    first, each followed by how to fix it.
options:
  _input:
    description: List of problems.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Fail with every problem found
  ansible.builtin.fail:
    msg: "{{ problems | aiinfra.k8s.problems_report }}"
"""

RETURN = r"""
_value:
  description: The report, one problem per numbered line plus a C(fix:) line.
  type: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError


def problems_report(problems):
    # imported on first use, not with this file: ansible-core loads every filter file of the
    # collection in each worker process that looks up any of its filters
    from ansible_collections.aiinfra.k8s.plugins.plugin_utils._cluster_checks import format_problems

    if not isinstance(problems, (list, tuple)) or not all(isinstance(x, Mapping) for x in problems):
        raise AnsibleFilterError("problems_report: expected a list of problem mappings")
    return format_problems(problems)


class FilterModule(object):
    def filters(self):
        return {"problems_report": problems_report}
