"""The preflight host-check filters (host_problems, host_duplicates, host_problems_report and
the internal _preflight_probe): one file each, errors as AnsibleFilterError naming the
filter. The checks' own tests are in tests/unit/plugins/plugin_utils/test_host_checks.py."""
from __future__ import annotations

import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.filter import _preflight_probe, host_duplicates, host_problems, host_problems_report

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures")
F = {}
for _module in (_preflight_probe, host_duplicates, host_problems, host_problems_report):
    F.update(_module.FilterModule().filters())


def read(*parts):
    with open(os.path.join(FIXTURES, *parts)) as handle:
        return handle.read()


def test_each_file_registers_its_own_filter():
    assert sorted(F) == ["_preflight_probe", "host_duplicates", "host_problems", "host_problems_report"]


def test_probe_to_report_pipeline():
    probe = F["_preflight_probe"](read("preflight", "probe-debian13.txt"))
    info = dict(probe, host="m1", groups=["masters"], distribution="Debian", distribution_version="13.7",
                distribution_major_version="13", controller_before=probe["clock"], controller_after=probe["clock"])
    settings = {"supported_os": {"Debian": ["13"]}, "min_resources": {}, "lb_enabled": False,
                "ports": {"masters": [{"port": 6443, "service": "kube-apiserver", "owners": ["kube-apiserver"]}]},
                "max_clock_skew": 2, "warn_ntp": False, "k8s_version": "1.34.3", "kubelet_fail_cgroup_v1": True}
    problems = F["host_problems"](info, settings)
    report = F["host_problems_report"](problems, "m1")
    assert report.splitlines()[:2] == [
        "Preflight host checks failed on m1: 1 problem.",
        "1. ERROR [host m1] port 6443/tcp, needed by kube-apiserver, is already in use by python3 (pid 35) "
        "listening on 0.0.0.0:6443",
    ]


@pytest.mark.parametrize("name,args,message", [
    ("_preflight_probe", ("clock=1\n",), "_preflight_probe: probe output has no '--- listening' section"),
    ("host_problems", ([], {}), "host_problems: expected two mappings"),
    ("host_duplicates", ([],), "host_duplicates: expected a mapping"),
    ("host_problems_report", ("text",), "host_problems_report: expected a list of problem mappings"),
])
def test_bad_input_raises_filter_errors(name, args, message):
    with pytest.raises(AnsibleFilterError, match=message):
        F[name](*args)
