from __future__ import annotations

import copy
import json
import os

import pytest

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._host_checks import (
    cgroup_version,
    duplicate_problems,
    format_host_report,
    host_problems,
    parse_probe,
    parse_ss_listening,
)

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures")


def fixture(*parts):
    with open(os.path.join(FIXTURES, *parts)) as handle:
        return handle.read()


def facts(name):
    return json.loads(fixture("preflight", "facts-network-%s.json" % name))


# The role's defaults (roles/preflight/defaults/main.yml) with the k8s_* defaults filled in.
SETTINGS = {
    "supported_os": {"RedHat": ["8", "9"], "Rocky": ["8", "9"], "AlmaLinux": ["8", "9"],
                     "Ubuntu": ["22.04", "24.04"], "Debian": ["12", "13"]},
    "min_resources": {"masters": {"cpus": 2, "memory_mb": 1700}, "workers": {"cpus": 1, "memory_mb": 900},
                      "gpu_nodes": {"cpus": 2, "memory_mb": 1700}},
    "ports": {
        "masters": [
            {"port": 6443, "service": "kube-apiserver", "owners": ["kube-apiserver", "k3s-server", "k3s"]},
            {"ports": ["2379-2380"], "service": "etcd", "owners": ["etcd", "k3s-server", "k3s"]},
            {"port": 10250, "service": "kubelet", "owners": ["kubelet", "k3s-server", "k3s"]},
            {"port": 10257, "service": "kube-controller-manager", "owners": ["kube-controller", "k3s-server", "k3s"]},
            {"port": 10259, "service": "kube-scheduler", "owners": ["kube-scheduler", "k3s-server", "k3s"]},
        ],
        "workers": [{"port": 10250, "service": "kubelet", "owners": ["kubelet", "k3s-agent", "k3s"]}],
        "gpu_nodes": [{"port": 10250, "service": "kubelet", "owners": ["kubelet", "k3s-agent", "k3s"]}],
        "lb": [{"port": "6553", "service": "haproxy (API behind the VIP)", "owners": ["haproxy"]}],
    },
    "lb_enabled": True,
    "max_clock_skew": 2.0,
    "warn_ntp": True,
    "k8s_version": "1.34.3",
    "kubelet_fail_cgroup_v1": True,
}


def host_info(probe_name="debian12", facts_name=None, **overrides):
    info = parse_probe(fixture("preflight", "probe-%s.txt" % probe_name))
    f = facts(facts_name or probe_name)
    info.update({
        "host": "node1",
        "groups": ["masters", "k8s_cluster"],
        "distribution": f["distribution"],
        "distribution_version": f["distribution_version"],
        "distribution_major_version": f["distribution_major_version"],
        # The probe's own clock reading, bracketed by the controller's.
        "controller_before": info["clock"] - 0.5,
        "controller_after": info["clock"] + 0.5,
    })
    info.update(overrides)
    return info


def errors(problems):
    return [p for p in problems if p["severity"] == "error"]


# ---- ss ----------------------------------------------------------------------------

def test_ss_with_owners_debian12():
    sockets = parse_ss_listening(fixture("ss", "debian12-tlnp-services.txt"))
    by_port = {s["port"]: s for s in sockets}
    assert sorted(by_port) == [53, 2379, 2380, 6443, 6553, 10250, 10259]
    assert by_port[2379] == {"address": "127.0.0.1", "port": 2379, "processes": [{"name": "etcd", "pid": 414}]}
    assert by_port[6443]["address"] == "*"
    assert by_port[6443]["processes"] == [{"name": "kube-apiserver", "pid": 512}]
    assert by_port[6553]["processes"][0]["name"] == "haproxy"
    # SO_BINDTODEVICE socket: the %lo suffix is not part of the address
    assert by_port[53]["address"] == "127.0.0.53"
    # IPv6-only socket shared by two processes
    assert by_port[10259]["address"] == "::"
    assert [p["pid"] for p in by_port[10259]["processes"]] == [528, 526]


def test_ss_without_owners_lists_the_same_ports():
    with_p = parse_ss_listening(fixture("ss", "debian12-tlnp-services.txt"))
    without_p = parse_ss_listening(fixture("ss", "debian12-tln-services.txt"))
    assert [s["port"] for s in without_p] == [s["port"] for s in with_p[:len(without_p)]]
    assert all(s["processes"] == [] for s in without_p)


