#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: nvidia_gpu_info
short_description: NVIDIA GPU facts of a host from nvidia-smi
version_added: 0.1.0
author: aiinfra.k8s contributors (@aiinfra)
extends_documentation_fragment:
  - aiinfra.k8s.attributes
description:
  - Reads the NVIDIA GPUs of the host with C(nvidia-smi --query-gpu=... --format=csv,noheader,nounits)
    (one call for all GPUs), the driver and CUDA versions with C(nvidia-smi --version) (or the
    C(nvidia-smi) header on drivers older than R525), and the MIG devices with C(nvidia-smi -L)
    when a GPU has MIG mode enabled.
  - A host without C(nvidia-smi), or where C(nvidia-smi) finds no GPU, returns O(required=false)
    C(present=false) instead of failing, so the module can run on every node.
  - A driver that is installed but broken (for example exit code 9, driver not loaded; 12, NVML
    library missing; 18, driver/library version mismatch) always fails, with nvidia-smi's own
    message and a hint on what to do.
  - Reads only; never changes the GPU configuration.
options:
  nvidia_smi_path:
    description:
      - Path or name of the C(nvidia-smi) binary.
      - A bare name is searched on E(PATH) and in V(/usr/bin), V(/usr/local/nvidia/bin) and V(/usr/lib/wsl/lib).
    type: str
    default: nvidia-smi
  required:
    description:
      - Fail when no NVIDIA GPU can be read (no C(nvidia-smi), or it finds no GPU), instead of
        returning C(present=false).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    details: Only reads; runs the same commands in check mode.
  diff_mode:
    support: none
notes:
  - The query asks for C(index), C(uuid), C(name), C(memory.total), C(driver_version), C(pci.bus_id),
    C(mig.mode.current), C(mig.mode.pending) and C(compute_cap). When an older driver refuses one of
    the last three (exit code 2, C(Field "x" is not a valid field to query)), the module queries
    again without it and returns V(null) for it.
  - Values nvidia-smi prints as C([N/A]) or C([Not Supported]) are returned as V(null).
seealso:
  - module: aiinfra.k8s.gpu_capacity
"""

EXAMPLES = r"""
- name: Read the GPUs of the GPU nodes
  aiinfra.k8s.nvidia_gpu_info:
    required: true
  register: gpu_info

- name: Show what was found
  ansible.builtin.debug:
    msg: "{{ gpu_info.count }} x {{ gpu_info.gpus[0].name }}, driver {{ gpu_info.driver_version }}, CUDA {{ gpu_info.cuda_version }}"
  when: gpu_info.present

- name: Expect as many GPUs in Kubernetes as nvidia-smi sees
  aiinfra.k8s.gpu_capacity:
    kubeconfig: /etc/kubernetes/admin.conf
    expected: "{{ dict(groups['gpu_nodes'] | zip(groups['gpu_nodes'] | map('extract', hostvars, ['gpu_info', 'count']))) }}"
  delegate_to: "{{ groups['masters'][0] }}"
  run_once: true
"""

RETURN = r"""
present:
  description: Whether nvidia-smi ran and found at least one GPU.
  returned: always
  type: bool
  sample: true
count:
  description: Number of physical GPUs.
  returned: always
  type: int
  sample: 1
gpus:
  description: One entry per physical GPU, in nvidia-smi index order.
  returned: always
  type: list
  elements: dict
  contains:
    index:
      description: nvidia-smi index.
      type: int
      sample: 0
    uuid:
      description: GPU UUID.
      type: str
      sample: GPU-9d358a03-dbf4-4d52-1320-c91ecfefe5bf
    name:
      description: Product name.
      type: str
      sample: NVIDIA H100 80GB HBM3
    memory_total_mib:
      description: Total framebuffer memory in MiB.
      type: int
      sample: 81559
    driver_version:
      description: Driver version reported for this GPU.
      type: str
      sample: 580.159.04
    pci_bus_id:
      description: PCI bus id.
      type: str
      sample: "00000000:00:06.0"
    mig_mode:
      description: Current MIG mode (V(Enabled), V(Disabled)), V(null) where MIG is not supported.
      type: str
      sample: Disabled
    mig_mode_pending:
      description: MIG mode after the next GPU reset, V(null) where MIG is not supported.
      type: str
      sample: Disabled
    compute_capability:
      description: CUDA compute capability, V(null) on drivers that cannot report it.
      type: str
      sample: "9.0"
    mig_devices:
      description: MIG devices of this GPU (from C(nvidia-smi -L)); empty when MIG is off.
      type: list
      elements: dict
      sample: [{"profile": "1g.10gb", "index": 0, "uuid": "MIG-a686709d-6dc2-542a-8851-0d2508448c10"}]
