# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""artifact_pin and bundle_pins filters over the real versions file's pins."""
from __future__ import annotations

import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.filter.artifact_pin import artifact_pin
from ansible_collections.aiinfra.k8s.plugins.filter.bundle_pins import bundle_pins

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
with open(os.path.join(ROOT, "roles", "common", "defaults", "main", "versions.yml")) as _handle:
    VERSIONS = yaml.safe_load(_handle)


def test_versions_file_pins():
    pins = VERSIONS["k8s_artifact_pins"]
    assert artifact_pin(pins, "calico_operator_manifest", VERSIONS["calico_version"]).startswith("sha256:23d4b023")
    assert artifact_pin(pins, "nvidia_container_toolkit_deb", "1.18.1", "arm64").startswith("sha256:62a06479")
    assert artifact_pin(pins, "nvidia_container_toolkit_deb", "1.18.1", "amd64").startswith("sha256:98e406c5")
    assert artifact_pin(pins, "calico_operator_manifest", "9.9.9") == ""
    with pytest.raises(AnsibleFilterError, match="artifact_pin: expected k8s_artifact_pins"):
        artifact_pin(["x"], "k", "1")


def test_every_pin_of_the_versions_file_has_a_source():
    for key, versions in VERSIONS["k8s_artifact_pins"].items():
        for version, pin in versions.items():
            assert pin.get("source"), "%s %s has no source" % (key, version)
            assert artifact_pin(VERSIONS["k8s_artifact_pins"], key, version.split("/")[0], (version.split("/") + [None])[1])
    for ref, pin in VERSIONS["k8s_image_digests"].items():
        assert pin.get("source") and pin["digest"].startswith("sha256:"), ref


PLAN = [{"kind": "artifact", "name": "runc", "checksum": "sha256:https://x/runc.sha256sum"},
        {"kind": "artifact", "name": "unit", "checksum": "sha256:" + "a" * 64},
        {"kind": "artifact", "name": "chart", "checksum": ""},
        {"kind": "image", "name": "registry.k8s.io/pause:3.10.1"},
        {"kind": "image", "name": "docker.io/calico/node:v3.31.3"}]


def test_bundle_pins():
    out = bundle_pins(PLAN, VERSIONS["k8s_image_digests"])
    assert [e["pin"] for e in out] == ["published", "pinned", "unpinned", "pinned", "unpinned"]
    assert out[3]["digest"] == "sha256:278fb9dbcca9518083ad1e11276933a2e96f23de604a3a08cc3c80002767d24c"
    assert out[4]["digest"] == "" and "digest" not in PLAN[3]


@pytest.mark.parametrize("plan,digests,message", [
    ("nope", {}, "expected the list bundle_plan returns"),
    (PLAN, ["x"], "expected k8s_image_digests"),
    ([{"kind": "artifact", "name": "x", "checksum": "md5:1"}], {}, r"must be sha256:<64 hex digits> .* \(x\)"),
    ([{"kind": "image", "name": "a:1"}], {"a:1": "sha256:1"}, r"not sha256:<64 hex digits> \(a:1\)"),
])
def test_bundle_pins_errors(plan, digests, message):
    with pytest.raises(AnsibleFilterError, match=message):
        bundle_pins(plan, digests)
