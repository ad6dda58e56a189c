# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""kubeadm parsers against real kubeadm v1.36.2 output (tests/unit/fixtures/kubeadm/)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ansible_collections.aiinfra.k8s.plugins.module_utils import _kubeadm as kadm
from ansible_collections.aiinfra.k8s.tests.unit.plugins.modules.utils import admin_conf, read_fixture

# The fixture cluster was initialised at 2026-11-22T04:34:38Z; the token list was taken ~04:35:30.
NOW = datetime(2026, 11, 22, 4, 40, 0, tzinfo=timezone.utc)


def kubeadm(name):
    return read_fixture("kubeadm", name)


def init_join_commands():
    return [kadm.parse_join_command(c) for c in kadm.find_join_commands(kubeadm("kubeadm-init.txt"))]


def known_ca_hash():
    """The hash kubeadm itself printed for ca.crt (in its join commands)."""
    hashes = set(h for parts in init_join_commands() for h in parts["ca_cert_hashes"])
    hashes |= set(kadm.parse_join_command(kubeadm("token-create-print-join-command.txt"))["ca_cert_hashes"])
    assert len(hashes) == 1
    return hashes.pop()


# -- command lines ----------------------------------------------------------------------------
def test_command_lines():
    assert kadm.token_list_command("kubeadm", "/k/admin.conf") == [
        "kubeadm", "token", "list", "--kubeconfig", "/k/admin.conf", "-o", "json"]
    create = kadm.token_create_command("kubeadm", "/k/admin.conf", "2h")
    assert create[:3] == ["kubeadm", "token", "create"] and create[create.index("--ttl") + 1] == "2h"
    assert create[-1] == "--print-join-command"
    assert kadm.upload_certs_command("kubeadm", "/k/a.conf", kubeadm_config="/k/c.yaml")[-2:] == ["--config", "/k/c.yaml"]
    assert kadm.upload_certs_command("kubeadm", "/k/a.conf", kubernetes_version="v1.36.2")[-2:] == [
        "--kubernetes-version", "v1.36.2"]
    assert kadm.upload_certs_command("kubeadm", "/k/a.conf")[1:5] == ["init", "phase", "upload-certs", "--upload-certs"]


# -- durations and times -------------------------------------------------------------------------
@pytest.mark.parametrize("value,seconds", [
    ("24h", 86400), ("1h30m", 5400), ("90m", 5400), ("2h0m0s", 7200), ("0", 0), ("0s", 0),
    ("1.5h", 5400), ("45s", 45), ("1500ms", 1),
])
def test_parse_duration(value, seconds):
    assert kadm.parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["", "24", "1d", "h", "1h 30m", "-1h", "24 hours"])
def test_parse_duration_rejects(value):
    with pytest.raises(ValueError):
        kadm.parse_duration(value)


@pytest.mark.parametrize("value,expected", [
    ("2026-11-23T04:35:24Z", datetime(2026, 11, 23, 4, 35, 24, tzinfo=timezone.utc)),
    ("2026-11-23T12:35:24+08:00", datetime(2026, 11, 23, 4, 35, 24, tzinfo=timezone.utc)),
    ("2019-07-09T19:05:04+08:00", datetime(2019, 7, 9, 11, 5, 4, tzinfo=timezone.utc)),
    ("2026-11-23T04:35:24.5Z", datetime(2026, 11, 23, 4, 35, 24, 500000, tzinfo=timezone.utc)),
])
def test_parse_time(value, expected):
    assert kadm.parse_time(value) == expected


def test_parse_time_rejects():
    with pytest.raises(ValueError):
        kadm.parse_time("tomorrow")


# -- token list -----------------------------------------------------------------------------------
def test_token_stream_of_real_output():
    tokens = kadm.parse_token_stream(kubeadm("token-list.json"))
    listed = [line.split()[0] for line in kubeadm("token-list.txt").splitlines()[1:]]
    assert [t["token"] for t in tokens] == listed  # same tokens as the table view
    proxy = [t for t in tokens if "Proxy" in t.get("description", "")]
    assert len(proxy) == 1 and "usages" not in proxy[0] and "groups" not in proxy[0]
    assert not kadm.is_join_token(proxy[0])
    assert sum(kadm.is_join_token(t) for t in tokens) == 4


@pytest.mark.parametrize("text,count", [
    ("", 0),
    ("\n", 0),
    ("[" + kubeadm("token-list.json").replace("}\n{", "},\n{") + "]", 5),           # an array instead
    ("[token] retrieving list of bootstrap tokens\n" + kubeadm("token-list.json"), 5),  # progress line
    ("W1122 04:35:24.930344    2436 version.go:108] warning\n" + kubeadm("token-list.json"), 5),  # klog line
])
def test_token_stream_shapes(text, count):
    assert len(kadm.parse_token_stream(text)) == count


@pytest.mark.parametrize("text,error", [
    ('{"token": "a"', "not valid JSON"),
    ("Error: something", "unexpected text"),
    ("[1, 2]", "printed a int"),
])
def test_token_stream_rejects(text, error):
    with pytest.raises(ValueError, match=error):
        kadm.parse_token_stream(text)


