# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""nvidia_gpu_info main() fed with the raw nvidia-smi outputs captured on a real H100, compared
with the module results captured on the same machine in the same run (capture.sh)."""
from __future__ import annotations

import json

import pytest

from ansible_collections.aiinfra.k8s.plugins.modules import nvidia_gpu_info
from ansible_collections.aiinfra.k8s.tests.unit.plugins.modules.utils import Commands, read_fixture, run_module

SMI = "/usr/bin/nvidia-smi"  # where the device's ansible run found it
RUN_ONLY_KEYS = ("invocation", "_ansible_no_log", "action", "failed", "exception", "stdout_lines", "stderr_lines")


def capture(name, ext="out"):
    return read_fixture("nvidia-smi", "h100", "%s.%s" % (name, ext))


def answer(name):
    return (int(capture(name, "rc")), capture(name), "")


def device_result(name=None):
    if name is None:
        data = json.loads(read_fixture("nvidia-smi", "h100-module-result.json"))
    else:
        data = json.loads(read_fixture("nvidia-smi", "h100-playbook-result.json"))[name]
    return dict((k, v) for k, v in data.items() if k not in RUN_ONLY_KEYS)


def h100_commands():
    return Commands((("--query-gpu",), answer("query")), (("--version",), answer("version")))


def run(args=None, commands=None, check_mode=False, bin_path=SMI):
    return run_module(nvidia_gpu_info.main, args or {}, commands, bin_path=bin_path, check_mode=check_mode)


def test_h100_raw_outputs_give_the_module_result_captured_on_the_device():
    commands = h100_commands()
    kind, result = run(commands=commands)
    assert kind == "exit"
    assert result == device_result()
    # one query for all GPUs, one version call, no -L while MIG is off
    assert [c[1] for c in commands.calls] == [commands.calls[0][1], "--version"]


@pytest.mark.parametrize("play_result,args,check_mode", [
    ("required_gpu", {"required": True}, False),
    ("check_mode", {}, True),
])
def test_h100_playbook_results(play_result, args, check_mode):
    kind, result = run(args, h100_commands(), check_mode=check_mode)
    assert kind == "exit" and result == device_result(play_result)


@pytest.mark.parametrize("play_result,required,kind", [
    ("absent", False, "exit"),
    ("absent_required", True, "fail"),
])
def test_no_nvidia_smi(play_result, required, kind):
    # Same arguments as on the device: a path that does not exist; no command may run.
    commands = Commands()
    got_kind, result = run({"nvidia_smi_path": "/nonexistent/nvidia-smi", "required": required}, commands)
    assert got_kind == kind and commands.calls == []
    expected = device_result(play_result)
    assert result["msg"] == expected["msg"] and result["present"] is False and result["count"] == 0


def test_not_on_path_returns_present_false():
    kind, result = run({}, Commands(), bin_path=None)
    assert kind == "exit" and result["present"] is False and result["nvidia_smi_path"] is None
    assert "not found" in result["msg"]


@pytest.mark.parametrize("capture_name,play_result", [
    ("no-driver", "hidden_driver"),   # exit 17: device nodes hidden
    ("no-nvml", "hidden_nvml"),       # exit 12: libnvidia-ml.so.1 hidden
])
@pytest.mark.parametrize("required", [False, True])
def test_broken_driver_fails_even_when_not_required(capture_name, play_result, required):
    kind, result = run({"required": required}, Commands((("--query-gpu",), answer(capture_name))))
    expected = device_result(play_result)
    assert kind == "fail" and result["rc"] == expected["rc"]
    tool_words = expected["stdout"].splitlines()[0].rstrip(".")
    assert tool_words in result["msg"] and "Hint: " in result["msg"]
    assert result["msg"].split("Hint: ")[1] == expected["msg"].split("Hint: ")[1]


@pytest.mark.parametrize("required,kind", [(False, "exit"), (True, "fail")])
def test_no_devices_found(required, kind):
    got_kind, result = run({"required": required}, Commands((("--query-gpu",), answer("no-such-gpu"))))
    assert got_kind == kind and result["present"] is False
    assert "No devices were found" in result["msg"]


def test_old_driver_without_compute_cap_is_queried_again_without_it():
    refused = capture("invalid-field").replace("not_a_field", "compute_cap")
    line = capture("query").strip().rsplit(", ", 1)[0]  # the same GPU without the last field
    commands = Commands((("--query-gpu",), [(2, refused, ""), (0, line + "\n", "")]),
                        (("--version",), answer("version")))
    kind, result = run({}, commands)
    assert kind == "exit" and result["gpus"][0]["compute_capability"] is None
    assert result["gpus"][0]["memory_total_mib"] == 81559
    first, second = commands.called("--query-gpu")
    assert first[1].endswith(",compute_cap") and second[1] == first[1][:-len(",compute_cap")]


def test_refused_required_field_fails():
    refused = capture("invalid-field").replace("not_a_field", "uuid")
    kind, result = run({}, Commands((("--query-gpu",), (2, refused, ""))))
    assert kind == "fail" and "exit code 2" in result["msg"]


def test_driver_without_version_flag_reads_the_summary_header():
    commands = Commands((("--query-gpu",), answer("query")), (("--version",), (2, "", "unknown option")),
                        ((), answer("summary")))
    kind, result = run({}, commands)
    assert kind == "exit" and (result["driver_version"], result["cuda_version"]) == ("580.159.04", "13.0")
    assert commands.calls[-1] == [SMI]


def test_mig_devices_come_from_nvidia_smi_list():
    # Two A100s with MIG enabled (nvidia-smi -L from public documentation); query lines built
    # from the real H100 line with the A100s' index, UUID and name.
    listed = read_fixture("nvidia-smi", "mig-list-r470.txt")
    h100 = capture("query").strip().split(", ")
    lines = []
    for index, uuid in enumerate(("GPU-9c73eb7b-8d6d-6c0e-dc13-97873e2ede40", "GPU-c92e2d5d-4a69-f1cd-4df0-305f8606705a")):
        values = list(h100)
        values[0:3] = [str(index), uuid, "NVIDIA A100-SXM4-80GB"]
        values[6] = values[7] = "Enabled"
        values[8] = "8.0"
        lines.append(", ".join(values))
    commands = Commands((("--query-gpu",), (0, "\n".join(lines) + "\n", "")),
                        (("--version",), answer("version")), (("-L",), (0, listed, "")))
    kind, result = run({}, commands)
    assert kind == "exit" and result["mig_enabled"] is True and result["count"] == 2
    assert [len(g["mig_devices"]) for g in result["gpus"]] == [2, 2]
    assert result["gpus"][1]["mig_devices"][0]["uuid"] == "MIG-d5a46a2e-1d77-575d-99e3-1f96c8555a2e"


def test_unreadable_query_output_fails_clearly():
    kind, result = run({}, Commands((("--query-gpu",), (0, capture("query-header"), ""))))
    assert kind == "fail" and "cannot read the output" in result["msg"]