def test_ss_debian13():
    sockets = parse_ss_listening(fixture("ss", "debian13-tlnp-python-6443.txt"))
    assert sockets == [{"address": "0.0.0.0", "port": 6443, "processes": [{"name": "python3", "pid": 70}]}]


@pytest.mark.parametrize("text", ["", "\n\n"])
def test_ss_empty(text):
    assert parse_ss_listening(text) == []


def test_ss_garbage_is_an_error():
    with pytest.raises(ValueError, match="unexpected ss output line"):
        parse_ss_listening("sh: 1: ss: not found")


# ---- probe -------------------------------------------------------------------------

def test_probe_debian12():
    probe = parse_probe(fixture("preflight", "probe-debian12.txt"))
    assert probe["clock"] == pytest.approx(1795327116.7017024)
    assert probe["vcpus"] == 2
    assert probe["memory_mb"] == 24684084 // 1024
    assert probe["cgroup_fs"] == "tmpfs"
    assert probe["ntp_synchronized"] == "no"
    assert probe["product_uuid"] == ""
    assert probe["ss_rc"] == 0
    assert probe["listening"] == [{"address": "*", "port": 10250, "processes": [{"name": "python3", "pid": 61}]}]


def test_probe_without_listening_section():
    with pytest.raises(ValueError, match="no '--- listening' section"):
        parse_probe("clock=1\n")


def test_probe_missing_keys():
    with pytest.raises(ValueError, match="lacks cgroup_fs, ntp_synchronized, ss_rc"):
        parse_probe("clock=1\n--- listening\n")


def test_probe_ss_failure_is_kept_not_parsed():
    text = fixture("preflight", "probe-debian13.txt").replace("ss_rc=0", "ss_rc=127")
    text = text.split("--- listening")[0] + "--- listening\nsh: 1: ss: not found\n"
    probe = parse_probe(text)
    assert probe["ss_rc"] == 127 and probe["listening"] == []
    problems = host_problems(host_info(**probe), SETTINGS)
    assert any("`ss -Htlnp` failed (rc 127)" in p["problem"] for p in errors(problems))


@pytest.mark.parametrize("fs,version", [("cgroup2fs", 2), ("tmpfs", 1), ("missing", None)])
def test_cgroup_version(fs, version):
    assert cgroup_version(fs) == version


# ---- host_problems ------------------------------------------------------------------

def test_fit_master_passes_with_only_the_ntp_warning():
    info = host_info("debian13", groups=["masters"])
    info["listening"] = []
    problems = host_problems(info, SETTINGS)
    assert errors(problems) == []
    assert [p["problem"] for p in problems] == [
        "the system clock is not NTP-synchronised (timedatectl: NTPSynchronized=no)"]


def test_taken_port_names_host_port_and_holder():
    # debian13 probe: python3 holds 6443
    problems = errors(host_problems(host_info("debian13", host="m1", groups=["masters"]), SETTINGS))
    assert len(problems) == 1
    assert problems[0]["where"] == "host m1"
    assert problems[0]["problem"] == (
        "port 6443/tcp, needed by kube-apiserver, is already in use by python3 (pid 35) listening on 0.0.0.0:6443")
    assert "so that port 6443 is free" in problems[0]["fix"]


def test_port_only_checked_for_the_hosts_groups():
    # the kubelet port is taken (debian12 probe) but a pure lb host does not need it
    info = host_info("debian12", groups=["lb"])
    assert errors(host_problems(info, SETTINGS)) == []
    info = host_info("debian12", groups=["workers"])
    assert "port 10250/tcp, needed by kubelet" in errors(host_problems(info, SETTINGS))[0]["problem"]


def test_rerun_on_built_master_accepts_its_own_services():
    info = host_info("debian12", groups=["masters", "lb"])
    info["listening"] = parse_ss_listening(fixture("ss", "debian12-tlnp-services.txt"))
    problems = errors(host_problems(info, SETTINGS))
    # etcd, kube-apiserver, kubelet, haproxy are the services that need those ports;
    # 10259 is held by python3, not kube-scheduler: the only conflict.
    assert [p["problem"] for p in problems] == [
        "port 10259/tcp, needed by kube-scheduler, is already in use by python3 (pid 526), python3 (pid 528) "
        "listening on :::10259"]


