# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""kubeadm_join_info main() with kubeadm answering with real kubeadm v1.36.2 output."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from ansible_collections.aiinfra.k8s.plugins.module_utils import _kubeadm as kadm
from ansible_collections.aiinfra.k8s.plugins.modules import kubeadm_join_info
from ansible_collections.aiinfra.k8s.tests.unit.plugins.modules.utils import (
    Commands, admin_conf, read_fixture, run_module)

NOW = datetime(2026, 11, 22, 4, 40, 0, tzinfo=timezone.utc)
KUBEADM = "/usr/bin/kubeadm"
SECRET_RE = re.compile(r"[a-z0-9]{6}\.[a-z0-9]{16}|(?<![:a-f0-9])[a-f0-9]{64}")
REFUSED = ('failed to list bootstrap tokens: Get "https://10.232.0.11:6443/api/v1/namespaces/kube-system/secrets?'
           'fieldSelector=type%3Dbootstrap.kubernetes.io%2Ftoken": dial tcp 10.232.0.11:6443: connect: connection refused\n'
           "To see the stack trace of this error execute with --v=5 or higher")


def kubeadm(name):
    return read_fixture("kubeadm", name)


def ca_hash():
    return kadm.parse_join_command(kubeadm("token-create-print-join-command.txt"))["ca_cert_hashes"][0]


def only_proxy_token():
    """The real token list without its join tokens: what a cluster looks like once they expired."""
    tokens = kubeadm("token-list.json").split("}\n{")
    return "{" + [t for t in tokens if "Proxy" in t][0] + "}\n"


@pytest.fixture
def node(tmp_path, monkeypatch):
    """A first master's files: admin.conf and pki/ca.crt of the fixture cluster."""
    monkeypatch.setattr(kubeadm_join_info, "now_utc", lambda: NOW)
    (tmp_path / "pki").mkdir()
    (tmp_path / "pki" / "ca.crt").write_text(kubeadm("ca.crt"))
    (tmp_path / "admin.conf").write_text(admin_conf())
    return dict(kubeconfig=str(tmp_path / "admin.conf"), ca_cert_path=str(tmp_path / "pki" / "ca.crt"))


def run(args, commands, check_mode=False, bin_path=KUBEADM):
    kind, result = run_module(kubeadm_join_info.main, args, commands, bin_path=bin_path, check_mode=check_mode)
    if kind == "fail":
        assert not SECRET_RE.search(result["msg"]), "a secret leaked into msg: %s" % result["msg"]
    return kind, result


def listing(text=None):
    return (("token", "list"), (0, kubeadm("token-list.json") if text is None else text, ""))


def test_reuses_a_valid_token(node):
    commands = Commands(listing())
    kind, result = run(node, commands)
    assert kind == "exit" and result["changed"] is False and result["token_created"] is False
    assert result["token"] == "0vgjht.aps7nsq3rrju8f8o" and result["token_expires"] == "2026-11-23T04:35:24Z"
    assert result["ca_cert_hashes"] == [ca_hash()] and result["ca_cert_hash_checked_with"] == ["kubeconfig"]
    assert result["api_server_endpoint"] == "10.232.0.11:6443"
    assert result["join_command"] == kubeadm("token-create-print-join-command.txt").strip()
    assert result["certificate_key"] is None and result["control_plane_join_command"] is None
    assert commands.calls == [[KUBEADM, "token", "list", "--kubeconfig", node["kubeconfig"], "-o", "json"]]


@pytest.mark.parametrize("token_list", ["", only_proxy_token()])
def test_creates_a_token_when_none_is_reusable(node, token_list):
    commands = Commands(listing(token_list), (("token", "create"), (0, kubeadm("token-create-print-join-command.txt"), "")))
    kind, result = run(dict(node, token_ttl="2h"), commands)
    assert kind == "exit" and result["changed"] is True and result["token_created"] is True
    assert result["token"] == "0vgjht.aps7nsq3rrju8f8o" and result["token_expires"] == "2026-11-22T06:40:00Z"
    assert result["ca_cert_hash_checked_with"] == ["kubeconfig", "kubeadm"]
    create = commands.called("token", "create")[0]
    assert create[create.index("--ttl") + 1] == "2h" and "--print-join-command" in create


