"""Egress recorder: proof that an offline run tried to reach nothing outside the cluster.

The offline scenarios' node containers sit on a Docker network with no route out
(`internal: true`: Docker drops what would leave it). That proves nothing left; this
records what tried to, so a test can fail on it (tests/harness/egress_guard.sh sets it up):

    egress_sink.py dns --log FILE               in a container of its own on the network
    egress_sink.py watch --log FILE --allow CIDR ... [--deny ADDRESS ...] [--iface eth0]   in every node
    egress_sink.py report --log FILE|- [--local-suffix S ...] [--expect-name N] [--expect-address A]

dns: the nodes' only DNS server (their resolv.conf names it): logs every question and
answers NXDOMAIN. watch: logs every packet the node sends out of --iface to an address
outside the --allow networks or in --deny (TCP connection attempts, UDP, ICMP; the
Docker gateway, i.e. the host with its proxies and time servers, is denied), once per source,
destination, protocol and port. One JSON object per line.

report: exits 1 and prints every recorded attempt (packets to non-local addresses, lookups
of public names: names with a --local-suffix, single-label names and reverse lookups are
local). With --expect-*, exits 0 only when each expected lookup/destination was recorded
(the check that the recorder itself works), and does not fail on them.

Standard library only: the node image's python3 runs it.
"""
from __future__ import annotations

import argparse
import ipaddress
import json
import os
import socket
import struct
import sys
import threading
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
LOCAL_SUFFIXES = ("localhost", "local", "internal", "cluster.local", "svc", "arpa", "home.arpa", "lan")


class Log:
    """Append-only JSON-lines log, one line per distinct event."""

    def __init__(self, path):
        self.path = path
        self.seen = set()
        self.lock = threading.Lock()

    def add(self, key, record):
        with self.lock:
            if key in self.seen:
                return
            self.seen.add(key)
            record = dict(record, time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
            with open(self.path, "a") as handle:
                handle.write(json.dumps(record, sort_keys=True) + "\n")


def parse_question(data):
    """(name, qtype) of the first question of a DNS query, or None."""
    if len(data) < 12 or struct.unpack("!H", data[4:6])[0] < 1:
        return None
    labels, pos = [], 12
    while pos < len(data):
        length = data[pos]
        if length == 0:
            pos += 1
            break
        if length & 0xC0:  # a query's question has no compression pointers
            return None
        labels.append(data[pos + 1:pos + 1 + length].decode("ascii", "replace"))
        pos += 1 + length
    if pos + 4 > len(data):
        return None
    qtype = struct.unpack("!H", data[pos:pos + 2])[0]
    return ".".join(labels).lower(), qtype, pos + 4


def nxdomain(query, question_end):
    """NXDOMAIN answer echoing the query's id, flags (RD) and question."""
    flags = 0x8000 | (struct.unpack("!H", query[2:4])[0] & 0x7900) | 0x0080 | 3
    return query[:2] + struct.pack("!HHHHH", flags, 1, 0, 0, 0) + query[12:question_end]


def serve_dns(address, log):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, 53))
    while True:
        data, peer = sock.recvfrom(4096)
        question = parse_question(data)
        if question is None:
            continue
        name, qtype, end = question
        log.add(("dns", peer[0], name, qtype), {"kind": "dns", "src": peer[0], "name": name, "qtype": qtype})
        sock.sendto(nxdomain(data, end), peer)


def parse_packet(frame):
    """(src, dst, proto, dport) of an IPv4/IPv6 frame, dport None where it has none."""
    ethertype = struct.unpack("!H", frame[12:14])[0]
    if ethertype == 0x0800 and len(frame) >= 34:
        ihl = (frame[14] & 0x0F) * 4
        proto, src, dst = frame[23], frame[26:30], frame[30:34]
        payload = frame[14 + ihl:]
        family = socket.AF_INET
    elif ethertype == 0x86DD and len(frame) >= 54:
        proto, src, dst = frame[20], frame[22:38], frame[38:54]
        payload = frame[54:]
        family = socket.AF_INET6
    else:
        return None
    names = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmp6"}
    dport = None
    if proto in (6, 17) and len(payload) >= 4:
        dport = struct.unpack("!H", payload[2:4])[0]
        if proto == 6 and len(payload) >= 14 and not (payload[13] & 0x02 and not payload[13] & 0x10):
            return None  # only connection attempts (SYN without ACK) count for TCP
    return (socket.inet_ntop(family, src), socket.inet_ntop(family, dst), names.get(proto, str(proto)), dport)


