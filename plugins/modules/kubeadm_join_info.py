#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: kubeadm_join_info
short_description: Everything a node needs to join a kubeadm cluster, without leaking it
version_added: 0.1.0
author: aiinfra.k8s contributors (@aiinfra)
extends_documentation_fragment:
  - aiinfra.k8s.attributes
description:
  - Runs on an initialised control-plane node (normally the first master, through
    C(delegate_to)) and returns the API server endpoint, a bootstrap token, the CA
    certificate hash(es) and ready-made C(kubeadm join) command lines.
  - Reuses an existing join token (C(kubeadm token list -o json)) that still has more than
    O(min_token_ttl) to live, so a re-run reports C(changed=false). Creates a token with
    O(token_ttl) only when none qualifies, with C(kubeadm token create --print-join-command).
  - Computes the CA hash itself (sha256 of the DER SubjectPublicKeyInfo of O(ca_cert_path)) and
    cross-checks it on every run with the CA embedded in O(kubeconfig) (the certificate kubeadm
    itself hashes), and, when it creates a token, with the hash kubeadm printed. A mismatch fails.
  - With O(control_plane=true) it also uploads the control-plane certificates
    (C(kubeadm init phase upload-certs --upload-certs)) and returns the new certificate key.
    Every upload makes a new key, so this is reported as a change; ask for it only when a
    control-plane join is actually pending (the uploaded certificates expire after two hours).
  - The returned C(token), C(certificate_key), C(join_command) and C(control_plane_join_command)
    are secrets. Register the result with C(no_log=true) on the task (see the examples). This
    module never puts them in C(msg), and masks anything token-shaped in kubeadm output it reports.
options:
  kubeadm_path:
    description:
      - Path or name of the C(kubeadm) binary. A bare name is searched on E(PATH) and in
        V(/usr/bin), V(/usr/local/bin) and V(/opt/bin).
    type: str
    default: kubeadm
  kubeconfig:
    description:
      - Admin kubeconfig of the cluster. Its absence means the node is not an initialised
        control plane, and the module fails.
    type: path
    default: /etc/kubernetes/admin.conf
  ca_cert_path:
    description: Cluster CA certificate (a bundle of several certificates gives several hashes).
    type: path
    default: /etc/kubernetes/pki/ca.crt
  token_ttl:
    description:
      - Lifetime of a token the module creates, as a Go duration (V(24h), V(2h30m)); V(0) never expires.
    type: str
    default: 24h
  min_token_ttl:
    description:
      - Remaining lifetime an existing token needs to be reused, as a Go duration. Set it longer
        than the joins that follow will take.
    type: str
    default: 1h
  control_plane:
    description:
      - Also upload the control-plane certificates and return C(certificate_key) and
        C(control_plane_join_command). Reports C(changed=true) every time.
    type: bool
    default: false
  kubeadm_config:
    description:
      - kubeadm configuration file passed as C(--config) to C(kubeadm init phase upload-certs).
      - Without it and without O(kubernetes_version), the module passes the local kubeadm's own
        version, so kubeadm never tries to reach dl.k8s.io (offline-safe).
    type: path
  kubernetes_version:
    description:
      - Kubernetes version passed as C(--kubernetes-version) to C(kubeadm init phase upload-certs).
    type: str
  api_server_endpoint:
    description:
      - C(host:port) the joining nodes should use (for example the VIP and load-balancer port),
        instead of the server of O(kubeconfig).
    type: str
attributes:
  check_mode:
    support: full
    details: Lists tokens (read-only) and reports what it would create; creates no token and uploads nothing.
  diff_mode:
    support: none
requirements:
  - kubeadm on the node; the API server reachable from it.
notes:
  - The CA hash is computed with the C(cryptography) library when the node's Python has it, and
    otherwise by reading the certificate's DER structure directly; both give kubeadm's value.
  - A token is reused only when it has usages C(authentication) and C(signing) and the group
    C(system:bootstrappers:kubeadm:default-node-token) (what C(kubeadm join) needs); among those
    the longest-living one is chosen.
