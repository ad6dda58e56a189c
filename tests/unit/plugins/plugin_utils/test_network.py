from __future__ import annotations

import json
import os

import pytest

from ansible_collections.aiinfra.k8s.plugins.plugin_utils import _network as net

FACTS = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "facts", "debian12-network.json")


@pytest.mark.parametrize("a,b,expected", [
    ("10.244.0.0/16", "10.96.0.0/12", False),
    ("10.96.0.0/16", "10.96.0.0/12", True),     # contained
    ("10.0.0.0/8", "10.96.0.0/12", True),      # contains
    ("10.111.0.0/16", "10.96.0.0/12", True),   # last /16 of the /12
    ("10.112.0.0/16", "10.96.0.0/12", False),  # first /16 after it
    ("192.0.2.0/24", "2001:db8::/32", False),  # different families
])
def test_overlaps(a, b, expected):
    first, second = a, b
    assert net.overlaps(first, second) is expected
    assert net.overlaps(second, first) is expected  # symmetric


@pytest.mark.parametrize("network,address,expected", [
    ("192.0.2.0/24", "192.0.2.1", True),
    ("192.0.2.0/24", "192.0.2.255", True),
    ("192.0.2.0/24", "192.0.3.0", False),
    ("2001:db8::/32", "192.0.2.1", False),
])
def test_contains(network, address, expected):
    assert net.contains(network, address) is expected


def test_overlaps_needs_networks():
    with pytest.raises(ValueError, match="is not a CIDR"):
        net.overlaps("10.0.0.0", "10.0.0.0/8")


@pytest.mark.parametrize("value,message", [
    ("10.244.0.1/16", "host bits set; the network address is 10.244.0.0/16"),
    ("10.244.0.0", "is not a CIDR"),
    ("10.244.300.0/16", "not a valid CIDR"),
    (None, "is not a CIDR"),
])
def test_parse_network_errors(value, message):
    with pytest.raises(ValueError, match=message):
        net.parse_network(value)


def test_parse_network_lenient_keeps_host_bits():
    assert str(net.parse_network("192.0.2.7/24", strict=False).network) == "192.0.2.0"


@pytest.mark.parametrize("value", ["192.0.2.1/24", "", "master1", None, "256.1.1.1"])
def test_parse_address_rejects(value):
    with pytest.raises(ValueError):
        net.parse_address(value)
    assert net.is_address(value) is False


def test_interface_networks_from_real_facts():
    with open(FACTS) as handle:
        facts = json.load(handle)
    # eth0 and the docker bridge; loopback and address-less ifb devices skipped
    assert net.interface_networks(facts) == ["192.0.2.0/24", "172.17.0.0/16"]


def test_interface_networks_secondary_addresses():
    facts = {"interfaces": ["eth0"], "eth0": {
        "ipv4": {"address": "192.0.2.10", "netmask": "255.255.255.0"},
        "ipv4_secondaries": [{"address": "198.51.100.5", "netmask": "255.255.255.128"}]}}
    assert net.interface_networks(facts) == ["192.0.2.0/24", "198.51.100.0/25"]


def test_interface_networks_without_facts():
    assert net.interface_networks({}) == []
    assert net.interface_networks(None) == []


@pytest.mark.parametrize("address,iface", [("192.0.2.1", "eth0"), ("172.17.5.5", "docker0")])
def test_interface_for_address(address, iface):
    with open(FACTS) as handle:
        facts = json.load(handle)
    assert net.interface_for_address(facts, address) == iface


def test_interface_for_address_secondary_network():
    facts = {"interfaces": ["eth0"], "eth0": {
        "ipv4": {"address": "192.0.2.10", "netmask": "255.255.255.0"},
        "ipv4_secondaries": [{"address": "198.51.100.5", "netmask": "255.255.255.128"}]}}
    assert net.interface_for_address(facts, "198.51.100.100") == "eth0"


def test_interface_for_address_no_match():
    with pytest.raises(ValueError, match="no interface has an IPv4 network containing 198.51.100.1"):
        net.interface_for_address({}, "198.51.100.1")
