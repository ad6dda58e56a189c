"""sandbox/secret_scan.py: what counts as a leaked secret in a -vvv log, on a real capture."""
from __future__ import annotations

import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "tests", "unit", "fixtures", "secret_scan")
_SPEC = importlib.util.spec_from_file_location("secret_scan", os.path.join(ROOT, "sandbox", "secret_scan.py"))
secret_scan = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(secret_scan)


def real_log():
    with open(os.path.join(FIXTURES, "site-vvv-excerpt.log")) as handle:
        return handle.read()


def test_bundle_hashes_and_image_digests_are_not_secrets():
    hashes = secret_scan.known_hashes(os.path.join(FIXTURES, "manifest-excerpt.json"))
    assert secret_scan.scan(real_log(), ["Vr9pass1"], hashes) == []


def test_file_hashes_unknown_to_the_manifest_are_suspects():
    findings = secret_scan.scan(real_log(), [], set())
    assert {kind for kind, _line, _text in findings} == {"64-hex (certificate key shape)"}
    assert len(findings) == 7  # the bundle check's seven per-file sums, without the manifest to vouch for them


def test_leaks_are_found():
    hashes = secret_scan.known_hashes(os.path.join(FIXTURES, "manifest-excerpt.json"))
    leaked = real_log() + "\n".join([
        "    token: 9a08jv.c0izixklcxtmnze7",                       # kubeadm token create's shape
        "    certificate_key: 3d1e8c2f4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0",
        "    auth_pass: Vr9pass1",
    ])
    kinds = [kind for kind, _line, _text in secret_scan.scan(leaked, ["Vr9pass1"], hashes)]
    assert kinds == ["bootstrap token shape", "64-hex (certificate key shape)", "secret value"]


def test_main_exit_status(tmp_path):
    log = tmp_path / "site.log"
    log.write_text(real_log())
    manifest = os.path.join(FIXTURES, "manifest-excerpt.json")
    assert secret_scan.main([str(log), "--manifest", manifest]) == 0
    secret = tmp_path / "vrrp_pass"
    secret.write_text("bundle\n")  # a word the log holds
    assert secret_scan.main([str(log), "--manifest", manifest, "--secret-file", str(secret)]) == 1
