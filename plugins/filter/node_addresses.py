# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: node_addresses
short_description: Map inventory hosts to the address they use for cluster traffic
version_added: 0.1.0
author: aiinfra.k8s contributors
description:
  - For each host name in the input list, returns the address the collection uses for
    cluster traffic, C(k8s_node_address) when set, else C(ansible_host), else the
    inventory name itself.
  - Used for C(/etc/hosts) entries and the C(NO_PROXY) list of the node layer.
options:
  _input:
    description: The hosts whose cluster addresses are wanted, by inventory name (for example C(groups['k8s_cluster'])).
    elements: str
    type: list
    required: true
  hostvars:
    description: The C(hostvars) mapping the address variables are read from.
    required: true
    type: dict
"""

EXAMPLES = r"""
- name: One /etc/hosts line per cluster node
  ansible.builtin.debug:
    msg: "{{ item.value }} {{ item.key }}"
  loop: "{{ groups['k8s_cluster'] | aiinfra.k8s.node_addresses(hostvars) | dict2items }}"
"""

RETURN = r"""
_value:
  description: Host name to address, in the order of the input list.
  type: dict
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._inventory import node_address


def node_addresses(hosts, hostvars):
    if isinstance(hosts, (str, bytes)) or not isinstance(hosts, (list, tuple)):
        raise AnsibleFilterError("node_addresses: expected a list of inventory host names, got %r" % (hosts,))
    if not isinstance(hostvars, Mapping):
        raise AnsibleFilterError("node_addresses: expected hostvars as its argument")
    result = {}
    for name in hosts:
        if not isinstance(name, str) or not name:
            raise AnsibleFilterError("node_addresses: host names must be non-empty strings, got %r" % (name,))
        result[name] = node_address(name, hostvars)
    return result


class FilterModule(object):
    def filters(self):
        return {"node_addresses": node_addresses}