def test_token_that_never_expires(node):
    commands = Commands(listing(""), (("token", "create"), (0, kubeadm("token-create-print-join-command.txt"), "")))
    kind, result = run(dict(node, token_ttl="0"), commands)
    assert kind == "exit" and result["token_expires"] is None


def test_kubeconfig_with_a_relative_ca_file(node, tmp_path):
    conf = admin_conf().replace("certificate-authority-data: ", "certificate-authority: pki/ca.crt\n    x-unused: ")
    (tmp_path / "admin.conf").write_text(conf)
    kind, result = run(node, Commands(listing()))
    assert kind == "exit" and result["ca_cert_hash_checked_with"] == ["kubeconfig"]


def test_kubeconfig_without_ca_skips_that_check(node, tmp_path):
    conf = admin_conf().replace("certificate-authority-data: ", "insecure-skip-tls-verify: true\n    x-unused: ")
    (tmp_path / "admin.conf").write_text(conf)
    kind, result = run(node, Commands(listing()))
    assert kind == "exit" and result["ca_cert_hash_checked_with"] == [] and result["ca_cert_hashes"] == [ca_hash()]


def test_check_mode_creates_nothing(node):
    commands = Commands(listing(""))
    kind, result = run(dict(node, control_plane=True), commands, check_mode=True)
    assert kind == "exit" and result["changed"] is True and result["token_created"] is True
    assert result["token"] is None and result["join_command"] is None and result["certificate_key"] is None
    assert [c[1:3] for c in commands.calls] == [["token", "list"]]


def test_check_mode_with_a_reusable_token_reports_no_change(node):
    kind, result = run(node, Commands(listing()), check_mode=True)
    assert kind == "exit" and result["changed"] is False and result["token"] == "0vgjht.aps7nsq3rrju8f8o"


def test_min_token_ttl_forces_a_new_token(node):
    commands = Commands(listing(), (("token", "create"), (0, kubeadm("token-create-print-join-command.txt"), "")))
    kind, result = run(dict(node, min_token_ttl="23h56m", token_ttl="48h"), commands)
    assert kind == "exit" and result["token_created"] is True


def test_control_plane_uploads_certs_offline_safe(node):
    commands = Commands(listing(), (("version",), (0, kubeadm("kubeadm-version.json"), "")),
                        (("init", "phase", "upload-certs"), (0, kubeadm("upload-certs.txt"), "")))
    kind, result = run(dict(node, control_plane=True), commands)
    key = "4a3a646812020ba64a863f28cb627e3aef25273caa0c88341d6a02b3ca5f9a18"
    assert kind == "exit" and result["changed"] is True and result["token_created"] is False
    assert result["certificate_key"] == key
    assert result["control_plane_join_command"] == result["join_command"] + " --control-plane --certificate-key " + key
    upload = commands.called("init", "phase", "upload-certs")[0]
    assert upload[-2:] == ["--kubernetes-version", "v1.36.2"] and "--upload-certs" in upload
    parsed = kadm.parse_join_command(result["control_plane_join_command"])
    assert parsed["control_plane"] is True and parsed["certificate_key"] == key


def test_control_plane_with_kubeadm_config(node, tmp_path):
    config = tmp_path / "kubeadm-config.yaml"
    config.write_text("apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n")
    commands = Commands(listing(), (("init", "phase", "upload-certs"), (0, kubeadm("upload-certs.txt"), "")))
    kind, result = run(dict(node, control_plane=True, kubeadm_config=str(config)), commands)
    assert kind == "exit" and commands.called("init")[0][-2:] == ["--config", str(config)]
    assert not commands.called("version")


def test_api_server_endpoint_override(node):
    commands = Commands(listing(""), (("token", "create"), (0, kubeadm("token-create-print-join-command.txt"), "")))
    kind, result = run(dict(node, api_server_endpoint="55.192.0.1:6553"), commands)
    assert kind == "exit" and result["api_server_endpoint"] == "55.192.0.1:6553"
    assert result["join_command"].startswith("kubeadm join 55.192.0.1:6553 --token ")