driver_version:
  description: NVIDIA driver version.
  returned: always
  type: str
  sample: 580.159.04
cuda_version:
  description: Highest CUDA version the driver supports.
  returned: always
  type: str
  sample: "13.0"
mig_enabled:
  description: Whether any GPU has MIG mode enabled.
  returned: always
  type: bool
  sample: false
nvidia_smi_path:
  description: The nvidia-smi binary that was run, V(null) when none was found.
  returned: always
  type: str
  sample: /usr/bin/nvidia-smi
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.aiinfra.k8s.plugins.module_utils import _nvidia_smi as smi

SEARCH_DIRS = ["/usr/bin", "/usr/local/nvidia/bin", "/usr/lib/wsl/lib"]
NO_DEVICES_RC = 6
INVALID_ARGUMENT_RC = 2


def empty_result(path=None):
    return dict(changed=False, present=False, count=0, gpus=[], driver_version=None,
                cuda_version=None, mig_enabled=False, nvidia_smi_path=path)


def find_nvidia_smi(module, name):
    if os.sep in name:
        return name if os.path.isfile(name) and os.access(name, os.X_OK) else None
    return module.get_bin_path(name, opt_dirs=SEARCH_DIRS)


def run(module, command):
    rc, out, err = module.run_command(command, environ_update={"LC_ALL": "C"})
    return rc, out, err


def absent(module, result, why):
    """No GPU to read: fail when required, otherwise say so and return present=false."""
    if module.params["required"]:
        module.fail_json(msg="%s (required=true)" % why, **result)
    result["msg"] = why
    module.exit_json(**result)


def query(module, path):
    fields = smi.QUERY_FIELDS
    command = smi.query_command(path, fields)
    rc, out, err = run(module, command)
    refused = smi.invalid_fields(err + out) if rc == INVALID_ARGUMENT_RC else []
    if refused:
        try:
            fields = smi.without_fields(refused)
        except ValueError:
            module.fail_json(msg=smi.failure_message(rc, out, err, command), nvidia_smi_path=path)
        command = smi.query_command(path, fields)
        rc, out, err = run(module, command)
    return rc, out, err, command, fields


def main():
    module = AnsibleModule(
        argument_spec=dict(
            nvidia_smi_path=dict(type="str", default="nvidia-smi"),
            required=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    name = module.params["nvidia_smi_path"]
    path = find_nvidia_smi(module, name)
    if path is None:
        absent(module, empty_result(), "nvidia-smi (%s) was not found on this host: no NVIDIA driver installed" % name)
    result = empty_result(path)

    rc, out, err, command, fields = query(module, path)
    if rc == NO_DEVICES_RC:
        absent(module, result, smi.failure_message(rc, out, err, command))
    if rc != 0:
        module.fail_json(msg=smi.failure_message(rc, out, err, command), rc=rc, stdout=out, stderr=err, **result)
    try:
        gpus = smi.parse_query(out, fields)
    except ValueError as exc:
        module.fail_json(msg="cannot read the output of %s: %s" % (" ".join(command), exc), stdout=out, **result)
    if not gpus:
        absent(module, result, "%s listed no GPU" % " ".join(command))

    rc, out, err = run(module, smi.version_command(path))
    driver, cuda = smi.parse_versions(out) if rc == 0 else (None, None)
    if cuda is None:
        # Drivers before R525 have no --version: the summary header carries both.
        rc, out, err = run(module, smi.summary_command(path))
        driver_h, cuda = smi.parse_versions(out) if rc == 0 else (None, None)
        driver = driver or driver_h
    driver = driver or gpus[0]["driver_version"]

    mig_enabled = any((g["mig_mode"] or "").lower() == "enabled" for g in gpus)
    if mig_enabled:
        command = smi.list_command(path)
        rc, out, err = run(module, command)
        if rc != 0:
            module.fail_json(msg=smi.failure_message(rc, out, err, command), **result)
        try:
            smi.merge_mig_devices(gpus, smi.parse_list(out))
        except ValueError as exc:
            module.fail_json(msg="cannot read the output of %s: %s" % (" ".join(command), exc), stdout=out, **result)

    result.update(present=True, count=len(gpus), gpus=gpus, driver_version=driver,
                  cuda_version=cuda, mig_enabled=mig_enabled)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