seealso:
  - name: kubeadm token
    description: kubeadm token reference.
    link: https://kubernetes.io/docs/reference/setup-tools/kubeadm/kubeadm-token/
  - name: kubeadm init phase upload-certs
    description: Uploading control-plane certificates to the cluster.
    link: https://kubernetes.io/docs/reference/setup-tools/kubeadm/kubeadm-init-phase/#cmd-phase-upload-certs
"""

EXAMPLES = r"""
- name: Get worker join parameters from the first master
  aiinfra.k8s.kubeadm_join_info:
  delegate_to: "{{ groups['masters'][0] }}"
  run_once: true
  register: join_info
  no_log: true

- name: Join the workers
  ansible.builtin.command:
    cmd: "{{ join_info.join_command }}"
    creates: /etc/kubernetes/kubelet.conf
  no_log: true

- name: Control-plane join parameters (only when a master still has to join)
  aiinfra.k8s.kubeadm_join_info:
    control_plane: true
    kubeadm_config: /etc/kubernetes/kubeadm-config.yaml
    api_server_endpoint: "{{ k8s_api_vip }}:{{ k8s_api_port }}"
  delegate_to: "{{ groups['masters'][0] }}"
  run_once: true
  when: pending_masters | length > 0
  register: cp_join_info
  no_log: true
"""

RETURN = r"""
api_server_endpoint:
  description: C(host:port) of the API server the join commands use.
  returned: always
  type: str
  sample: 10.232.0.11:6443
token:
  description: Bootstrap token (secret). V(null) in check mode when one would be created.
  returned: always
  type: str
  sample: abcdef.0123456789abcdef
token_created:
  description: Whether a new token was (or, in check mode, would be) created.
  returned: always
  type: bool
  sample: false
token_expires:
  description: Expiry of the token (RFC 3339, UTC), V(null) when it never expires.
  returned: always
  type: str
  sample: "2026-11-23T04:35:24Z"
ca_cert_hashes:
  description: C(sha256:<hex>) of each CA certificate, as C(--discovery-token-ca-cert-hash) takes them.
  returned: always
  type: list
  elements: str
  sample: ["sha256:61f2069967536edca73012ace7e6c3114e6d00ebf6f45147d2beedad295ece87"]
ca_cert_hash_checked_with:
  description: Independent sources that agreed with the computed hash (V(kubeconfig), V(kubeadm)).
  returned: always
  type: list
  elements: str
  sample: ["kubeconfig"]
certificate_key:
  description:
    - Certificate key of the uploaded control-plane certificates (secret), valid two hours.
    - V(null) unless O(control_plane=true), and in check mode.
  returned: always
  type: str
  sample: null
join_command:
  description: Worker join command (secret, it contains the token). V(null) when no token is available (check mode).
  returned: always
  type: str
  sample: kubeadm join 10.232.0.11:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:61f2...
control_plane_join_command:
  description: Control-plane join command (secret). V(null) unless a certificate key was produced.
  returned: always
  type: str
  sample: null