# -- failures: each before anything changes, each saying what to do, none showing a secret ---------
def test_kubeadm_not_found(node):
    commands = Commands()
    kind, result = run(node, commands, bin_path=None)
    assert kind == "fail" and "kubeadm was not found" in result["msg"] and commands.calls == []


def test_node_not_initialised(node, tmp_path):
    kind, result = run(dict(node, kubeconfig=str(tmp_path / "missing.conf")), Commands())
    assert kind == "fail" and "not an initialised control plane" in result["msg"]


def test_ca_certificate_missing(node, tmp_path):
    kind, result = run(dict(node, ca_cert_path=str(tmp_path / "nope.crt")), Commands())
    assert kind == "fail" and "set ca_cert_path" in result["msg"]


def test_ca_certificate_not_of_this_cluster(node, tmp_path):
    (tmp_path / "bundle.crt").write_text(kubeadm("ca.crt") * 2)
    (tmp_path / "admin.conf").write_text(admin_conf(ca_pem=kubeadm("ca.crt") * 2))
    other = Commands(listing(""), (("token", "create"), (0, kubeadm("token-create-print-join-command.txt"), "")))
    # the kubeconfig and ca_cert_path agree (both bundles); kubeadm prints a single hash: mismatch
    kind, result = run(dict(node, ca_cert_path=str(tmp_path / "bundle.crt")), other)
    assert kind == "fail" and "kubeadm printed CA hash" in result["msg"]


def test_kubeconfig_ca_mismatch(node, tmp_path):
    (tmp_path / "admin.conf").write_text(admin_conf(ca_pem=kubeadm("ca.crt") * 2))
    commands = Commands()
    kind, result = run(node, commands)
    assert kind == "fail" and "is not this cluster's CA" in result["msg"] and commands.calls == []


def test_api_server_unreachable(node):
    kind, result = run(node, Commands((("token", "list"), (1, "", REFUSED))))
    assert kind == "fail" and result["error_kind"] == "unreachable"
    assert "API server at 10.232.0.11:6443 is unreachable" in result["msg"]


def test_upload_certs_failing(node):
    error = ("error execution phase upload-certs: error uploading certs: error creating token: "
             "timed out waiting for the condition\nTo see the stack trace of this error execute with --v=5 or higher")
    commands = Commands(listing(), (("version",), (0, kubeadm("kubeadm-version.json"), "")),
                        (("init", "phase", "upload-certs"), (1, "", error)))
    kind, result = run(dict(node, control_plane=True), commands)
    assert kind == "fail" and result["msg"].startswith("uploading the control-plane certificates failed")
    assert "timed out waiting for the condition" in result["msg"]


def test_upload_certs_without_key(node):
    warnings = "\n".join(kubeadm("upload-certs.txt").splitlines()[:3])
    commands = Commands(listing(), (("init", "phase", "upload-certs"), (0, warnings, "")))
    kind, result = run(dict(node, control_plane=True, kubernetes_version="v1.36.2"), commands)
    assert kind == "fail" and "printed no certificate key" in result["msg"]


def test_token_create_failing_hides_the_token(node):
    # Anything token-shaped kubeadm prints is masked in msg (run() checks every failure).
    commands = Commands(listing(""), (("token", "create"), (1, "", 'token "0vgjht.aps7nsq3rrju8f8o" already exists')))
    kind, result = run(node, commands)
    assert kind == "fail" and "<token>" in result["msg"]


@pytest.mark.parametrize("args,error", [
    ({"token_ttl": "1 day"}, "token_ttl: "),
    ({"min_token_ttl": "soon"}, "min_token_ttl: "),
    ({"token_ttl": "30m"}, "must be longer than min_token_ttl"),
    ({"kubeadm_config": "/etc/kubernetes/kubeadm.yaml", "kubernetes_version": "v1.36.2"}, "mutually exclusive"),
])
def test_bad_input_fails_before_any_command(node, args, error):
    commands = Commands()
    kind, result = run(dict(node, **args), commands)
    assert kind == "fail" and error in result["msg"] and commands.calls == []