def test_lb_port_ignored_without_vip():
    info = host_info("debian12", groups=["lb"])
    info["listening"] = [{"address": "0.0.0.0", "port": 6553, "processes": [{"name": "nginx", "pid": 7}]}]
    assert "port 6553/tcp" in errors(host_problems(info, SETTINGS))[0]["problem"]
    no_vip = dict(SETTINGS, lb_enabled=False)
    assert errors(host_problems(info, no_vip)) == []


def test_unknown_owner_is_a_conflict():
    info = host_info("debian12", groups=["workers"])
    info["listening"] = parse_ss_listening(fixture("ss", "debian12-tln-services.txt"))
    problem = errors(host_problems(info, SETTINGS))[0]["problem"]
    assert "a process ss could not name (run the check as root)" in problem


@pytest.mark.parametrize("dist,version,major,ok", [
    ("Debian", "12.15", "12", True),
    ("Debian", "13.7", "13", True),
    ("Debian", "11.9", "11", False),
    ("Ubuntu", "22.04", "22", True),
    ("Ubuntu", "23.10", "23", False),
    ("RedHat", "8.10", "8", True),
    ("Rocky", "9.4", "9", True),
    ("CentOS", "7.9", "7", False),
])
def test_os_support(dist, version, major, ok):
    info = host_info("debian13", distribution=dist, distribution_version=version,
                     distribution_major_version=major, listening=[])
    problems = [p for p in errors(host_problems(info, SETTINGS)) if "operating system" in p["problem"]]
    assert (problems == []) is ok
    if not ok:
        assert "%s %s" % (dist, version) in problems[0]["problem"]
        assert "Ubuntu 22.04, 24.04" in problems[0]["fix"]


def test_resources_per_group():
    info = host_info("debian13", groups=["masters", "workers"], vcpus=1, memory_mb=1000, listening=[])
    problems = errors(host_problems(info, SETTINGS))
    assert [p["problem"] for p in problems] == [
        "too small for the masters group: 1 vCPU (needs 2) and 1000 MB of memory (needs 1700 MB)"]
    assert "k8s_min_resources.masters" in problems[0]["fix"]
    info["groups"] = ["workers"]
    assert errors(host_problems(info, SETTINGS)) == []


@pytest.mark.parametrize("offset,expect", [
    (0.0, None),
    (1.9, None),         # inside the tolerance
    (-5.0, "behind"),
    (12.25, "ahead of"),
])
def test_clock_skew(offset, expect):
    info = host_info("debian13", listening=[])
    info["clock"] = info["controller_after"] + offset if offset > 0 else info["controller_before"] + offset
    if offset == 0.0:
        info["clock"] = (info["controller_before"] + info["controller_after"]) / 2
    problems = [p for p in errors(host_problems(info, SETTINGS)) if "clock" in p["problem"]]
    if expect is None:
        assert problems == []
    else:
        assert problems[0]["problem"].startswith("the clock is %.1f s %s the controller's" % (abs(offset), expect))
        assert "k8s_ntp_servers" in problems[0]["fix"]


def test_ntp_warning_can_be_turned_off():
    info = host_info("debian13", listening=[])
    assert host_problems(info, dict(SETTINGS, warn_ntp=False)) == []


@pytest.mark.parametrize("version,fail_v1,fs,fails", [
    ("1.34.3", True, "tmpfs", False),
    ("1.35.0", True, "tmpfs", True),
    ("1.36.2", True, "tmpfs", True),
    ("v1.35.1+k3s1", True, "tmpfs", True),
    ("1.35.0", False, "tmpfs", False),
    ("1.35.0", True, "cgroup2fs", False),
])
def test_cgroup_v1_with_kubernetes_135(version, fail_v1, fs, fails):
    info = host_info("debian13", listening=[], cgroup_fs=fs)
    settings = dict(SETTINGS, k8s_version=version, kubelet_fail_cgroup_v1=fail_v1)
    problems = [p for p in errors(host_problems(info, settings)) if "cgroup" in p["problem"]]
    assert bool(problems) is fails
    if fails:
        assert "systemd.unified_cgroup_hierarchy=1" in problems[0]["fix"]
        assert "k8s_kubelet_fail_cgroup_v1: false" in problems[0]["fix"]


# ---- duplicates ---------------------------------------------------------------------

def identity(facts_name, **overrides):
    f = facts(facts_name)
    data = {
        "hostname": f["nodename"],
        "renamed_to": "",
        "interfaces": [f[name.replace("-", "_")] for name in f["interfaces"]],
        "product_uuid": "",
    }
    data.update(overrides)
    return data