"""

import os
from datetime import datetime, timedelta, timezone

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.aiinfra.k8s.plugins.module_utils import _kubeadm as kadm

SEARCH_DIRS = ["/usr/bin", "/usr/local/bin", "/opt/bin"]


def now_utc():
    return datetime.now(timezone.utc)


class JoinInfo(object):
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.kubeconfig = module.params["kubeconfig"]
        self.kubeadm = None
        self.endpoint = None
        self.result = dict(changed=False, api_server_endpoint=None, token=None, token_created=False,
                           token_expires=None, ca_cert_hashes=[], ca_cert_hash_checked_with=[],
                           certificate_key=None, join_command=None, control_plane_join_command=None)

    def fail(self, msg, **extra):
        self.module.fail_json(msg=msg, **extra)

    def run(self, what, command):
        rc, out, err = self.module.run_command(command, environ_update={"LC_ALL": "C"})
        if rc != 0:
            msg, kind = kadm.command_failure(what, command, rc, out, err, self.endpoint, self.kubeconfig)
            self.fail(msg, rc=rc, error_kind=kind)
        return out, err

    # -- checks before anything runs -----------------------------------------------------------
    def preflight(self):
        try:
            self.token_ttl = kadm.parse_duration(self.params["token_ttl"])
        except ValueError as exc:
            self.fail("token_ttl: %s" % exc)
        try:
            self.min_ttl = kadm.parse_duration(self.params["min_token_ttl"])
        except ValueError as exc:
            self.fail("min_token_ttl: %s" % exc)
        if self.token_ttl and self.token_ttl <= self.min_ttl:
            self.fail("token_ttl (%s) must be longer than min_token_ttl (%s), or a new token would never be reused"
                      % (self.params["token_ttl"], self.params["min_token_ttl"]))
        name = self.params["kubeadm_path"]
        if os.sep in name:
            self.kubeadm = name if os.path.isfile(name) and os.access(name, os.X_OK) else None
        else:
            self.kubeadm = self.module.get_bin_path(name, opt_dirs=SEARCH_DIRS)
        if not self.kubeadm:
            self.fail("kubeadm was not found (kubeadm_path=%s; searched PATH and %s): run the module on an "
                      "initialised control-plane node, or set kubeadm_path to where kubeadm is installed" % (name, ", ".join(SEARCH_DIRS)))
        if not os.path.isfile(self.kubeconfig):
            self.fail("%s does not exist: this node is not an initialised control plane. Run the module on the "
                      "first master after kubeadm init (delegate_to: \"{{ groups['masters'][0] }}\"), or set "
                      "kubeconfig" % self.kubeconfig)
        if not os.path.isfile(self.params["ca_cert_path"]):
            self.fail("%s does not exist: set ca_cert_path to the cluster CA certificate" % self.params["ca_cert_path"])

    def read(self, path):
        try:
            with open(path, "r") as handle:
                return handle.read()
        except (IOError, OSError) as exc:
            self.fail("cannot read %s: %s" % (path, exc))

    # -- CA hash and endpoint ------------------------------------------------------------------
    def ca_hashes(self):
        path = self.params["ca_cert_path"]
        try:
            hashes = kadm.ca_cert_hashes(self.read(path))
        except ValueError as exc:
            self.fail("%s: %s" % (path, exc))
        try:
            cluster = kadm.kubeconfig_cluster(self.read(self.kubeconfig))
        except ValueError as exc:
            self.fail("%s: %s" % (self.kubeconfig, exc))
        ca_pem = None
        if cluster["certificate_authority_data"]:
            try:
                ca_pem = kadm.decode_ca_data(cluster["certificate_authority_data"])
            except ValueError as exc:
                self.fail("%s: %s" % (self.kubeconfig, exc))
        elif cluster["certificate_authority"]:
            # kubeconfig paths are relative to the kubeconfig's directory
            ca_pem = self.read(os.path.join(os.path.dirname(self.kubeconfig), cluster["certificate_authority"]))
        if ca_pem is not None:
            try:
                kubeconfig_hashes = kadm.ca_cert_hashes(ca_pem)
            except ValueError as exc:
                self.fail("%s: its certificate authority: %s" % (self.kubeconfig, exc))
            if sorted(kubeconfig_hashes) != sorted(hashes):
                self.fail("the CA of %s (%s) differs from %s (%s): ca_cert_path is not this cluster's CA"
                          % (self.kubeconfig, ", ".join(kubeconfig_hashes), path, ", ".join(hashes)))
            self.result["ca_cert_hash_checked_with"].append("kubeconfig")
        override = self.params["api_server_endpoint"]
        try:
            self.endpoint = kadm.endpoint_from_server(override or cluster["server"])
        except ValueError as exc:
            self.fail("%s: %s" % ("api_server_endpoint" if override else self.kubeconfig, exc))
        return hashes

    # -- token ---------------------------------------------------------------------------------
    def token(self, hashes, now):
        out, _err = self.run("listing bootstrap tokens", kadm.token_list_command(self.kubeadm, self.kubeconfig))
        try:
            tokens = kadm.parse_token_stream(out)
            chosen = kadm.choose_token(tokens, now, self.min_ttl)
        except ValueError as exc:
            self.fail("cannot read kubeadm token list output: %s" % exc)
        if chosen is not None:
            self.result.update(token=chosen["token"], token_expires=chosen.get("expires"))
            return
        self.result.update(changed=True, token_created=True)
        if self.module.check_mode:
            return
        ttl = self.params["token_ttl"]
        out, _err = self.run("creating a bootstrap token", kadm.token_create_command(self.kubeadm, self.kubeconfig, ttl))
        try:
            printed = kadm.parse_join_command(out)
        except ValueError as exc:
            self.fail("cannot read kubeadm token create output: %s" % exc)
        if sorted(printed["ca_cert_hashes"]) != sorted(hashes):
            self.fail("kubeadm printed CA hash(es) %s but %s hashes to %s: ca_cert_path is not this cluster's CA"
                      % (", ".join(printed["ca_cert_hashes"]), self.params["ca_cert_path"], ", ".join(hashes)))
        self.result["ca_cert_hash_checked_with"].append("kubeadm")
        if not self.params["api_server_endpoint"]:
            self.endpoint = printed["api_server_endpoint"]
        expires = None if self.token_ttl == 0 else kadm.format_time(now + timedelta(seconds=self.token_ttl))
        self.result.update(token=printed["token"], token_expires=expires)

    # -- certificate key -----------------------------------------------------------------------
    def certificate_key(self):
        self.result["changed"] = True
        if self.module.check_mode:
            return
        version = self.params["kubernetes_version"]
        if not self.params["kubeadm_config"] and not version:
            out, _err = self.run("reading the kubeadm version", kadm.version_command(self.kubeadm))
            try:
                version = kadm.parse_version(out)
            except ValueError as exc:
                self.fail(str(exc))
        command = kadm.upload_certs_command(self.kubeadm, self.kubeconfig, self.params["kubeadm_config"], version)
        out, _err = self.run("uploading the control-plane certificates", command)
        try:
            self.result["certificate_key"] = kadm.parse_certificate_key(out)
        except ValueError as exc:
            self.fail("%s; check the command by hand on this node: %s" % (exc, " ".join(command)))

    def execute(self):
        self.preflight()
        hashes = self.ca_hashes()
        self.result["ca_cert_hashes"] = hashes
        self.token(hashes, now_utc())
        if self.params["control_plane"]:
            self.certificate_key()
        token, key = self.result["token"], self.result["certificate_key"]
        self.result["api_server_endpoint"] = self.endpoint
        if token:
            self.result["join_command"] = kadm.build_join_command(self.endpoint, token, hashes)
            if key:
                self.result["control_plane_join_command"] = kadm.build_join_command(self.endpoint, token, hashes, key)
        return self.result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            kubeadm_path=dict(type="str", default="kubeadm"),
            kubeconfig=dict(type="path", default="/etc/kubernetes/admin.conf"),
            ca_cert_path=dict(type="path", default="/etc/kubernetes/pki/ca.crt"),
            token_ttl=dict(type="str", default="24h", no_log=False),
            min_token_ttl=dict(type="str", default="1h", no_log=False),
            control_plane=dict(type="bool", default=False),
            kubeadm_config=dict(type="path"),
            kubernetes_version=dict(type="str"),
            api_server_endpoint=dict(type="str"),
        ),
        mutually_exclusive=[("kubeadm_config", "kubernetes_version")],
        supports_check_mode=True,
    )
    result = JoinInfo(module).execute()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
