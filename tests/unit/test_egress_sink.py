"""tests/harness/egress_sink.py: DNS questions and answers, frames, and the report's verdicts
(what counts as an outbound attempt, the self-check of --expect-*, an unwatched node)."""
from __future__ import annotations

import io
import json
import os
import socket
import struct
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "tests", "harness"))

import egress_sink  # noqa: E402


def query(name, qtype=1, ident=0x1234):
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0) + labels + struct.pack("!HH", qtype, 1)


def test_dns_question_and_nxdomain():
    data = query("deb.debian.org", 28)
    name, qtype, end = egress_sink.parse_question(data)
    assert (name, qtype, end) == ("deb.debian.org", 28, len(data))
    answer = egress_sink.nxdomain(data, end)
    ident, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", answer[:12])
    assert ident == 0x1234 and flags & 0x8000 and flags & 0x0100 and flags & 0x000F == 3
    assert (qd, an, ns, ar) == (1, 0, 0, 0) and answer[12:] == data[12:]
    assert egress_sink.parse_question(b"\0" * 5) is None


def frame(src, dst, proto, payload):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0, 64, proto, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    return b"\0" * 12 + b"\x08\x00" + ip + payload


def tcp(dport, flags):
    return struct.pack("!HHIIBBHHH", 40000, dport, 0, 0, 0x50, flags, 0, 0, 0)


def test_frames():
    assert egress_sink.parse_packet(frame("10.0.0.1", "151.101.2.132", 6, tcp(80, 0x02))) == ("10.0.0.1", "151.101.2.132", "tcp", 80)
    assert egress_sink.parse_packet(frame("10.0.0.1", "151.101.2.132", 6, tcp(80, 0x12))) is None  # SYN-ACK: not an attempt
    assert egress_sink.parse_packet(frame("10.0.0.1", "8.8.8.8", 17, struct.pack("!HHHH", 5353, 53, 8, 0))) == (
        "10.0.0.1", "8.8.8.8", "udp", 53)
    assert egress_sink.parse_packet(frame("10.0.0.1", "1.1.1.1", 1, b"\x08\0\0\0"))[2] == "icmp"
    assert egress_sink.parse_packet(b"\0" * 12 + b"\x08\x06" + b"\0" * 28) is None  # ARP


def report(monkeypatch, capsys, records, *args):
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(json.dumps(r) + "\n" for r in records)))
    rc = egress_sink.main(["report", "--log", "-", *args])
    return rc, capsys.readouterr().out


RECORDS = [
    {"kind": "dns", "src": "10.231.3.10", "name": "nodes-offline-deb13", "qtype": 1},
    {"kind": "dns", "src": "10.231.3.10", "name": "kubernetes.default.svc.cluster.local", "qtype": 1},
    {"kind": "dns", "src": "10.231.3.10", "name": "11.3.231.10.in-addr.arpa", "qtype": 12},
]


def test_local_lookups_are_no_attempt(monkeypatch, capsys):
    rc, out = report(monkeypatch, capsys, RECORDS)
    assert rc == 0 and "no outbound attempt recorded" in out


@pytest.mark.parametrize("record,line", [
    ({"kind": "dns", "src": "10.231.3.10", "name": "registry-1.docker.io", "qtype": 1},
     "DNS   10.231.3.10 looked up registry-1.docker.io (type 1)"),
    ({"kind": "packet", "src": "10.231.3.11", "dst": "151.101.2.132", "proto": "tcp", "dport": 443},
     "TCP   10.231.3.11 -> 151.101.2.132:443"),
    ({"kind": "packet", "src": "10.231.3.11", "dst": "10.231.3.1", "proto": "udp", "dport": 123},
     "UDP   10.231.3.11 -> 10.231.3.1:123"),
])
def test_attempts_fail_the_report(monkeypatch, capsys, record, line):
    rc, out = report(monkeypatch, capsys, RECORDS + [record])
    assert rc == 1 and "1 outbound attempt recorded" in out and line in out


def test_expected_attempts_prove_the_recorder(monkeypatch, capsys):
    records = RECORDS + [{"kind": "dns", "src": "a", "name": "deb.debian.org", "qtype": 1},
                         {"kind": "packet", "src": "a", "dst": "151.101.2.132", "proto": "tcp", "dport": 80}]
    rc, out = report(monkeypatch, capsys, records, "--expect-name", "deb.debian.org", "--expect-address", "151.101.2.132")
    assert rc == 0 and "besides the expected ones" in out
    rc, out = report(monkeypatch, capsys, RECORDS, "--expect-name", "deb.debian.org")
    assert rc == 1 and "did not record the lookup of deb.debian.org" in out
    rc, out = report(monkeypatch, capsys, records + [{"kind": "dns", "src": "a", "name": "quay.io", "qtype": 1}],
                     "--expect-name", "deb.debian.org", "--expect-address", "151.101.2.132")
    assert rc == 1 and "looked up quay.io" in out and "deb.debian.org" not in out


def test_an_unwatched_node_proves_nothing(monkeypatch, capsys):
    rc, out = report(monkeypatch, capsys, RECORDS + [{"kind": "missing", "container": "aiinfra-sbx-worker1"}])
    assert rc == 1 and "no recorder log in aiinfra-sbx-worker1" in out


def test_the_dns_recorder_answers_and_logs(tmp_path):
    log = egress_sink.Log(str(tmp_path / "log.jsonl"))
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.close()
    import threading
    original = socket.socket.bind

    def bind(sock, address):  # the recorder binds port 53; use a free one here
        return original(sock, (address[0], port))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "bind", bind)
        threading.Thread(target=egress_sink.serve_dns, args=("127.0.0.1", log), daemon=True).start()
        client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        client.settimeout(5)
        for attempt in range(50):  # until the recorder's thread has bound its socket
            try:
                client.sendto(query("quay.io"), ("127.0.0.1", port))
                answer = client.recv(512)
                break
            except OSError:
                if attempt == 49:
                    raise
    assert struct.unpack("!H", answer[2:4])[0] & 0x000F == 3
    records = [json.loads(line) for line in open(str(tmp_path / "log.jsonl"))]
    assert records[0]["name"] == "quay.io" and records[0]["kind"] == "dns"
