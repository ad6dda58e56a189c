# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: host checks of the preflight role (pure Python).

Internal API: used by the filters host_problems, host_duplicates, host_problems_report and
_preflight_probe (plugins/filter/); may change without notice.

Problems have the shape used by _cluster_checks: a dict with
  severity: "error" (blocks the run) or "warning" (printed)
  where:    "host <name>"
  problem:  what is wrong, with the value found
  fix:      how to fix it
plus `host` (the host the problem belongs to; duplicates name one problem per host).
"""
from __future__ import annotations

import re

# `ss -Htlnp` line: State Recv-Q Send-Q Local:Port Peer:Port [users:((...))]
_SS_LINE = re.compile(r"^(?P<state>\S+)\s+\d+\s+\d+\s+(?P<local>\S+)\s+(?P<peer>\S+)(?:\s+(?P<rest>.*))?$")
_SS_USER = re.compile(r'\("(?P<name>(?:[^"\\]|\\.)*)",pid=(?P<pid>\d+)(?:,fd=(?P<fd>\d+))?\)')
_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?")
_ZERO_MAC = "00:00:00:00:00:00"
# product_uuid values that mean "not available" rather than an identity.
_UUID_PLACEHOLDERS = {"", "na", "none", "not settable", "not specified", "not present",
                      "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"}


class _Problems(list):
    def add(self, severity, host, problem, fix):
        self.append({"severity": severity, "host": host, "where": "host %s" % host,
                     "problem": problem, "fix": fix})

    def error(self, host, problem, fix):
        self.add("error", host, problem, fix)

    def warning(self, host, problem, fix):
        self.add("warning", host, problem, fix)


def _split_address(local):
    """'0.0.0.0:6443' / '*:6443' / '[::]:6443' / '127.0.0.53%lo:53' -> (address, port)."""
    address, sep, port = local.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError("cannot read a port from %r" % local)
    if address.startswith("[") and address.endswith("]"):
        address = address[1:-1]
    address = address.split("%", 1)[0]
    return address, int(port)


def parse_ss_listening(text):
    """Parse `ss -Htln` / `ss -Htlnp` output (iproute2) into listening sockets.

    Returns a list of dicts: address, port (int), processes (list of
    {name, pid}; empty without -p or when ss could not see the owner).
    Lines that are not LISTEN sockets are ignored; a malformed line raises ValueError.
    """
    sockets = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        match = _SS_LINE.match(line)
        if not match:
            raise ValueError("unexpected ss output line: %r" % raw)
        if match.group("state") != "LISTEN":
            continue
        address, port = _split_address(match.group("local"))
        processes = [{"name": m.group("name"), "pid": int(m.group("pid"))}
                     for m in _SS_USER.finditer(match.group("rest") or "")]
        sockets.append({"address": address, "port": port, "processes": processes})
    return sockets


def parse_probe(text):
    """Parse the preflight probe output (key=value lines, then `--- listening` and ss).

    Keys: clock (host UTC epoch, float), cgroup_fs (filesystem type of /sys/fs/cgroup),
    ntp_synchronized (yes/no/unknown), ss_rc (int); optional vcpus (int), memory_kb
    (-> memory_mb, int), product_uuid (str), missing_tools (space-separated -> list).
    Adds `listening` (parsed ss).
    """
    head, sep, listening = (text or "").partition("--- listening")
    if not sep:
        raise ValueError("probe output has no '--- listening' section")
    result = {}
    for line in head.splitlines():
        key, eq, value = line.strip().partition("=")
        if eq:
            result[key] = value.strip()
    missing = [k for k in ("clock", "cgroup_fs", "ntp_synchronized", "ss_rc") if k not in result]
    if missing:
        raise ValueError("probe output lacks %s" % ", ".join(missing))
    try:
        result["clock"] = float(result["clock"])
    except ValueError:
        raise ValueError("probe clock is not a number: %r" % result["clock"])
    result["ss_rc"] = int(result["ss_rc"]) if result["ss_rc"].lstrip("-").isdigit() else -1
    result["vcpus"] = int(result["vcpus"]) if result.get("vcpus", "").isdigit() else None
    memory_kb = result.pop("memory_kb", "")
    result["memory_mb"] = int(memory_kb) // 1024 if memory_kb.isdigit() else None
    result["product_uuid"] = result.get("product_uuid", "")
    result["missing_tools"] = result.get("missing_tools", "").split()
    result["listening"] = parse_ss_listening(listening) if result["ss_rc"] == 0 else []
    return result


def cgroup_version(cgroup_fs):
    """Filesystem type of /sys/fs/cgroup -> 2 (cgroup2fs), 1 (tmpfs: v1/hybrid) or None."""
    if cgroup_fs == "cgroup2fs":
        return 2
    if cgroup_fs in ("tmpfs", "cgroupfs"):
        return 1
    return None


def _version_tuple(value):
    match = _VERSION.match(str(value or "").strip())
    if not match:
        return None
    return tuple(int(x or 0) for x in match.groups())


def _os_supported(info, supported):
    dist = str(info.get("distribution") or "")
    version = str(info.get("distribution_version") or "")
    major = str(info.get("distribution_major_version") or "")
    for name, versions in (supported or {}).items():
        if str(name).lower() != dist.lower():
            continue
        allowed = [str(v) for v in versions or []]
        if version in allowed or major in allowed:
            return True
    return False


def _describe_supported(supported):
    return "; ".join("%s %s" % (name, ", ".join(str(v) for v in versions or []))
                     for name, versions in sorted((supported or {}).items()))


def _port_items(entry):
    """A ports entry: {port: N} or {ports: [a, b]} or {port: 'a-b'} -> list of ints."""
    if "ports" in entry:
        values = entry["ports"]
    else:
        values = [entry.get("port")]
    ports = []
    for value in values:
        text = str(value).strip()
        if "-" in text:
            first, last = text.split("-", 1)
            ports.extend(range(int(first), int(last) + 1))
        else:
            ports.append(int(text))
    return ports


def _check_os(p, host, info, settings):
    supported = settings.get("supported_os") or {}
    if not _os_supported(info, supported):
        p.error(host, "the operating system is %s %s, which aiinfra.k8s does not support" % (
            info.get("distribution") or "unknown", info.get("distribution_version") or "?"),
            "use one of: %s (or add it to preflight_supported_os at your own risk)" % _describe_supported(supported))


def _check_resources(p, host, info, settings):
    minimums = settings.get("min_resources") or {}
    cpus = info.get("vcpus")
    memory = info.get("memory_mb")
    for group in info.get("groups") or []:
        need = minimums.get(group)
        if not need:
            continue
        short = []
        if need.get("cpus") is not None and cpus is not None and int(cpus) < int(need["cpus"]):
            short.append("%s vCPU%s (needs %s)" % (cpus, "" if int(cpus) == 1 else "s", need["cpus"]))
        if need.get("memory_mb") is not None and memory is not None and int(memory) < int(need["memory_mb"]):
            short.append("%s MB of memory (needs %s MB)" % (memory, need["memory_mb"]))
        if short:
            p.error(host, "too small for the %s group: %s" % (group, " and ".join(short)),
                    "give the host more CPU/memory, or lower k8s_min_resources.%s "
                    "(kubeadm itself refuses control-plane hosts under 2 CPUs / 1700 MB)" % group)


def _check_ports(p, host, info, settings):
    port_groups = settings.get("ports") or {}
    listening = info.get("listening") or []
    groups = list(info.get("groups") or [])
    if not settings.get("lb_enabled", True):
        groups = [g for g in groups if g != "lb"]
    wanted = {}
    for group in groups:
        for entry in port_groups.get(group) or []:
            for port in _port_items(entry):
                owners = wanted.setdefault(port, {"service": entry.get("service", "?"), "owners": set()})
                owners["owners"].update(str(o) for o in entry.get("owners") or [])
    for port in sorted(wanted):
        need = wanted[port]
        held = [s for s in listening if s["port"] == port]
        if not held:
            continue
        names = sorted({proc["name"] for s in held for proc in s["processes"]})
        if names and all(name in need["owners"] for name in names):
            continue  # held by the very service we manage (a re-run on a built cluster)
        holders = ", ".join(sorted({"%s (pid %d)" % (proc["name"], proc["pid"]) for s in held for proc in s["processes"]})) \
            or "a process ss could not name (run the check as root)"
        addresses = ", ".join(sorted({"%s:%d" % (s["address"], port) for s in held}))
        p.error(host, "port %d/tcp, needed by %s, is already in use by %s listening on %s" % (
            port, need["service"], holders, addresses),
            "stop or reconfigure that service on %s so that port %d is free (accepted holders: %s)" % (
                host, port, ", ".join(sorted(need["owners"])) or "none"))


def _check_clock(p, host, info, settings):
    clock = info.get("clock")
    before = info.get("controller_before")
    after = info.get("controller_after")
    tolerance = float(settings.get("max_clock_skew", 2))
    if clock is None or before is None or after is None:
        return
    clock, before, after = float(clock), float(before), float(after)
    # The host read its clock between the controller's two readings: only the
    # distance outside that window is skew, so slow connections never count.
    if clock < before:
        skew, direction = before - clock, "behind"
    elif clock > after:
        skew, direction = clock - after, "ahead of"
    else:
        skew, direction = 0.0, ""
    if skew > tolerance:
        p.error(host, "the clock is %.1f s %s the controller's (tolerance preflight_max_clock_skew = %s s)" % (
            skew, direction, settings.get("max_clock_skew", 2)),
            "synchronise the clocks (chrony or systemd-timesyncd; k8s_ntp_servers sets the servers), "
            "then run again: certificates, tokens and etcd need agreeing clocks")
    ntp = info.get("ntp_synchronized")
    if ntp == "no" and settings.get("warn_ntp", True):
        p.warning(host, "the system clock is not NTP-synchronised (timedatectl: NTPSynchronized=no)",
                  "enable time sync (the nodes phase configures chrony/timesyncd from k8s_ntp_servers)")


def _check_cgroup(p, host, info, settings):
    version = cgroup_version(info.get("cgroup_fs"))
    k8s = _version_tuple(settings.get("k8s_version"))
    fail_v1 = settings.get("kubelet_fail_cgroup_v1", True)
    if version == 1 and k8s is not None and k8s[:2] >= (1, 35) and fail_v1:
        p.error(host, "cgroup v1 (/sys/fs/cgroup is %s) with Kubernetes %s: kubelet 1.35 and later refuses to "
                "start on cgroup v1 hosts (failCgroupV1)" % (info.get("cgroup_fs"), settings.get("k8s_version")),
                "either move the host to cgroup v2 (kernel argument systemd.unified_cgroup_hierarchy=1, e.g. "
                "`grubby --update-kernel=ALL --args=systemd.unified_cgroup_hierarchy=1` on RHEL 8, then reboot), "
                "or set k8s_kubelet_fail_cgroup_v1: false to run kubelet in the deprecated cgroup v1 mode")
    elif version is None:
        p.warning(host, "cannot tell the cgroup version (/sys/fs/cgroup is %r)" % info.get("cgroup_fs"),
                  "check that /sys/fs/cgroup is mounted (cgroup2fs for v2)")


# Package that brings each host tool, per OS family (for the fix line).
_TOOL_PACKAGES = {
    "losetup": ("util-linux", "util-linux"), "mount": ("mount", "util-linux"), "cp": ("coreutils", "coreutils"),
    "conntrack": ("conntrack", "conntrack-tools"), "iptables": ("iptables", "iptables"),
    "nsenter": ("util-linux", "util-linux"), "ip": ("iproute2", "iproute"),
}


def _check_tools(p, host, info, settings):
    """Executables the cluster phase needs (kubeadm's preflight), checked before anything changes.

    Offline installs bring no OS packages, so a host without them would stop in the cluster
    phase after the nodes and lb phases had already changed it."""
    missing = info.get("missing_tools") or []
    if not missing or not settings.get("required_tools"):
        return
    debs = sorted({_TOOL_PACKAGES.get(t, (t, t))[0] for t in missing})
    rpms = sorted({_TOOL_PACKAGES.get(t, (t, t))[1] for t in missing})
    p.error(host, "%s not found in PATH; the cluster phase (kubeadm %s) needs %s and offline installs bring no OS "
            "packages" % (", ".join(missing), settings.get("k8s_version"), ", ".join(settings["required_tools"])),
            "install them from your OS media or local mirror: apt-get install %s (Debian/Ubuntu) or "
            "dnf install %s (RHEL)" % (" ".join(debs), " ".join(rpms)))


def _check_probe(p, host, info):
    if info.get("ss_rc", 0) != 0:
        p.error(host, "`ss -Htlnp` failed (rc %s): listening ports cannot be checked" % info.get("ss_rc"),
                "install iproute2 (Debian/Ubuntu) or iproute (RHEL)")


def host_problems(info, settings):
    """Problems of one host.

    info: host (name), groups (inventory groups), distribution, distribution_version,
      distribution_major_version, vcpus, memory_mb, and the parsed probe (clock,
      cgroup_fs, ntp_synchronized, ss_rc, listening), controller_before/after (epoch).
    settings: supported_os (name -> versions), min_resources (group -> cpus,
      memory_mb), ports (group -> [{port|ports, service, owners}]), lb_enabled,
      max_clock_skew (s), warn_ntp, k8s_version, kubelet_fail_cgroup_v1, required_tools
      (executables the probe looked for; those it did not find are in info's missing_tools).
    """
    host = str(info.get("host") or "?")
    p = _Problems()
    _check_os(p, host, info, settings)
    _check_resources(p, host, info, settings)
    _check_probe(p, host, info)
    _check_ports(p, host, info, settings)
    _check_clock(p, host, info, settings)
    _check_cgroup(p, host, info, settings)
    _check_tools(p, host, info, settings)
    return list(p)


def _macs(interfaces, ignore):
    pattern = re.compile(ignore) if ignore else None
    macs = set()
    for item in interfaces or []:
        if not hasattr(item, "get"):
            continue
        # {name, mac} or an interface's gathered facts {device, macaddress, ...}
        name = str(item.get("name") or item.get("device") or "")
        mac = str(item.get("mac") or item.get("macaddress") or "").lower()
        if not mac or mac == _ZERO_MAC or (pattern and pattern.match(name)):
            continue
        macs.add(mac)
    return macs


def duplicate_problems(hosts, check_product_uuid=True, mac_ignore=None):
    """Hostnames, MAC addresses and product_uuid that several hosts share.

    hosts: name -> {hostname, renamed_to (name the nodes phase will give the host, or
    empty), interfaces: [{name, mac}] or the interfaces' gathered facts
    [{device, macaddress}], product_uuid}. One problem per host involved.
    A shared hostname is only a warning for a host that the nodes phase renames.
    """
    p = _Problems()
    names = sorted(hosts)

    def final_name(name):
        data = hosts[name] or {}
        return str(data.get("renamed_to") or data.get("hostname") or "").lower()

    by_name = {}
    for name in names:
        current = str((hosts[name] or {}).get("hostname") or "").lower()
        if current:
            by_name.setdefault(current, []).append(name)
    for hostname, owners in sorted(by_name.items()):
        if len(owners) < 2:
            continue
        for name in owners:
            others = ", ".join(o for o in owners if o != name)
            clash_after = [o for o in owners if o != name and final_name(o) == final_name(name)]
            if clash_after:
                p.error(name, "hostname %r is also the hostname of %s; Kubernetes needs unique node names" % (
                    hostname, others),
                    "give every host its own hostname (hostnamectl set-hostname <name>), or leave "
                    "swap_sysctl_set_hostname true so the nodes phase names each host after its inventory name")
            else:
                p.warning(name, "hostname %r is also the hostname of %s; the nodes phase renames it to %s" % (
                    hostname, others, final_name(name)),
                    "nothing to do while swap_sysctl_set_hostname stays true for these hosts")

    by_mac = {}
    ignore = mac_ignore
    for name in names:
        for mac in _macs((hosts[name] or {}).get("interfaces"), ignore):
            by_mac.setdefault(mac, []).append(name)
    for mac, owners in sorted(by_mac.items()):
        owners = sorted(set(owners))
        if len(owners) < 2:
            continue
        for name in owners:
            p.error(name, "MAC address %s is also used by %s" % (mac, ", ".join(o for o in owners if o != name)),
                    "give each (cloned) VM its own MAC address; duplicate MACs break the pod network and ARP")

    if check_product_uuid:
        by_uuid = {}
        for name in names:
            uuid = str((hosts[name] or {}).get("product_uuid") or "").strip()
            if uuid.lower() in _UUID_PLACEHOLDERS:
                continue
            by_uuid.setdefault(uuid.lower(), []).append(name)
        for uuid, owners in sorted(by_uuid.items()):
            if len(owners) < 2:
                continue
            for name in owners:
                p.error(name, "product_uuid %s is also the product_uuid of %s" % (
                    uuid, ", ".join(o for o in owners if o != name)),
                    "give each VM its own SMBIOS UUID (clone with a new UUID); on containers or nested VMs that "
                    "share the hypervisor's DMI, set preflight_check_product_uuid: false")
    return list(p)


def format_host_report(problems, host=None):
    """Report for one host (or all when host is None): errors first, numbered."""
    selected = [x for x in problems or [] if host is None or x.get("host") == host]
    errors = [x for x in selected if x.get("severity") == "error"]
    warnings = [x for x in selected if x.get("severity") != "error"]
    lines = []
    if errors:
        lines.append("Preflight host checks failed%s: %d problem%s." % (
            " on %s" % host if host else "", len(errors), "" if len(errors) == 1 else "s"))
    for number, item in enumerate(errors + warnings, 1):
        tag = "ERROR" if item.get("severity") == "error" else "WARNING"
        lines.append("%d. %s [%s] %s" % (number, tag, item.get("where"), item.get("problem")))
        lines.append("   fix: %s" % item.get("fix"))
    return "\n".join(lines)