def test_distinct_hosts_have_no_duplicates():
    hosts = {"a": identity("debian12"), "b": identity("debian13")}
    assert duplicate_problems(hosts) == []


def test_duplicate_hostname_and_mac():
    b = identity("debian13", hostname="h1fx1")
    b["interfaces"] = copy.deepcopy(identity("debian12")["interfaces"])
    problems = duplicate_problems({"a": identity("debian12"), "b": b})
    assert sorted((p["host"], p["problem"]) for p in problems) == [
        ("a", "MAC address 02:42:ac:11:00:02 is also used by b"),
        ("a", "hostname 'h1fx1' is also the hostname of b; Kubernetes needs unique node names"),
        ("b", "MAC address 02:42:ac:11:00:02 is also used by a"),
        ("b", "hostname 'h1fx1' is also the hostname of a; Kubernetes needs unique node names"),
    ]
    assert all(p["severity"] == "error" for p in problems)


def test_duplicate_hostname_only_warns_when_hosts_get_renamed():
    hosts = {"a": identity("debian12", renamed_to="a"), "b": identity("debian13", hostname="h1fx1", renamed_to="b")}
    problems = duplicate_problems(hosts)
    assert [p["severity"] for p in problems] == ["warning", "warning"]
    assert "the nodes phase renames it to a" in problems[0]["problem"]


def test_virtual_interfaces_and_loopback_are_ignored():
    a = identity("debian12")
    b = identity("debian13")
    for ident in (a, b):
        ident["interfaces"].append({"device": "cali1234", "macaddress": "ee:ee:ee:ee:ee:ee", "type": "ether"})
    ignore = "^(lo|cali.*)$"
    assert duplicate_problems({"a": a, "b": b}, mac_ignore=ignore) == []
    assert len(duplicate_problems({"a": a, "b": b})) == 2  # without the ignore list they clash


@pytest.mark.parametrize("check", [True, False])
def test_product_uuid(check):
    uuid = "4c4c4544-0047-3510-8052-b4c04f384d32"
    hosts = {"a": identity("debian12", product_uuid=uuid), "b": identity("debian13", product_uuid=uuid.upper()),
             "c": identity("debian12", hostname="c", product_uuid="")}
    hosts["c"]["interfaces"] = []
    problems = duplicate_problems(hosts, check_product_uuid=check)
    if check:
        assert sorted(p["host"] for p in problems) == ["a", "b"]
        assert "preflight_check_product_uuid: false" in problems[0]["fix"]
    else:
        assert problems == []


def test_report_for_one_host():
    problems = host_problems(host_info("debian13", host="m1", groups=["masters"]), SETTINGS)
    report = format_host_report(problems, "m1")
    lines = report.splitlines()
    assert lines[0] == "Preflight host checks failed on m1: 1 problem."
    assert lines[1].startswith("1. ERROR [host m1] port 6443/tcp")
    assert lines[3].startswith("2. WARNING [host m1] the system clock is not NTP-synchronised")
    assert format_host_report(problems, "other") == ""


# ---- host tools (offline kubeadm) ----------------------------------------------------

def test_probe_lists_missing_tools():
    probe = parse_probe(fixture("preflight", "probe-debian12-no-losetup.txt"))
    assert probe["missing_tools"] == ["losetup"]
    assert parse_probe(fixture("preflight", "probe-debian12.txt"))["missing_tools"] == []  # an older probe


def test_missing_tool_is_an_error_naming_the_package():
    info = host_info("debian12-no-losetup", facts_name="debian12", ntp_synchronized="yes", listening=[])
    settings = dict(SETTINGS, k8s_version="1.36.2", required_tools=["losetup", "mount", "cp"],
                    kubelet_fail_cgroup_v1=False)
    problems = errors(host_problems(info, settings))
    assert len(problems) == 1, problems
    assert problems[0]["problem"].startswith("losetup not found in PATH; the cluster phase (kubeadm 1.36.2) needs "
                                             "losetup, mount, cp")
    assert "apt-get install util-linux (Debian/Ubuntu) or dnf install util-linux (RHEL)" in problems[0]["fix"]


def test_tools_not_checked_when_none_are_required():
    info = host_info("debian12-no-losetup", facts_name="debian12", ntp_synchronized="yes", listening=[])
    assert errors(host_problems(info, dict(SETTINGS, kubelet_fail_cgroup_v1=False))) == []
