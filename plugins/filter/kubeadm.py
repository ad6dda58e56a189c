# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: kubeadm_join_parse
short_description: Split a kubeadm join command into its parts
version_added: 0.1.0
author: aiinfra.k8s contributors
description:
  - Parses one C(kubeadm join) command, as C(kubeadm init) or C(kubeadm token create --print-join-command)
    print it (continuation lines and tabs included), into the API server endpoint, the token,
    the CA certificate hashes, whether it is a control-plane join and its certificate key.
  - Fails with a clear message when the text holds no or several join commands, when the token is not
    a bootstrap token (C([a-z0-9]{6}.[a-z0-9]{16})), when a CA hash is not C(sha256:<64 hex>), or when
    neither a CA hash nor C(--discovery-token-unsafe-skip-ca-verification) is given. Error messages
    never contain the token or the certificate key.
  - The result holds secrets; use it in tasks with C(no_log=true).
options:
  _input:
    description: Text holding exactly one C(kubeadm join) command.
    type: str
    required: true
seealso:
  - module: aiinfra.k8s.kubeadm_join_info
"""

EXAMPLES = r"""
- name: Reuse a join command printed by kubeadm init
  ansible.builtin.set_fact:
    join_parts: "{{ init_output.stdout | aiinfra.k8s.kubeadm_join_parse }}"
  no_log: true
# join_parts.api_server_endpoint -> "10.232.0.11:6443"
# join_parts.ca_cert_hashes      -> ["sha256:61f2..."]
"""

RETURN = r"""
_value:
  description: The parts of the join command.
  type: dict
  contains:
    api_server_endpoint:
      description: C(host:port) of the API server.
      type: str
    token:
      description: Bootstrap token (secret).
      type: str
    ca_cert_hashes:
      description: Values of C(--discovery-token-ca-cert-hash), in order.
      type: list
      elements: str
    control_plane:
      description: Whether C(--control-plane) is present.
      type: bool
    certificate_key:
      description: Value of C(--certificate-key) (secret), V(null) when absent.
      type: str
    unsafe_skip_ca_verification:
      description: Whether C(--discovery-token-unsafe-skip-ca-verification) is present.
      type: bool
    other_args:
      description: Any other arguments, unchanged (for example C(--cri-socket), C(--node-name) and their values).
      type: list
      elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.module_utils._kubeadm import parse_join_command


def kubeadm_join_parse(command):
    try:
        return parse_join_command(command)
    except ValueError as exc:
        raise AnsibleFilterError("kubeadm_join_parse: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"kubeadm_join_parse": kubeadm_join_parse}