def watch(args):
    """Log every frame this node sends out of args.iface to an address outside args.allow."""
    log = Log(args.log)
    allowed = [ipaddress.ip_network(c, strict=False) for c in args.allow or []]
    denied = set(args.deny or [])
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((args.iface, 0))
    with open(args.log, "a"):
        pass
    print("egress watch on %s, allowed %s, log %s" % (args.iface, ", ".join(map(str, allowed)), args.log), flush=True)
    while True:
        frame, addr = sock.recvfrom(65535)
        if addr[2] != PACKET_OUTGOING:
            continue
        parsed = parse_packet(frame)
        if parsed is None:
            continue
        src, dst, proto, dport = parsed
        address = ipaddress.ip_address(dst)
        if dst not in denied and (address.is_multicast or address.is_link_local or dst == "255.255.255.255"
                                  or any(address in n for n in allowed)):
            continue
        log.add(("packet", src, dst, proto, dport), {"kind": "packet", "src": src, "dst": dst, "proto": proto, "dport": dport})


def dns(args):
    log = Log(args.log)
    with open(args.log, "a"):
        pass
    print("egress DNS recorder on %s:53, log %s" % (args.address, args.log), flush=True)
    serve_dns(args.address, log)
    return 1


def is_local_name(name, suffixes):
    name = name.rstrip(".")
    return "." not in name or any(name == s or name.endswith("." + s) for s in suffixes)


def read_log(path):
    if path == "-":
        return [json.loads(line) for line in sys.stdin if line.strip()]
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def attempts(records, suffixes):
    """The records that are egress attempts, as report lines."""
    lines = []
    for r in records:
        if r["kind"] == "dns" and not is_local_name(r["name"], suffixes):
            lines.append(("dns", r["name"], "  DNS   %s looked up %s (type %s)" % (r["src"], r["name"], r["qtype"])))
        elif r["kind"] == "packet":
            port = ":%s" % r["dport"] if r.get("dport") is not None else ""
            lines.append(("address", r["dst"], "  %-5s %s -> %s%s" % (r["proto"].upper(), r["src"], r["dst"], port)))
    return lines


def report(args):
    suffixes = LOCAL_SUFFIXES + tuple(args.local_suffix or ())
    if args.log != "-" and not os.path.exists(args.log):
        print("egress: no log at %s: the egress sink did not run" % args.log)
        return 2
    records = read_log(args.log)
    unwatched = [r["container"] for r in records if r["kind"] == "missing"]
    if unwatched:
        print("egress: no recorder log in %s: its traffic was not watched, so nothing is proven" % ", ".join(unwatched))
        return 1
    found = attempts(records, suffixes)
    expected = [("dns", n) for n in args.expect_name or []] + [("address", a) for a in args.expect_address or []]
    if expected:
        missing = [e for e in expected if not any(f[:2] == e for f in found)]
        for kind, value in missing:
            print("egress: the sink did not record the %s %s it was sent: it cannot prove anything" % (
                "lookup of" if kind == "dns" else "packet to", value))
        found = [f for f in found if f[:2] not in expected]
        if missing:
            return 1
    if found:
        print("egress: %d outbound attempt%s recorded (an offline run must reach nothing outside the cluster):" % (
            len(found), "" if len(found) == 1 else "s"))
        for line in found:
            print(line[2])
        return 1
    print("egress: no outbound attempt recorded%s" % (" besides the expected ones" if expected else ""))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("dns")
    rec.add_argument("--log", required=True)
    rec.add_argument("--address", default="0.0.0.0")
    run = sub.add_parser("watch")
    run.add_argument("--log", required=True)
    run.add_argument("--iface", default="eth0")
    run.add_argument("--allow", action="append")
    run.add_argument("--deny", action="append", help="addresses recorded even inside an --allow network (the gateway)")
    rep = sub.add_parser("report")
    rep.add_argument("--log", required=True)
    rep.add_argument("--local-suffix", action="append")
    rep.add_argument("--expect-name", action="append")
    rep.add_argument("--expect-address", action="append")
    args = parser.parse_args(argv)
    return {"dns": dns, "watch": watch, "report": report}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
