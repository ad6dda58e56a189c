# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""pins_file: the pins block of the versions file (the real one, copied), added values,
idempotence, upstream changes refused unless replace, a file without the block."""
from __future__ import annotations

import os
import shutil

import yaml

from ansible_collections.aiinfra.k8s.plugins.modules import pins_file
from ansible_collections.aiinfra.k8s.tests.unit.plugins.modules.utils import run_module

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
VERSIONS = os.path.join(ROOT, "roles", "common", "defaults", "main", "versions.yml")
NEW = [{"kind": "artifact", "key": "calico_operator_manifest", "version": "3.31.4", "sha256": "A" * 64, "source": "test"},
       {"kind": "artifact", "key": "nvidia_container_toolkit_rpm", "version": "1.18.1", "arch": "amd64", "sha256": "b" * 64},
       {"kind": "image", "key": "docker.io/calico/node:v3.31.4", "digest": "sha256:" + "c" * 64, "source": "test"}]


def copy(tmp_path):
    path = str(tmp_path / "versions.yml")
    shutil.copyfile(VERSIONS, path)
    return path


def outside(text):
    return text[:text.index(pins_file.BEGIN)] + text[text.index(pins_file.END):]


def test_the_versions_file_block_is_what_the_module_writes(tmp_path):
    """The committed block is in the module's own format: running it with nothing new changes nothing."""
    path = copy(tmp_path)
    kind, result = run_module(pins_file.main, {"path": path, "computed": []})
    assert kind == "exit" and result["changed"] is False


def test_adds_pins_and_keeps_the_rest(tmp_path):
    path = copy(tmp_path)
    with open(path) as handle:
        before = handle.read()
    kind, result = run_module(pins_file.main, {"path": path, "computed": NEW}, check_mode=True)
    assert kind == "exit" and result["changed"] and open(path).read() == before
    kind, result = run_module(pins_file.main, {"path": path, "computed": NEW})
    assert kind == "exit" and result["changed"]
    assert result["added"] == ["calico_operator_manifest 3.31.4", "nvidia_container_toolkit_rpm 1.18.1/amd64",
                               "docker.io/calico/node:v3.31.4"]
    with open(path) as handle:
        after = handle.read()
    assert outside(after) == outside(before)
    data = yaml.safe_load(after)
    assert data["k8s_artifact_pins"]["calico_operator_manifest"]["3.31.4"] == {"sha256": "a" * 64, "source": "test"}
    assert data["k8s_artifact_pins"]["calico_operator_manifest"]["3.31.3"] == yaml.safe_load(before)["k8s_artifact_pins"][
        "calico_operator_manifest"]["3.31.3"]
    assert data["k8s_artifact_pins"]["nvidia_container_toolkit_rpm"]["1.18.1/amd64"]["sha256"] == "b" * 64
    assert data["k8s_image_digests"]["docker.io/calico/node:v3.31.4"]["digest"] == "sha256:" + "c" * 64
    kind, result = run_module(pins_file.main, {"path": path, "computed": NEW})
    assert kind == "exit" and result["changed"] is False and result["added"] == []


def test_a_changed_upstream_is_refused_unless_replace(tmp_path):
    path = copy(tmp_path)
    with open(path) as handle:
        before = handle.read()
    changed = [{"kind": "artifact", "key": "calico_operator_manifest", "version": "3.31.3", "sha256": "d" * 64,
                "source": "https://example/tigera-operator.yaml"}]
    kind, result = run_module(pins_file.main, {"path": path, "computed": changed})
    assert kind == "fail" and "CHANGED calico_operator_manifest 3.31.3: pinned 23d4b023" in result["msg"]
    assert "pin_replace=true" in result["msg"] and open(path).read() == before
    kind, result = run_module(pins_file.main, {"path": path, "computed": changed, "replace": True})
    assert kind == "exit" and result["replaced"] == ["calico_operator_manifest 3.31.3"]
    assert yaml.safe_load(open(path).read())["k8s_artifact_pins"]["calico_operator_manifest"]["3.31.3"]["sha256"] == "d" * 64


def test_a_file_without_the_block_gets_it(tmp_path):
    path = tmp_path / "vars.yml"
    path.write_text("---\ncalico_version: \"3.31.4\"\n")
    kind, result = run_module(pins_file.main, {"path": str(path), "computed": NEW[:1]})
    assert kind == "exit" and result["changed"]
    data = yaml.safe_load(path.read_text())
    assert data["calico_version"] == "3.31.4" and data["k8s_image_digests"] == {}
    assert data["k8s_artifact_pins"]["calico_operator_manifest"]["3.31.4"]["sha256"] == "a" * 64


def test_bad_values_are_refused(tmp_path):
    path = copy(tmp_path)
    kind, result = run_module(pins_file.main, {"path": path, "computed": [{"kind": "artifact", "key": "x", "version": "1",
                                                                          "sha256": "abc"}]})
    assert kind == "fail" and "a sha256 of 64 hex digits" in result["msg"]
    kind, result = run_module(pins_file.main, {"path": path, "computed": [{"kind": "image", "key": "x:1", "digest": "abc"}]})
    assert kind == "fail" and "digest sha256:<64 hex>" in result["msg"]
    broken = tmp_path / "broken.yml"
    broken.write_text("---\n" + pins_file.BEGIN + "\nk8s_artifact_pins: {}\n")
    kind, result = run_module(pins_file.main, {"path": str(broken), "computed": []})
    assert kind == "fail" and "no '# END aiinfra.k8s pins' line" in result["msg"]
