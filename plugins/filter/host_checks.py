# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host-check filters of the preflight role. Documentation: one YAML file per filter
next to this file (listening_sockets.yml, preflight_probe.yml, host_problems.yml,
host_duplicates.yml, host_problems_report.yml)."""
from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.plugin_utils import _host_checks


def _plain(value):
    """Ansible's lazy containers -> plain dict/list (the checks use .get and isinstance)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _wrap(name, func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except (ValueError, TypeError) as exc:
        raise AnsibleFilterError("%s: %s" % (name, exc))


def listening_sockets(text):
    return _wrap("listening_sockets", _host_checks.parse_ss_listening, text)


def preflight_probe(text):
    return _wrap("preflight_probe", _host_checks.parse_probe, text)


def host_problems(info, settings):
    if not isinstance(info, Mapping) or not isinstance(settings, Mapping):
        raise AnsibleFilterError("host_problems: expected two mappings (host information, settings)")
    return _wrap("host_problems", _host_checks.host_problems, _plain(info), _plain(settings))


def host_duplicates(hosts, check_product_uuid=True, mac_ignore=None):
    if not isinstance(hosts, Mapping):
        raise AnsibleFilterError("host_duplicates: expected a mapping of host name -> identity")
    return _wrap("host_duplicates", _host_checks.duplicate_problems, _plain(hosts),
                 check_product_uuid=bool(check_product_uuid), mac_ignore=mac_ignore or None)


def host_problems_report(problems, host=None):
    if not isinstance(problems, (list, tuple)) or not all(isinstance(x, Mapping) for x in problems):
        raise AnsibleFilterError("host_problems_report: expected a list of problem mappings")
    return _host_checks.format_host_report(_plain(problems), host)


class FilterModule(object):
    def filters(self):
        return {
            "listening_sockets": listening_sockets,
            "preflight_probe": preflight_probe,
            "host_problems": host_problems,
            "host_duplicates": host_duplicates,
            "host_problems_report": host_problems_report,
        }
