"""Scan a playbook log (run with -vvv) for secrets that must never appear in output.

    python3 sandbox/secret_scan.py LOG [--secret-file FILE ...] [--manifest BUNDLE/manifest.json]

Reports, and exits 1 on any:
- the literal value of every --secret-file (e.g. the sandbox's VRRP password file);
- anything shaped like a kubeadm bootstrap token (`[a-z0-9]{6}.[a-z0-9]{16}`);
- 64-hex strings that could be a kubeadm certificate key: every 64-hex string that is not
  written as a digest (`sha256:<hex>`) and is not the sha256 of a file the bundle manifest
  records (those appear where the artifact tasks compare files).
Used by `sandbox/sandbox.sh e2e` with SANDBOX_SECRET_SCAN=1.
"""
from __future__ import annotations

import argparse
import json
import re
import sys

TOKEN = re.compile(r"(?<![a-z0-9])[a-z0-9]{6}\.[a-z0-9]{16}(?![a-z0-9])")
HEX64 = re.compile(r"(?<![0-9a-fA-F])[0-9a-f]{64}(?![0-9a-fA-F])")


def known_hashes(manifest):
    if not manifest:
        return set()
    with open(manifest) as handle:
        files = json.load(handle).get("files", {})
    return {entry.get("sha256", "") for entry in files.values()}


def scan(text, secrets, hashes):
    """[(kind, line number, excerpt)] of every finding in text."""
    findings = []
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        for secret in secrets:
            if secret and secret in line:
                findings.append(("secret value", number, line.replace(secret, "<SECRET>")[:160]))
        for match in TOKEN.finditer(line):
            findings.append(("bootstrap token shape", number, line[max(0, match.start() - 40):match.end() + 10]))
        for match in HEX64.finditer(line):
            before = line[max(0, match.start() - 7):match.start()]
            if before.endswith("sha256:") or match.group(0) in hashes:
                continue
            findings.append(("64-hex (certificate key shape)", number, line[max(0, match.start() - 60):match.start() + 8] + "..."))
    return findings


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log")
    parser.add_argument("--secret-file", action="append", default=[])
    parser.add_argument("--manifest")
    args = parser.parse_args(argv)
    secrets = []
    for path in args.secret_file:
        with open(path) as handle:
            secrets.append(handle.read().strip())
    with open(args.log, errors="replace") as handle:
        text = handle.read()
    findings = scan(text, secrets, known_hashes(args.manifest))
    for kind, number, excerpt in findings:
        print("%s:%d: %s: %s" % (args.log, number, kind, excerpt))
    print("secret scan: %d lines, %d secret value(s) checked, %d finding(s)" % (
        len(text.splitlines()), len(secrets), len(findings)))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