@pytest.mark.parametrize("min_ttl,chosen", [
    ("1h", "0vgjht.aps7nsq3rrju8f8o"),      # longest-living of the four join tokens
    ("23h", "0vgjht.aps7nsq3rrju8f8o"),
    ("23h55m", "0vgjht.aps7nsq3rrju8f8o"),  # expires 23h55m24s after NOW
    ("23h56m", None),                       # none lives that long: create one
])
def test_choose_token(min_ttl, chosen):
    tokens = kadm.parse_token_stream(kubeadm("token-list.json"))
    token = kadm.choose_token(tokens, NOW, kadm.parse_duration(min_ttl))
    assert (token["token"] if token else None) == chosen


def test_choose_token_skips_expired_and_short_lived():
    tokens = kadm.parse_token_stream(kubeadm("token-list.json"))
    later = datetime(2026, 11, 23, 4, 35, 0, tzinfo=timezone.utc)  # all but 0vgjht expired
    assert kadm.choose_token(tokens, later, 0)["token"] == "0vgjht.aps7nsq3rrju8f8o"
    assert kadm.choose_token(tokens, later, 60) is None


def test_never_expiring_token_is_preferred():
    tokens = kadm.parse_token_stream(kubeadm("token-list.json"))
    del tokens[3]["expires"]
    assert kadm.choose_token(tokens, NOW, 3600)["token"] == tokens[3]["token"]


def test_token_with_wrong_group_is_not_reused():
    tokens = kadm.parse_token_stream(kubeadm("token-list.json"))
    for token in tokens:
        token["groups"] = ["system:bootstrappers:custom"]
    assert kadm.choose_token(tokens, NOW, 0) is None


# -- token create, upload-certs, version ----------------------------------------------------------
@pytest.mark.parametrize("fixture,token", [
    ("token-create.txt", "w74gmv.augf1kevpt70ca90"),
    ("token-create-print-join-command.txt", "0vgjht.aps7nsq3rrju8f8o"),
])
def test_parse_created_token(fixture, token):
    assert kadm.parse_created_token(kubeadm(fixture)) == token


def test_parse_created_token_rejects():
    with pytest.raises(ValueError, match="no bootstrap token"):
        kadm.parse_created_token("timed out waiting for the condition\n")


@pytest.mark.parametrize("fixture,key", [
    ("upload-certs.txt", "4a3a646812020ba64a863f28cb627e3aef25273caa0c88341d6a02b3ca5f9a18"),  # warnings first
    ("kubeadm-init.txt", "81bbbd52f97c6c6ea8615944958f38c84ff4e027d3fd3b018c9487eaeda662c8"),
])
def test_parse_certificate_key(fixture, key):
    assert kadm.parse_certificate_key(kubeadm(fixture)) == key


def test_parse_certificate_key_rejects_warnings_only():
    warnings = "\n".join(kubeadm("upload-certs.txt").splitlines()[:3])
    with pytest.raises(ValueError, match="no certificate key"):
        kadm.parse_certificate_key(warnings)


def test_parse_version():
    assert kadm.parse_version(kubeadm("kubeadm-version.json")) == "v1.36.2"
    with pytest.raises(ValueError):
        kadm.parse_version("kubeadm version: &version.Info{}")


# -- join commands --------------------------------------------------------------------------------
def test_join_commands_of_kubeadm_init():
    control_plane, worker = init_join_commands()
    assert control_plane["control_plane"] is True and worker["control_plane"] is False
    assert control_plane["certificate_key"] == kadm.parse_certificate_key(kubeadm("kubeadm-init.txt"))
    assert control_plane["token"] == worker["token"] == "asrjq2.w1ulzaskcqhduwdr"
    assert control_plane["api_server_endpoint"] == worker["api_server_endpoint"] == "10.232.0.11:6443"
    assert worker["certificate_key"] is None and worker["other_args"] == []


def test_build_join_command_round_trip():
    parts = init_join_commands()[0]
    built = kadm.build_join_command(parts["api_server_endpoint"], parts["token"], parts["ca_cert_hashes"],
                                    parts["certificate_key"])
    assert kadm.parse_join_command(built) == parts
    worker = kadm.build_join_command("10.232.0.11:6443", parts["token"], parts["ca_cert_hashes"])
    assert worker == kubeadm("token-create-print-join-command.txt").strip().replace("0vgjht.aps7nsq3rrju8f8o", parts["token"])


# -- CA hash ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("use_cryptography", [True, False])
def test_ca_hash_matches_kubeadm(use_cryptography):
    if use_cryptography and not kadm.HAS_CRYPTOGRAPHY:
        pytest.skip("cryptography not installed")
    assert kadm.ca_cert_hashes(kubeadm("ca.crt"), use_cryptography=use_cryptography) == [known_ca_hash()]


def test_ca_bundle_gives_one_hash_per_certificate():
    bundle = kubeadm("ca.crt") + kubeadm("ca.crt")
    assert kadm.ca_cert_hashes(bundle, use_cryptography=False) == [known_ca_hash()] * 2


