# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers for module unit tests: module arguments, exit/fail that raise, recorded commands.

Import as ansible_collections.aiinfra.k8s.tests.unit.plugins.modules.utils (tests/conftest.py
puts collections/ on sys.path; collections/ansible_collections/aiinfra/k8s is this checkout).
"""
from __future__ import annotations

import base64
import contextlib
import json
import os
from unittest import mock

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

try:  # ansible-core >= 2.19 passes module arguments through a profile-aware encoder
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # pragma: no cover - older ansible-core
    patch_module_args = None

FIXTURES = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "fixtures"))


def fixture_path(*parts):
    return os.path.join(FIXTURES, *parts)


def read_fixture(*parts):
    with open(fixture_path(*parts)) as handle:
        return handle.read()


def admin_conf(server="https://10.232.0.11:6443", ca_pem=None):
    """An admin.conf shaped as kubeadm writes it, around the kubeadm fixture cluster's CA and
    endpoint (client credentials are placeholders: no test talks to an API server)."""
    ca = base64.b64encode((ca_pem or read_fixture("kubeadm", "ca.crt")).encode()).decode()
    return (
        "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: %s\n    server: %s\n"
        "  name: kubernetes\ncontexts:\n- context:\n    cluster: kubernetes\n    user: kubernetes-admin\n"
        "  name: kubernetes-admin@kubernetes\ncurrent-context: kubernetes-admin@kubernetes\nkind: Config\n"
        "preferences: {}\nusers:\n- name: kubernetes-admin\n  user:\n    client-certificate-data: AAAA\n"
        "    client-key-data: AAAA\n" % (ca, server))


class AnsibleExitJson(Exception):
    """module.exit_json was called; args[0] is the result."""


class AnsibleFailJson(Exception):
    """module.fail_json was called; args[0] is the result."""


def exit_json(*args, **kwargs):
    kwargs.setdefault("changed", False)
    raise AnsibleExitJson(kwargs)


def fail_json(*args, **kwargs):
    kwargs["failed"] = True
    raise AnsibleFailJson(kwargs)


@contextlib.contextmanager
def set_module_args(args):
    """Make AnsibleModule() in this context read `args` (2.19: patch_module_args)."""
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    serialized = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))  # pragma: no cover
    with mock.patch.object(basic, "_ANSIBLE_ARGS", serialized):  # pragma: no cover
        yield


def _matches(argv, prefix):
    """Whether argv (after the binary) starts with prefix; each prefix word may be the start of an
    argument ("--query-gpu" matches "--query-gpu=index,...")."""
    return len(argv) > len(prefix) and all(a.startswith(p) for a, p in zip(argv[1:], prefix))


class Commands(object):
    """A run_command stand-in: answers from (argument prefix, (rc, stdout, stderr)) rules in order,
    records every command line, and fails the test on a command no rule expects. An empty prefix
    matches any command (put it last)."""

    def __init__(self, *rules):
        self.rules = list(rules)
        self.calls = []

    def __call__(self, args, **kwargs):
        argv = list(args)
        self.calls.append(argv)
        for index, (prefix, answer) in enumerate(self.rules):
            if _matches(argv, prefix) or (not prefix and argv):
                if isinstance(answer, list):  # successive answers for the same command
                    reply = answer.pop(0)
                    if not answer:
                        self.rules.pop(index)
                    return reply
                return answer
        raise AssertionError("unexpected command: %r" % (argv,))

    def called(self, *prefix):
        return [c for c in self.calls if _matches(c, prefix)]


def run_module(main, args, commands=None, bin_path=None, check_mode=False):
    """Run a module's main() and return (kind, result) with kind 'exit' or 'fail'."""
    args = dict(args)
    if check_mode:
        args["_ansible_check_mode"] = True
    patches = [mock.patch.multiple(basic.AnsibleModule, exit_json=exit_json, fail_json=fail_json)]
    if commands is not None:
        patches.append(mock.patch.object(basic.AnsibleModule, "run_command", side_effect=commands))
    if bin_path is not None or commands is not None:
        patches.append(mock.patch.object(basic.AnsibleModule, "get_bin_path", return_value=bin_path))
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch)
        stack.enter_context(set_module_args(args))
        try:
            main()
        except AnsibleExitJson as exc:
            return "exit", exc.args[0]
        except AnsibleFailJson as exc:
            return "fail", exc.args[0]
    raise AssertionError("the module returned without exit_json or fail_json")
