# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: interface_for_address
short_description: The interface whose IPv4 network contains an address
version_added: 0.1.0
author: aiinfra.k8s contributors
description:
  - Finds the network interface that has an IPv4 address (primary or secondary) in the
    same network as the given address, e.g. the interface keepalived should put the VIP
    on. The first match in the order of C(ansible_facts.interfaces) wins.
  - Fails when no interface matches, or when the address is not a plain IP address.
options:
  _input:
    description: The host's C(ansible_facts) (needs the C(network) subset).
    type: dict
    required: true
  address:
    description: The address to place, e.g. the VIP.
    type: str
    required: true
requirements:
  - netaddr (on the controller)
"""

EXAMPLES = r"""
- name: Interface that carries the VIP's network
  ansible.builtin.set_fact:
    vip_interface: "{{ ansible_facts | aiinfra.k8s.interface_for_address(k8s_api_vip) }}"   # eth0
"""

RETURN = r"""
_value:
  description: The interface name, e.g. C(eth0).
  type: str
"""

from collections.abc import Mapping

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain, require
from ansible_collections.aiinfra.k8s.plugins.plugin_utils._network import interface_for_address as _interface


def interface_for_address(ansible_facts, address):
    require("interface_for_address", isinstance(ansible_facts, Mapping), "the ansible_facts mapping")
    return call("interface_for_address", _interface, plain(ansible_facts), address)


class FilterModule(object):
    def filters(self):
        return {"interface_for_address": interface_for_address}
