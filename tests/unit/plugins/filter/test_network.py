"""The network filters (cidr_contains, interface_networks, interface_for_address): one file
each, errors as AnsibleFilterError naming the filter. The logic's own tests are in
tests/unit/plugins/plugin_utils/test_network.py."""
from __future__ import annotations

import json
import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.filter import cidr_contains, interface_for_address, interface_networks

FACTS = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "facts", "debian12-network.json")
F = {}
for _module in (cidr_contains, interface_for_address, interface_networks):
    F.update(_module.FilterModule().filters())


@pytest.fixture(scope="module")
def facts():
    with open(FACTS) as handle:
        return json.load(handle)


def test_each_file_registers_its_own_filter():
    assert sorted(F) == ["cidr_contains", "interface_for_address", "interface_networks"]


def test_cidr_contains():
    assert F["cidr_contains"]("192.0.2.0/24", "192.0.2.1") is True
    assert F["cidr_contains"]("192.0.2.7/24", "192.0.3.1") is False


@pytest.mark.parametrize("name,args", [
    ("cidr_contains", ("192.0.2.0/24", "192.0.2.0/24")),
    ("cidr_contains", ("nonsense", "192.0.2.1")),
    ("interface_networks", ("not facts",)),
    ("interface_for_address", ({}, "192.0.2.1")),
    ("interface_for_address", (["not facts"], "192.0.2.1")),
])
def test_bad_input_raises_filter_error(name, args):
    with pytest.raises(AnsibleFilterError, match="^%s: " % name):
        F[name](*args)


def test_interface_networks(facts):
    assert F["interface_networks"](facts) == ["192.0.2.0/24", "172.17.0.0/16"]


@pytest.mark.parametrize("address,iface", [("192.0.2.1", "eth0"), ("172.17.5.5", "docker0")])
def test_interface_for_address(facts, address, iface):
    assert F["interface_for_address"](facts, address) == iface


def test_interface_for_address_no_match(facts):
    with pytest.raises(AnsibleFilterError, match="no interface has an IPv4 network containing 198.51.100.1"):
        F["interface_for_address"](facts, "198.51.100.1")