@pytest.mark.parametrize("text,error", [
    ("not a certificate", "no PEM certificate"),
    ("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "not valid base64"),
    ("-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n", "malformed|not a certificate|no tbs"),
])
def test_ca_hash_rejects(text, error):
    for use_cryptography in (True, False):
        with pytest.raises(ValueError, match=error):
            kadm.ca_cert_hashes(text, use_cryptography=use_cryptography)


def test_spki_is_the_same_either_way():
    der = kadm.pem_certificates(kubeadm("ca.crt"))[0]
    if not kadm.HAS_CRYPTOGRAPHY:
        pytest.skip("cryptography not installed")
    assert kadm.spki_from_der(der) == kadm.spki_with_cryptography(der)


def test_truncated_certificate_is_rejected():
    der = kadm.pem_certificates(kubeadm("ca.crt"))[0]
    with pytest.raises(ValueError):
        kadm.spki_from_der(der[:200])


# -- kubeconfig --------------------------------------------------------------------------------------
@pytest.mark.parametrize("use_yaml", [True, False])
def test_kubeconfig_cluster(monkeypatch, use_yaml):
    monkeypatch.setattr(kadm, "HAS_YAML", use_yaml and kadm.HAS_YAML)
    cluster = kadm.kubeconfig_cluster(admin_conf())
    assert kadm.endpoint_from_server(cluster["server"]) == "10.232.0.11:6443"
    assert kadm.ca_cert_hashes(kadm.decode_ca_data(cluster["certificate_authority_data"])) == [known_ca_hash()]


@pytest.mark.parametrize("server,endpoint", [
    ("https://10.232.0.11:6443", "10.232.0.11:6443"),
    ("https://55.192.0.1:6553/", "55.192.0.1:6553"),
    ("https://[fd00::10]:6443", "[fd00::10]:6443"),
    ("cp.example.com:6443", "cp.example.com:6443"),
])
def test_endpoint_from_server(server, endpoint):
    assert kadm.endpoint_from_server(server) == endpoint


def test_endpoint_from_server_rejects():
    with pytest.raises(ValueError):
        kadm.endpoint_from_server("https://10.0.0.1:6443/prefix")


def test_kubeconfig_without_server_is_rejected():
    with pytest.raises(ValueError):
        kadm.kubeconfig_cluster("apiVersion: v1\nkind: Config\nclusters: []\n")


# -- errors -------------------------------------------------------------------------------------------
# A real kubeadm token list failure with the API server down (older kubeadm, from a public runbook),
# and the same error in the errors.Wrap shape kubeadm >= 1.19 prints.
REFUSED_OLD = ("failed to list bootstrap tokens [Get https://192.168.5.221:6443/api/v1/namespaces/kube-system/secrets?"
               "fieldSelector=type%3Dbootstrap.kubernetes.io%2Ftoken: dial tcp 192.168.5.221:6443: connect: connection refused]")
REFUSED = ('failed to list bootstrap tokens: Get "https://10.232.0.11:6443/api/v1/namespaces/kube-system/secrets?'
           'fieldSelector=type%3Dbootstrap.kubernetes.io%2Ftoken": dial tcp 10.232.0.11:6443: connect: connection refused\n'
           "To see the stack trace of this error execute with --v=5 or higher")
EXPIRED = ('failed to list bootstrap tokens: Get "https://10.232.0.11:6443/api/v1/namespaces/kube-system/secrets": '
           "tls: failed to verify certificate: x509: certificate has expired or is not yet valid")


@pytest.mark.parametrize("stderr,kind,hint", [
    (REFUSED_OLD, "unreachable", "unreachable"),
    (REFUSED, "unreachable", "kube-apiserver static pod"),
    (EXPIRED, "auth", "certs check-expiration"),
    ("error: unknown flag: --foo", None, None),
])
def test_command_failure(stderr, kind, hint):
    message, got_kind = kadm.command_failure("listing bootstrap tokens", ["kubeadm", "token", "list", "--kubeconfig"],
                                             1, "", stderr, endpoint="10.232.0.11:6443", kubeconfig="/etc/kubernetes/admin.conf")
    assert got_kind == kind
    assert message.startswith("listing bootstrap tokens failed (kubeadm token list --kubeconfig, exit code 1)")
    assert (hint in message) if hint else ("Hint" not in message)


def test_redact_masks_tokens_and_keys_but_not_ca_hashes():
    text = kubeadm("kubeadm-init.txt")
    masked = kadm.redact(text)
    assert "asrjq2.w1ulzaskcqhduwdr" not in masked
    assert "81bbbd52f97c6c6ea8615944958f38c84ff4e027d3fd3b018c9487eaeda662c8" not in masked
    assert known_ca_hash() in masked


def test_error_excerpt_never_shows_secrets():
    excerpt = kadm.error_excerpt(kubeadm("kubeadm-init.txt"), "")
    assert "asrjq2" not in excerpt and "<token>" in excerpt
