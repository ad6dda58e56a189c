from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.filter.normalize_image_ref import normalize_image_ref

DIGEST = "sha256:" + "a" * 64


# Expected values are what `ctr -n k8s.io images ls -q` prints after importing archives
# saved under the input names (containerd applies the same normalisation).
@pytest.mark.parametrize(
    "ref, expected",
    [
        ("busybox", "docker.io/library/busybox:latest"),
        ("busybox:1.36", "docker.io/library/busybox:1.36"),
        ("library/busybox:1.36", "docker.io/library/busybox:1.36"),
        ("docker.io/busybox:1.36", "docker.io/library/busybox:1.36"),
        ("index.docker.io/library/busybox", "docker.io/library/busybox:latest"),
        ("calico/node:v3.31.3", "docker.io/calico/node:v3.31.3"),
        ("docker.io/calico/node:v3.31.3", "docker.io/calico/node:v3.31.3"),
        ("registry.k8s.io/pause:3.10.1", "registry.k8s.io/pause:3.10.1"),
        ("registry.k8s.io/coredns/coredns:v1.12.1", "registry.k8s.io/coredns/coredns:v1.12.1"),
        ("nvcr.io/nvidia/gpu-operator:v25.10.1", "nvcr.io/nvidia/gpu-operator:v25.10.1"),
        ("localhost/aiinfra/test:1", "localhost/aiinfra/test:1"),
        ("localhost:5000/test", "localhost:5000/test:latest"),
        ("10.231.2.1:5000/ns/app:2", "10.231.2.1:5000/ns/app:2"),
        ("quay.io/tigera/operator:v1.40.3", "quay.io/tigera/operator:v1.40.3"),
        ("registry.k8s.io/pause@" + DIGEST, "registry.k8s.io/pause@" + DIGEST),
        ("busybox:1.36@" + DIGEST, "docker.io/library/busybox:1.36@" + DIGEST),
        ("  busybox:1.36 ", "docker.io/library/busybox:1.36"),
    ],
)
def test_normalize(ref, expected):
    assert normalize_image_ref(ref) == expected


def test_idempotent():
    once = normalize_image_ref("calico/node:v3.31.3")
    assert normalize_image_ref(once) == once


@pytest.mark.parametrize(
    "ref, message",
    [
        ("", "expected an image reference"),
        (None, "expected an image reference"),
        ("Busybox:1", "not a valid image name"),
        ("registry.k8s.io/", "not a valid image name"),
        ("busybox:bad tag", "invalid tag"),
        ("busybox@sha256:xyz", "invalid digest"),
    ],
)
def test_rejects(ref, message):
    with pytest.raises(AnsibleFilterError, match=message):
        normalize_image_ref(ref)
