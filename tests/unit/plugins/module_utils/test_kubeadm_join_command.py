# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""parse_join_command (module_utils/_kubeadm.py, used by kubeadm_join_info) on join commands as kubeadm
and the source runbooks print them."""
from __future__ import annotations

import pytest

from ansible_collections.aiinfra.k8s.plugins.module_utils._kubeadm import parse_join_command
from ansible_collections.aiinfra.k8s.tests.unit.plugins.modules.utils import read_fixture

HASH = "sha256:61f2069967536edca73012ace7e6c3114e6d00ebf6f45147d2beedad295ece87"
# Seed runbook 001 (RHEL 8, HA behind a VIP on port 6553): a control-plane join without a
# certificate key (certificates copied by hand), with two spaces before --control-plane.
SEED_001_CP = ("kubeadm join 55.192.0.1:6553 --token o5w3av.b8q93vby3x1s4fh7 --discovery-token-ca-cert-hash "
               "sha256:cfe5bb6654ee06277718b2fbf0f580c446f2b8fbbb315db02cab82177b09d521  --control-plane")
# Seed runbook 002: its token has 7 characters before the dot, which kubeadm would refuse.
SEED_002_WORKER = ("kubeadm join 192.168.120.1:6443 --token z9sdsdi.tdeu74psxqi8rhdt \\\n"
                   "    --discovery-token-ca-cert-hash sha256:87c4f8dd9dabaf2e5e793c0404c74dd8f9f56153000dad3c1a3238a3e8b0beff")


def init_block(which):
    """One join command block of the real kubeadm init output (continuation lines, tabs)."""
    text = read_fixture("kubeadm", "kubeadm-init.txt")
    blocks = text.split("kubeadm join ")[1:]
    return "kubeadm join " + blocks[which].split("\n\n")[0]


def test_worker_join_printed_by_token_create():
    parts = parse_join_command(read_fixture("kubeadm", "token-create-print-join-command.txt"))
    assert parts == {"api_server_endpoint": "10.232.0.11:6443", "token": "0vgjht.aps7nsq3rrju8f8o",
                     "ca_cert_hashes": [HASH], "control_plane": False, "certificate_key": None,
                     "unsafe_skip_ca_verification": False, "other_args": []}


def test_multi_line_join_commands_of_kubeadm_init():
    control_plane = parse_join_command(init_block(0))
    worker = parse_join_command(init_block(1))
    assert "\\\n\t--control-plane" in init_block(0)  # the real shape: backslash, newline, tab
    assert control_plane["control_plane"] is True
    assert control_plane["certificate_key"] == "81bbbd52f97c6c6ea8615944958f38c84ff4e027d3fd3b018c9487eaeda662c8"
    assert worker["control_plane"] is False and worker["certificate_key"] is None
    assert control_plane["token"] == worker["token"] and worker["ca_cert_hashes"] == [HASH]


def test_seed_control_plane_join_without_key():
    parts = parse_join_command(SEED_001_CP)
    assert parts["api_server_endpoint"] == "55.192.0.1:6553" and parts["control_plane"] is True
    assert parts["certificate_key"] is None


@pytest.mark.parametrize("command,other", [
    ("sudo " + read_fixture("kubeadm", "token-create-print-join-command.txt").strip() + " --node-name w1", ["--node-name", "w1"]),
    (read_fixture("kubeadm", "token-create-print-join-command.txt").strip() + " --cri-socket=unix:///run/containerd/containerd.sock",
     ["--cri-socket=unix:///run/containerd/containerd.sock"]),
])
def test_other_arguments_are_kept(command, other):
    assert parse_join_command(command)["other_args"] == other


def test_equals_form_and_several_hashes():
    command = "kubeadm join 10.0.0.1:6443 --token=abcdef.0123456789abcdef --discovery-token-ca-cert-hash=%s " \
              "--discovery-token-ca-cert-hash %s" % (HASH, HASH.replace("61f2", "72f2"))
    parts = parse_join_command(command)
    assert parts["token"] == "abcdef.0123456789abcdef" and len(parts["ca_cert_hashes"]) == 2


def test_unsafe_skip_without_hash():
    parts = parse_join_command("kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef "
                               "--discovery-token-unsafe-skip-ca-verification")
    assert parts["unsafe_skip_ca_verification"] is True and parts["ca_cert_hashes"] == []


@pytest.mark.parametrize("text,error", [
    (SEED_002_WORKER, "not a bootstrap token"),
    (read_fixture("kubeadm", "kubeadm-init.txt"), "found 2"),
    ("kubectl get nodes", "found 0"),
    (42, "expected a kubeadm join command string"),
    ("kubeadm join --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash " + HASH, "no API server endpoint"),
    ("kubeadm join 10.0.0.1:6443 --discovery-token-ca-cert-hash " + HASH, "no --token"),
    ("kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef", "no --discovery-token-ca-cert-hash"),
    ("kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:abc", "is not sha256"),
    ("kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash " + HASH
     + " --certificate-key " + "ab" * 32, "only valid with --control-plane"),
    ("kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash " + HASH
     + " --control-plane --certificate-key xyz", "not 64 hex digits"),
    ("kubeadm join 10.0.0.1:6443 --token", "--token has no value"),
    ("kubeadm join 10.0.0.1:6443 --token 'abcdef.0123456789abcdef", "cannot split"),
])
def test_bad_input_raises_value_error(text, error):
    with pytest.raises(ValueError, match=error) as info:
        parse_join_command(text)
    message = str(info.value)
    for secret in ("z9sdsdi.tdeu74psxqi8rhdt", "abcdef.0123456789abcdef", "xyz", "asrjq2.w1ulzaskcqhduwdr"):
        assert secret not in message
