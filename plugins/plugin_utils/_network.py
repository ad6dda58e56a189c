# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal network helpers for aiinfra.k8s controller-side plugins (filters).

Internal API: may change without notice; not for use outside this collection.
All functions raise ValueError with an operator-readable message on bad input.
"""
from __future__ import annotations

# netaddr is imported on first use (require_netaddr), not with this module: ansible-core loads
# every filter file of the collection in each worker process that looks up any of its filters,
# and importing netaddr costs more than all of them together.
netaddr = None


def require_netaddr():
    global netaddr  # pylint: disable=global-statement
    if netaddr is None:
        try:
            import netaddr as _netaddr
        except ImportError as exc:  # pragma: no cover - exercised only without netaddr
            raise ValueError(
                "the Python library 'netaddr' is required on the controller "
                "(pip install netaddr, or `make deps`): %s" % exc
            )
        netaddr = _netaddr


def parse_network(value, strict=True):
    """Return a netaddr.IPNetwork for a CIDR string.

    With strict=True the address must be the network address (no host bits set),
    which is what kubeadm, Calico and k3s expect for pod/service ranges.
    """
    require_netaddr()
    if not isinstance(value, str) or "/" not in value:
        raise ValueError("%r is not a CIDR (expected a network like 10.244.0.0/16)" % (value,))
    try:
        net = netaddr.IPNetwork(value)
    except (netaddr.AddrFormatError, ValueError, TypeError) as exc:
        raise ValueError("%r is not a valid CIDR: %s" % (value, exc))
    if strict and net.ip != net.network:
        raise ValueError(
            "%r has host bits set; the network address is %s/%d" % (value, net.network, net.prefixlen)
        )
    return net


def parse_address(value):
    """Return a netaddr.IPAddress for a plain address string (no prefix)."""
    require_netaddr()
    if not isinstance(value, str) or not value or "/" in value:
        raise ValueError("%r is not an IP address" % (value,))
    try:
        return netaddr.IPAddress(value)
    except (netaddr.AddrFormatError, ValueError, TypeError) as exc:
        raise ValueError("%r is not a valid IP address: %s" % (value, exc))


def is_address(value):
    try:
        parse_address(value)
    except ValueError:
        return False
    return True


def overlaps(a, b):
    """True when two networks (IPNetwork or CIDR strings) share any address."""
    na = a if not isinstance(a, str) else parse_network(a, strict=False)
    nb = b if not isinstance(b, str) else parse_network(b, strict=False)
    if na.version != nb.version:
        return False
    return na.first <= nb.last and nb.first <= na.last


def contains(network, address):
    """True when `address` (IP string or IPAddress) lies inside `network`."""
    net = network if not isinstance(network, str) else parse_network(network, strict=False)
    addr = address if not isinstance(address, str) else parse_address(address)
    return addr.version == net.version and net.first <= int(addr) <= net.last


def _ipv4_entries(ansible_facts):
    """(interface, address, netmask) of every IPv4 address in gathered facts.

    Reads `ansible_facts['interfaces']` and the per-interface entries
    (`ansible_facts[<iface>]['ipv4']` and `ipv4_secondaries`), as the setup module
    returns them.
    """
    if not isinstance(ansible_facts, dict):
        return
    for iface in ansible_facts.get("interfaces") or []:
        data = ansible_facts.get(iface.replace("-", "_")) or ansible_facts.get(iface) or {}
        if not isinstance(data, dict):
            continue
        entries = []
        ipv4 = data.get("ipv4")
        if isinstance(ipv4, dict):
            entries.append(ipv4)
        elif isinstance(ipv4, list):
            entries.extend(ipv4)
        entries.extend(data.get("ipv4_secondaries") or [])
        for entry in entries:
            address, netmask = entry.get("address"), entry.get("netmask")
            if address and netmask:
                yield iface, address, netmask


def interface_networks(ansible_facts):
    """Networks (CIDR strings) of every IPv4 address in gathered facts; loopback is skipped."""
    require_netaddr()
    result = []
    for dummy, address, netmask in _ipv4_entries(ansible_facts):
        net = netaddr.IPNetwork("%s/%s" % (address, netmask))
        if net.ip.is_loopback():
            continue
        cidr = "%s/%d" % (net.network, net.prefixlen)
        if cidr not in result:
            result.append(cidr)
    return result


def interface_for_address(ansible_facts, address):
    """Name of the first interface with an IPv4 network that contains `address`."""
    target = parse_address(address)
    for iface, own, netmask in _ipv4_entries(ansible_facts):
        if contains(parse_network("%s/%s" % (own, netmask), strict=False), target):
            return iface
    raise ValueError("no interface has an IPv4 network containing %s" % address)
