# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: render
author: aiinfra.k8s contributors (@aiinfra)
version_added: "1.0.0"
short_description: Render role templates to text without copying every variable
description:
  - Renders each template file it is given and returns the text, exactly as the
    P(ansible.builtin.template#lookup) lookup does (the same search path, the same
    C(ansible_managed) and C(template_*) variables, the same options).
  - The one difference is the view of the variables. ansible-core's lookup deep-copies
    every variable of the host (all of C(hostvars) included) before each file; this lookup
    gives the template a new top-level mapping over the same values, as the
    M(ansible.builtin.template) module does. On a cluster of a few hosts the copy costs
    30 to 80 ms of controller CPU per file, and the roles render their configuration files
    in every run to find out whether a node needs them.
  - Templates rendered by it must not change the variables they read (call a method
    such as C(update) or C(append) on a host variable); build new values instead.
options:
  _terms:
    description: The template files, found the way P(ansible.builtin.template#lookup) finds them.
    type: list
    elements: str
    required: true
  template_vars:
    description: Additional variables for the templates; they hide variables of the same name.
    type: dict
    default: {}
  convert_data:
    description: Passed to P(ansible.builtin.template#lookup) (used only by ansible-core before 2.19).
    type: bool
    default: true
  jinja2_native:
    description: Passed to P(ansible.builtin.template#lookup) (used only by ansible-core before 2.19).
    type: bool
    default: false
  variable_start_string:
    description: The string marking the beginning of a print statement.
    type: str
    default: "{{"
  variable_end_string:
    description: The string marking the end of a print statement.
    type: str
    default: "}}"
  comment_start_string:
    description: The string marking the beginning of a comment.
    type: str
    default: "{#"
  comment_end_string:
    description: The string marking the end of a comment.
    type: str
    default: "#}"
  trim_blocks:
    description: Remove the first newline after a block tag (ansible-core 2.19 and later).
    type: bool
    default: true
seealso:
  - plugin: ansible.builtin.template
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: A configuration file's text, rendered on the controller
  ansible.builtin.set_fact:
    haproxy_cfg: "{{ lookup('aiinfra.k8s.render', 'haproxy.cfg.j2') }}"

- name: One text per registry, with the registry as `item` inside the template
  ansible.builtin.debug:
    msg: "{{ lookup('aiinfra.k8s.render', 'hosts.toml.j2', template_vars={'item': item}) }}"
  loop: "{{ registries }}"
"""

RETURN = r"""
_raw:
  description: The text of each template, in the order given.
  type: list
  elements: str
"""

from ansible.plugins.lookup.template import LookupModule as _TemplateLookup


class _SharedView(dict):
    """The host's variables as a new top-level mapping whose deep copy is itself shallow.

    ansible-core's template lookup deep-copies the mapping it is handed before it adds the
    template's own variables to it; a shallow copy gives the template the same values and
    keeps the caller's mapping untouched, which is all that copy is for."""

    __slots__ = ()

    def __deepcopy__(self, memo):
        return dict(self)


class LookupModule(_TemplateLookup):
    def run(self, terms, variables=None, **kwargs):
        return super().run(terms, variables=_SharedView(variables or {}), **kwargs)
