# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""bundle_plan / bundle_image_path filters, fed with catalogue entries as the versions file renders them."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.filter.bundle_image_path import FilterModule as ImagePathModule, bundle_image_path
from ansible_collections.aiinfra.k8s.plugins.filter.bundle_plan import FilterModule as PlanModule, bundle_plan

CATALOGUE = {
    "kubeadm": {"version": "1.34.3", "url": "https://dl.k8s.io/release/v1.34.3/bin/linux/amd64/kubeadm",
                "checksum": "sha256:https://dl.k8s.io/release/v1.34.3/bin/linux/amd64/kubeadm.sha256", "path": "bin/kubeadm"},
    "chart_gpu_operator": {"version": "25.10.1", "url": "https://helm.ngc.nvidia.com/nvidia/charts/gpu-operator-v25.10.1.tgz",
                           "checksum": "", "path": "charts/gpu-operator-v25.10.1.tgz"},
}


def test_each_file_registers_its_own_filter():
    assert PlanModule().filters() == {"bundle_plan": bundle_plan}
    assert ImagePathModule().filters() == {"bundle_image_path": bundle_image_path}


def test_plan_lists_artifacts_and_images_sorted_by_path():
    plan = bundle_plan(CATALOGUE, ["kubeadm", "chart_gpu_operator"], ["registry.k8s.io/pause:3.10.1"])
    assert [p["path"] for p in plan] == ["bin/kubeadm", "charts/gpu-operator-v25.10.1.tgz", "images/registry.k8s.io_pause_3.10.1.tar"]
    assert plan[0] == {"path": "bin/kubeadm", "name": "kubeadm", "kind": "artifact", "version": "1.34.3",
                       "source": CATALOGUE["kubeadm"]["url"], "url": CATALOGUE["kubeadm"]["url"],
                       "checksum": CATALOGUE["kubeadm"]["checksum"]}
    assert plan[2] == {"path": "images/registry.k8s.io_pause_3.10.1.tar", "name": "registry.k8s.io/pause:3.10.1",
                       "kind": "image", "version": "3.10.1", "source": "docker://registry.k8s.io/pause:3.10.1"}


def test_plan_deduplicates():
    assert len(bundle_plan(CATALOGUE, ["kubeadm", "kubeadm"], ["a.io/b:1", "a.io/b:1"])) == 2


@pytest.mark.parametrize("keys, images, message", [
    (["kubelet"], [], "unknown artifact key"),
    ([], ["busybox"], "needs a tag"),
    ([], ["busybox@sha256:" + "a" * 64], "needs a tag"),
    (["broken"], [], "lacks url"),
    (["escape"], [], "must not contain"),
    (["badsum"], [], "checksum"),
    (["twin", "kubeadm"], [], "both want bundle path bin/kubeadm"),
])
def test_plan_refuses_bad_input(keys, images, message):
    catalogue = dict(CATALOGUE,
                     broken={"version": "1", "url": "", "path": "bin/x"},
                     escape={"version": "1", "url": "http://x", "path": "../x"},
                     badsum={"version": "1", "url": "http://x", "path": "bin/y", "checksum": "md5:abc"},
                     twin={"version": "2", "url": "http://x", "path": "bin/kubeadm"})
    with pytest.raises(AnsibleFilterError, match=message):
        bundle_plan(catalogue, keys, images)


def test_image_path():
    assert bundle_image_path("nvcr.io/nvidia/gpu-operator:v25.10.1") == "images/nvcr.io_nvidia_gpu-operator_v25.10.1.tar"
    with pytest.raises(AnsibleFilterError):
        bundle_image_path(42)
