# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""nvidia-smi command lines and output parsers for aiinfra.k8s.nvidia_gpu_info.

Internal API: may change without notice; not for use outside this collection.
Pure functions only (no I/O): the module runs the commands and feeds the output here.
Tested against real captures from an H100 (tests/unit/fixtures/nvidia-smi/).
"""
from __future__ import annotations

import re

# The query fields, in order, with the key each one gets in a GPU entry and how its
# value is converted. Fields marked optional are dropped (and reported as None) when
# an older nvidia-smi says they are not valid fields (exit 2).
QUERY_FIELDS = (
    # (nvidia-smi field, result key, converter, optional)
    ("index", "index", "int", False),
    ("uuid", "uuid", "str", False),
    ("name", "name", "str", False),
    ("memory.total", "memory_total_mib", "int", False),
    ("driver_version", "driver_version", "str", False),
    ("pci.bus_id", "pci_bus_id", "str", False),
    ("mig.mode.current", "mig_mode", "str", True),
    ("mig.mode.pending", "mig_mode_pending", "str", True),
    ("compute_cap", "compute_capability", "str", True),
)

# Values nvidia-smi prints where a field has no value on this GPU or driver.
_MISSING = frozenset(("[N/A]", "N/A", "[Not Supported]", "Not Supported", "[Unknown Error]", ""))

_INVALID_FIELD_RE = re.compile(r'Field "([^"]+)" is not a valid field to query')
_GPU_LINE_RE = re.compile(r"^GPU\s+(\d+):\s+(.*?)\s+\(UUID:\s*([^)\s]+)\)\s*$")
_MIG_LINE_RE = re.compile(r"^\s+MIG\s+(\S+)\s+Device\s+(\d+):\s+\(UUID:\s*([^)\s]+)\)\s*$")
_DRIVER_RE = re.compile(r"driver\s+version\s*:\s*([0-9][0-9.]*)", re.IGNORECASE)
_CUDA_RE = re.compile(r"cuda\s+version\s*:\s*([0-9][0-9.]*)", re.IGNORECASE)

# nvidia-smi exit codes (nvidia-smi(1) RETURN VALUE, NVML return codes) -> what to do.
EXIT_HINTS = {
    2: "nvidia-smi rejected an argument: this driver's nvidia-smi is older than the fields "
       "this module queries; upgrade the NVIDIA driver (R525 or newer)",
    3: "the requested operation is not available on this GPU",
    4: "insufficient permissions: run the task as root (become: true)",
    6: "no NVIDIA GPU was found: check that the GPU is visible to the OS (lspci | grep -i nvidia) "
       "and, in a VM, that it is passed through",
    8: "the GPU's external power cables are not attached: check the hardware",
    9: "the NVIDIA kernel driver is not loaded: check `lsmod | grep nvidia`, that the driver "
       "module was built for the running kernel (`dkms status`), Secure Boot module signing, "
       "and reboot after a driver install",
    10: "the NVIDIA kernel module detected an interrupt issue with the GPU: check `dmesg`, "
        "the PCIe slot and BIOS settings",
    12: "the NVML library (libnvidia-ml.so.1) could not be found: reinstall the driver's user-space "
        "libraries (Ubuntu: nvidia-utils-<branch>/libnvidia-compute-<branch>; RHEL: nvidia-driver-libs) "
        "and run ldconfig",
    13: "the installed NVML does not implement a queried function: driver user-space libraries "
        "and nvidia-smi come from different driver versions; reinstall one driver version",
    14: "the GPU's infoROM is corrupted: contact the hardware vendor",
    15: "the GPU has fallen off the bus: check `dmesg` for Xid 79, reseat/replace the GPU, reboot",
    17: "the operating system blocked access to the GPU: the /dev/nvidia* device nodes are missing or "
        "not accessible to this process (in a container: run it with the NVIDIA runtime or pass the "
        "devices; on the host: `nvidia-modprobe -c 0 -u`, and check udev rules and SELinux)",
    18: "driver/library version mismatch: the loaded kernel module and the user-space libraries "
        "differ (driver upgraded without reboot): reboot the node or reload the nvidia modules",
    255: "nvidia-smi hit an internal driver error: check `dmesg` for NVRM/Xid messages and the "
         "driver installation",
}


def query_command(nvidia_smi, fields=None):
    """The --query-gpu command line (list of arguments, no shell)."""
    names = [f[0] for f in (fields or QUERY_FIELDS)]
    return [nvidia_smi, "--query-gpu=%s" % ",".join(names), "--format=csv,noheader,nounits"]


def list_command(nvidia_smi):
    """`nvidia-smi -L`: GPUs and their MIG devices."""
    return [nvidia_smi, "-L"]


def version_command(nvidia_smi):
    """`nvidia-smi --version`: driver, NVML and CUDA versions (R525+)."""
    return [nvidia_smi, "--version"]


def summary_command(nvidia_smi):
    """Plain `nvidia-smi`: its header carries the driver and CUDA versions (any driver)."""
    return [nvidia_smi]


def invalid_fields(text):
    """Field names nvidia-smi refused ('Field "x" is not a valid field to query.')."""
    return _INVALID_FIELD_RE.findall(text or "")


def without_fields(names, fields=None):
    """QUERY_FIELDS minus the named optional ones; ValueError for a required one."""
    fields = fields or QUERY_FIELDS
    required = [f[0] for f in fields if f[0] in names and not f[3]]
    if required:
        raise ValueError("nvidia-smi does not know the required field(s) %s" % ", ".join(required))
    return tuple(f for f in fields if f[0] not in names)


def _convert(value, kind):
    value = value.strip()
    if value in _MISSING:
        return None
    if kind == "int":
        try:
            return int(value)
        except ValueError:
            try:
                return int(float(value))
            except ValueError:
                raise ValueError("expected a number, got %r" % value)
    return value


def parse_query(text, fields=None):
    """Parse `--query-gpu=... --format=csv,noheader,nounits` output into GPU dicts.

    Values are separated by ", "; `[N/A]` / `[Not Supported]` become None. Fields
    absent from `fields` (dropped for an old driver) are None in every entry.
    """
    fields = fields or QUERY_FIELDS
    gpus = []
    for lineno, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        values = line.split(", ")
        if len(values) != len(fields):
            raise ValueError(
                "line %d of nvidia-smi --query-gpu output has %d values, expected %d (%s): %r"
                % (lineno, len(values), len(fields), ",".join(f[0] for f in fields), line)
            )
        gpu = dict((f[1], None) for f in QUERY_FIELDS)
        for (field, key, kind, _optional), value in zip(fields, values):
            try:
                gpu[key] = _convert(value, kind)
            except ValueError as exc:
                raise ValueError("line %d, field %s: %s" % (lineno, field, exc))
        gpu["mig_devices"] = []
        gpus.append(gpu)
    return gpus


def parse_list(text):
    """Parse `nvidia-smi -L` into [{index, name, uuid, mig_devices: [...]}, ...].

    Both MIG line shapes are understood: R470+ `  MIG 1g.10gb     Device  0: (UUID: MIG-<uuid>)`
    and R450 `  MIG 1g.5gb Device 0: (UUID: MIG-GPU-<uuid>/7/0)`.
    """
    gpus = []
    for line in (text or "").splitlines():
        match = _GPU_LINE_RE.match(line)
        if match:
            gpus.append({"index": int(match.group(1)), "name": match.group(2),
                         "uuid": match.group(3), "mig_devices": []})
            continue
        match = _MIG_LINE_RE.match(line)
        if match:
            if not gpus:
                raise ValueError("MIG device line before any GPU line in nvidia-smi -L output: %r" % line)
            gpus[-1]["mig_devices"].append({"profile": match.group(1), "index": int(match.group(2)),
                                            "uuid": match.group(3)})
    return gpus


def parse_versions(text):
    """(driver_version, cuda_version) from `nvidia-smi --version`, the `nvidia-smi`
    header or `nvidia-smi -q`; None for what the text does not carry."""
    driver = _DRIVER_RE.search(text or "")
    cuda = _CUDA_RE.search(text or "")
    return (driver.group(1) if driver else None, cuda.group(1) if cuda else None)


def merge_mig_devices(gpus, listed):
    """Attach the MIG devices of `nvidia-smi -L` to the query entries (matched by UUID)."""
    by_uuid = dict((g["uuid"], g["mig_devices"]) for g in listed)
    for gpu in gpus:
        gpu["mig_devices"] = list(by_uuid.get(gpu["uuid"], []))
    return gpus


def first_message(stdout, stderr):
    """The tool's own error text, first non-empty lines of stderr then stdout."""
    lines = [line.strip() for line in ((stderr or "") + "\n" + (stdout or "")).splitlines() if line.strip()]
    return " ".join(lines[:3]).rstrip(".") if lines else "(no output)"


def failure_message(rc, stdout, stderr, command):
    """Operator message for a failed nvidia-smi run: the tool's words, then what to do."""
    hint = EXIT_HINTS.get(rc, "see `man nvidia-smi` (RETURN VALUE) for exit code %d" % rc)
    return "%s failed with exit code %d: %s. Hint: %s" % (" ".join(command), rc, first_message(stdout, stderr), hint)
