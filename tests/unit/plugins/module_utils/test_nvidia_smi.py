# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""nvidia-smi parsers against real output captured on an H100 (driver 580.159.04)."""
from __future__ import annotations

import re

import pytest

from ansible_collections.aiinfra.k8s.plugins.module_utils import _nvidia_smi as smi
from ansible_collections.aiinfra.k8s.tests.unit.plugins.modules.utils import read_fixture


def capture(name, ext="out"):
    return read_fixture("nvidia-smi", "h100", "%s.%s" % (name, ext))


def rc_of(name):
    return int(capture(name, "rc"))


def test_query_command_is_the_captured_one():
    # The device capture ran exactly the command the module builds.
    assert " ".join(smi.query_command("nvidia-smi")) == capture("query", "cmd").strip()


def test_every_queried_field_is_a_valid_field_of_driver_580():
    documented = set(re.findall(r'^"([a-z_.]+)"', capture("help-query-gpu"), re.MULTILINE))
    assert [f[0] for f in smi.QUERY_FIELDS if f[0] not in documented] == []


def test_parse_query_h100():
    assert rc_of("query") == 0
    gpus = smi.parse_query(capture("query"))
    assert gpus == [{
        "index": 0, "uuid": "GPU-fb14ea0c-5014-d2b6-c84e-2f5839055062", "name": "NVIDIA H100 80GB HBM3",
        "memory_total_mib": 81559, "driver_version": "580.159.04", "pci_bus_id": "00000000:00:06.0",
        "mig_mode": "Disabled", "mig_mode_pending": "Disabled", "compute_capability": "9.0", "mig_devices": [],
    }]


def test_parse_query_without_an_optional_field():
    # The first capture of the shared fixture queried 9 fields with memory.used and no
    # mig.mode.pending: the field list passed in decides how values are read.
    line = read_fixture("nvidia-smi", "h100-query.txt").splitlines()[2]
    fields = smi.without_fields(["mig.mode.pending"])
    fields = fields[:4] + (("memory.used", "memory_used_mib", "int", True),) + fields[4:]
    gpu = smi.parse_query(line, fields)[0]
    assert gpu["memory_total_mib"] == 81559 and gpu["compute_capability"] == "9.0"
    assert gpu["mig_mode_pending"] is None


@pytest.mark.parametrize("position,value,key,expected", [
    (6, "[N/A]", "mig_mode", None),                 # GPUs without MIG support
    (7, "[Not Supported]", "mig_mode_pending", None),
    (8, "[N/A]", "compute_capability", None),
    (3, "[N/A]", "memory_total_mib", None),
    (0, "3", "index", 3),
])
def test_parse_query_missing_values(position, value, key, expected):
    values = capture("query").strip().split(", ")
    values[position] = value
    assert smi.parse_query(", ".join(values))[0][key] == expected


@pytest.mark.parametrize("text,error", [
    ("0, GPU-x, NVIDIA H100 80GB HBM3", "has 3 values, expected 9"),
    (capture("query").replace("81559", "lots"), "field memory.total: expected a number"),
])
def test_parse_query_rejects_bad_lines(text, error):
    with pytest.raises(ValueError, match=error):
        smi.parse_query(text)


def test_parse_query_rejects_header_and_units_format():
    # --format=csv (header, units) is not what the module asks for: it must not be misread.
    with pytest.raises(ValueError):
        smi.parse_query(capture("query-header"))


def test_parse_query_empty():
    assert smi.parse_query("\n") == []


def test_parse_list_h100():
    assert smi.parse_list(capture("list")) == [{
        "index": 0, "name": "NVIDIA H100 80GB HBM3", "uuid": "GPU-fb14ea0c-5014-d2b6-c84e-2f5839055062",
        "mig_devices": []}]


@pytest.mark.parametrize("fixture,gpus,per_gpu,profile,first_uuid", [
    ("mig-list-r470.txt", 2, 2, "1g.10gb", "MIG-a686709d-6dc2-542a-8851-0d2508448c10"),
    ("mig-list-r450.txt", 1, 7, "1g.5gb", "MIG-GPU-5c89852c-d268-c3f3-1b07-005d5ae1dc3f/7/0"),
])
def test_parse_list_mig(fixture, gpus, per_gpu, profile, first_uuid):
    listed = smi.parse_list(read_fixture("nvidia-smi", fixture))
    assert len(listed) == gpus
    assert all(len(g["mig_devices"]) == per_gpu for g in listed)
    assert listed[0]["mig_devices"][0] == {"profile": profile, "index": 0, "uuid": first_uuid}
    assert [d["index"] for d in listed[-1]["mig_devices"]] == list(range(per_gpu))


def test_parse_list_mig_line_without_gpu():
    with pytest.raises(ValueError, match="before any GPU"):
        smi.parse_list(read_fixture("nvidia-smi", "mig-list-r470.txt").split("\n", 1)[1])


@pytest.mark.parametrize("text", [
    capture("version"),                                   # nvidia-smi --version (R525+)
    capture("summary"),                                   # plain nvidia-smi header
    read_fixture("nvidia-smi", "h100-q.txt"),             # nvidia-smi -q
])
def test_parse_versions(text):
    assert smi.parse_versions(text) == ("580.159.04", "13.0")


def test_parse_versions_absent():
    assert smi.parse_versions(capture("no-nvml")) == (None, None)


def test_invalid_fields_from_real_message():
    assert rc_of("invalid-field") == 2
    assert smi.invalid_fields(capture("invalid-field")) == ["not_a_field"]
    assert smi.invalid_fields(capture("query")) == []


def test_without_fields():
    names = [f[0] for f in smi.without_fields(["compute_cap", "mig.mode.pending"])]
    assert "compute_cap" not in names and "mig.mode.pending" not in names and "uuid" in names
    with pytest.raises(ValueError, match="required field"):
        smi.without_fields(["uuid"])


@pytest.mark.parametrize("name,rc,words,hint", [
    ("no-driver", 17, "GPU access blocked by the operating system", "device nodes"),
    ("no-nvml", 12, "couldn't find libnvidia-ml.so library", "libnvidia-ml.so.1"),
    ("no-such-gpu", 6, "No devices were found", "lspci"),
    ("invalid-field", 2, 'Field "not_a_field" is not a valid field', "older than the fields"),
])
def test_failure_message_from_real_failures(name, rc, words, hint):
    assert rc_of(name) == rc
    message = smi.failure_message(rc, capture(name), "", ["nvidia-smi", "-L"])
    assert "exit code %d" % rc in message and words in message and hint in message
    assert ".." not in message


def test_failure_message_unknown_code():
    assert "man nvidia-smi" in smi.failure_message(99, "", "", ["nvidia-smi"])
    assert "(no output)" in smi.failure_message(99, "", "", ["nvidia-smi"])


def test_merge_mig_devices_by_uuid():
    gpus = [{"uuid": "GPU-c92e2d5d-4a69-f1cd-4df0-305f8606705a", "mig_devices": []}, {"uuid": "GPU-other", "mig_devices": []}]
    smi.merge_mig_devices(gpus, smi.parse_list(read_fixture("nvidia-smi", "mig-list-r470.txt")))
    assert [d["uuid"] for d in gpus[0]["mig_devices"]] == [
        "MIG-d5a46a2e-1d77-575d-99e3-1f96c8555a2e", "MIG-b8479d6e-d08f-5a92-9a24-0946db72b2a0"]
    assert gpus[1]["mig_devices"] == []
