from __future__ import annotations

import json
import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.filter.network import FilterModule

FACTS = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "facts", "debian12-network.json")
F = FilterModule().filters()


@pytest.fixture(scope="module")
def facts():
    with open(FACTS) as handle:
        return json.load(handle)


def test_filters_registered():
    assert sorted(F) == ["cidr_contains", "cidr_overlaps", "cidr_usable_addresses",
                         "interface_for_address", "interface_networks"]


def test_cidr_filters():
    assert F["cidr_overlaps"]("10.244.0.0/16", "10.244.128.0/17") is True
    assert F["cidr_overlaps"]("10.244.0.0/16", "10.96.0.0/12") is False
    assert F["cidr_contains"]("192.0.2.0/24", "192.0.2.1") is True
    assert F["cidr_usable_addresses"]("10.96.0.0/12") == 1048574


@pytest.mark.parametrize("name,args", [
    ("cidr_overlaps", ("10.0.0.0", "10.0.0.0/8")),
    ("cidr_contains", ("192.0.2.0/24", "192.0.2.0/24")),
    ("cidr_usable_addresses", ("nonsense",)),
    ("interface_networks", ("not facts",)),
    ("interface_for_address", ({}, "192.0.2.1")),
])
def test_bad_input_raises_filter_error(name, args):
    with pytest.raises(AnsibleFilterError, match=name):
        F[name](*args)


def test_interface_networks(facts):
    assert F["interface_networks"](facts) == ["192.0.2.0/24", "172.17.0.0/16"]


@pytest.mark.parametrize("address,iface", [("192.0.2.1", "eth0"), ("172.17.5.5", "docker0")])
def test_interface_for_address(facts, address, iface):
    assert F["interface_for_address"](facts, address) == iface


def test_interface_for_address_no_match(facts):
    with pytest.raises(AnsibleFilterError, match="no interface has an IPv4 network containing 198.51.100.1"):
        F["interface_for_address"](facts, "198.51.100.1")
