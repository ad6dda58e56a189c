#!/usr/bin/env python3
"""Stand-in etcdctl, etcdutl and kubeadm for the day2 Molecule scenario (a test fixture,
not part of the collection), installed under those names. They print what the real
tools printed on a v1.35.6 sandbox cluster (tests/unit/fixtures/day2/), member names
mapped to the scenario's hosts. Switches in /etc/standin/:
  etcd-unhealthy   member names (one per line) that endpoint health reports unhealthy
  etcd-empty       snapshot status reports 0 keys
Every call is appended to /var/log/standin-tools.log."""
import json
import os
import sys

FIXTURES = "/opt/standin/fixtures"
RENAME = dict(pair.split("=", 1) for pair in open("/etc/standin/rename").read().split())


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        text = handle.read()
    for old, new in RENAME.items():
        text = text.replace('"%s"' % old, '"%s"' % new)
    return text


def switch(name):
    path = os.path.join("/etc/standin", name)
    return open(path).read().split() if os.path.exists(path) else None


def etcdctl(args):
    if args[:2] == ["member", "list"]:
        print(fixture("etcdctl-member-list.json"))
        return 0
    if args[:2] == ["endpoint", "health"]:
        members = json.loads(fixture("etcdctl-member-list.json"))["members"]
        health = json.loads(fixture("etcdctl-endpoint-health.json"))
        down = set(switch("etcd-unhealthy") or [])
        bad = {u for m in members if m["name"] in down for u in m["clientURLs"]}
        for entry in health:
            if entry["endpoint"] in bad:
                entry["health"] = False
                entry["error"] = "context deadline exceeded"
        print(json.dumps(health))
        return 1 if bad else 0
    if args[:2] == ["snapshot", "save"]:
        with open(args[2], "wb") as handle:
            handle.write(os.urandom(4096))
        print("Snapshot saved at %s" % args[2])
        return 0
    sys.stderr.write("stand-in etcdctl: %s not served\n" % " ".join(args))
    return 2


def etcdutl(args):
    if args[:2] == ["snapshot", "status"]:
        if not os.path.exists(args[2]):
            sys.stderr.write("Error: stat %s: no such file or directory\n" % args[2])
            return 1
        status = json.loads(fixture("etcdutl-snapshot-status.json"))
        if switch("etcd-empty") is not None:
            status["totalKey"] = 0
        print(json.dumps(status, separators=(",", ":")))
        return 0
    sys.stderr.write("stand-in etcdutl: %s not served\n" % " ".join(args))
    return 2


def kubeadm(args):
    if args[:2] == ["certs", "check-expiration"]:
        print(fixture("kubeadm-certs-check-expiration.txt"), end="")
        return 0
    sys.stderr.write("stand-in kubeadm: %s not served\n" % " ".join(args))
    return 2


def main():
    name = os.path.basename(sys.argv[0])
    args = [a for a in sys.argv[1:] if not a.startswith("--endpoints")]
    # drop option values the real tools take (--endpoints URL, -w json)
    clean, skip = [], False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in ("-w", "--write-out"):
            skip = True
            continue
        if arg.startswith("https://"):
            continue
        clean.append(arg)
    with open("/var/log/standin-tools.log", "a") as handle:
        handle.write("%s %s\n" % (name, " ".join(sys.argv[1:])))
    return {"etcdctl": etcdctl, "etcdutl": etcdutl, "kubeadm": kubeadm}[name](clean)


if __name__ == "__main__":
    sys.exit(main())
