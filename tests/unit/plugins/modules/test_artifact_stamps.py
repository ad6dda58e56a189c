# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""artifact_stamps on real files: the stamps of the files brought (sum from the manifest,
size and mtime from the node), other entries kept, a second run that changes nothing, check
mode that writes nothing, a clear failure for a file that is not there."""
from __future__ import annotations

import json
import os

from ansible_collections.aiinfra.k8s.plugins.modules import artifact_stamps
from ansible_collections.aiinfra.k8s.tests.unit.plugins.modules.utils import run_module

SUM = "a" * 64


def test_records_sum_size_and_mtime_and_keeps_other_entries(tmp_path):
    runc = tmp_path / "runc"
    runc.write_bytes(b"\x7fELF" * 100)
    os.utime(runc, (1765000000, 1765000000))
    path = tmp_path / "lib" / "artifacts.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"/usr/local/bin/kubeadm": {"sha256": "b" * 64, "size": 1, "mtime": 2}}))
    kind, result = run_module(artifact_stamps.main, {"path": str(path), "stamps": {str(runc): SUM}})
    assert kind == "exit" and result["changed"] is True
    stamps = json.loads(path.read_text())
    assert stamps[str(runc)] == {"sha256": SUM, "size": 400, "mtime": 1765000000}
    assert stamps["/usr/local/bin/kubeadm"] == {"sha256": "b" * 64, "size": 1, "mtime": 2}
    assert oct(os.stat(path).st_mode & 0o777) == "0o644"

    kind, result = run_module(artifact_stamps.main, {"path": str(path), "stamps": {str(runc): SUM}})
    assert kind == "exit" and result["changed"] is False

    # the file changed on the node: its new size and mtime are recorded
    runc.write_bytes(b"other")
    kind, result = run_module(artifact_stamps.main, {"path": str(path), "stamps": {str(runc): SUM}})
    assert result["changed"] is True and json.loads(path.read_text())[str(runc)]["size"] == 5


def test_format_matches_to_nice_json(tmp_path):
    """Stamps written before by copy(content: to_nice_json) stay byte for byte: no change on upgrade."""
    runc = tmp_path / "runc"
    runc.write_bytes(b"x")
    path = tmp_path / "artifacts.json"
    kind, result = run_module(artifact_stamps.main, {"path": str(path), "stamps": {str(runc): SUM}})
    assert path.read_text() == json.dumps(result["stamps"], indent=4, sort_keys=True) + "\n"


def test_creates_the_directory_and_check_mode_writes_nothing(tmp_path):
    runc = tmp_path / "runc"
    runc.write_bytes(b"x")
    path = tmp_path / "var" / "lib" / "aiinfra" / "artifacts.json"
    args = {"path": str(path), "stamps": {str(runc): SUM}}
    kind, result = run_module(artifact_stamps.main, args, check_mode=True)
    assert kind == "exit" and result["changed"] is True and not path.parent.exists()
    kind, result = run_module(artifact_stamps.main, {"path": str(path), "stamps": {str(runc): SUM}})
    assert kind == "exit" and path.exists() and oct(os.stat(path.parent).st_mode & 0o777) == "0o755"


def test_a_file_that_is_not_there_fails_with_its_path(tmp_path):
    path = tmp_path / "artifacts.json"
    kind, result = run_module(artifact_stamps.main, {"path": str(path), "stamps": {str(tmp_path / "gone"): SUM}})
    assert kind == "fail" and "cannot stat %s" % (tmp_path / "gone") in result["msg"]
    assert not path.exists()
    kind, result = run_module(artifact_stamps.main, {"path": str(path), "stamps": {"relative/runc": SUM}})
    assert kind == "fail" and "not an absolute path" in result["msg"]
