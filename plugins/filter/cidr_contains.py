# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: cidr_contains
short_description: Whether a network contains an address
version_added: 0.1.0
author: aiinfra.k8s contributors
description:
  - True when the IP address lies inside the CIDR network; an address of the other IP
    version is never inside.
  - Host bits in the network are allowed (C(192.0.2.7/24) is read as C(192.0.2.0/24)),
    so the networks of a host's own addresses can be tested directly.
  - Fails when the network is not in CIDR form or the address is not a plain IP address.
options:
  _input:
    description: A network in CIDR form.
    type: str
    required: true
  address:
    description: An IP address, without prefix length.
    type: str
    required: true
requirements:
  - netaddr (on the controller)
"""

EXAMPLES = r"""
- name: Stop when no network of the host holds the VIP
  ansible.builtin.assert:
    that: (ansible_facts | aiinfra.k8s.interface_networks | map('aiinfra.k8s.cidr_contains', k8s_api_vip) | select | list) != []
    fail_msg: The VIP {{ k8s_api_vip }} is in none of this host's networks.
"""

RETURN = r"""
_value:
  description: Whether the address is inside the network.
  type: bool
"""

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call


def cidr_contains(network, address):
    # imported on first use, not with this file: ansible-core loads every filter file of the
    # collection in each worker process that looks up any of its filters
    from ansible_collections.aiinfra.k8s.plugins.plugin_utils._network import contains

    return call("cidr_contains", contains, network, address)


class FilterModule(object):
    def filters(self):
        return {"cidr_contains": cidr_contains}
