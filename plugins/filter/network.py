# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Network filters for aiinfra.k8s (netaddr). Documentation: one YAML file per filter
next to this file (cidr_overlaps.yml, cidr_contains.yml, cidr_usable_addresses.yml,
interface_networks.yml, interface_for_address.yml)."""
from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.plugin_utils import _network


def _wrap(name, func, *args):
    try:
        return func(*args)
    except ValueError as exc:
        raise AnsibleFilterError("%s: %s" % (name, exc))


def cidr_overlaps(network, other):
    return _wrap("cidr_overlaps", _network.overlaps, network, other)


def cidr_contains(network, address):
    return _wrap("cidr_contains", _network.contains, network, address)


def cidr_usable_addresses(network):
    return _wrap("cidr_usable_addresses", _network.usable_addresses, network)


def interface_networks(ansible_facts):
    if not isinstance(ansible_facts, Mapping):
        raise AnsibleFilterError("interface_networks: expected the ansible_facts mapping")
    return _wrap("interface_networks", _network.interface_networks, dict(ansible_facts))


def _interface_for_address(ansible_facts, address):
    target = _network.parse_address(address)
    for iface in ansible_facts.get("interfaces") or []:
        data = ansible_facts.get(iface.replace("-", "_")) or ansible_facts.get(iface) or {}
        ipv4 = data.get("ipv4") if isinstance(data, Mapping) else None
        entries = [ipv4] if isinstance(ipv4, Mapping) else list(ipv4 or [])
        entries += list(data.get("ipv4_secondaries") or []) if isinstance(data, Mapping) else []
        for entry in entries:
            if entry.get("address") and entry.get("netmask"):
                net = "%s/%s" % (entry["address"], entry["netmask"])
                if _network.contains(_network.parse_network(net, strict=False), target):
                    return iface
    raise ValueError("no interface has an IPv4 network containing %s" % address)


def interface_for_address(ansible_facts, address):
    if not isinstance(ansible_facts, Mapping):
        raise AnsibleFilterError("interface_for_address: expected the ansible_facts mapping")
    return _wrap("interface_for_address", _interface_for_address, dict(ansible_facts), address)


class FilterModule(object):
    def filters(self):
        return {
            "cidr_overlaps": cidr_overlaps,
            "cidr_contains": cidr_contains,
            "cidr_usable_addresses": cidr_usable_addresses,
            "interface_networks": interface_networks,
            "interface_for_address": interface_for_address,
        }
