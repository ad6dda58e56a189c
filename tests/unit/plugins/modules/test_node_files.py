# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""node_files on a real directory tree: directories, files and removals in one run, a second
run that changes nothing, changed attributes, validation that keeps a rejected file out,
check mode that writes nothing, diff mode that hides what it is told to hide."""
from __future__ import annotations

import os
import stat

from ansible_collections.aiinfra.k8s.plugins.modules import node_files
from ansible_collections.aiinfra.k8s.tests.unit.plugins.modules.utils import run_module

UNIT = "[Unit]\nDescription=containerd\n\n[Service]\nExecStart=/usr/local/bin/containerd\n"


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def layout(root):
    return [
        {"path": str(root / "etc" / "containerd"), "state": "directory", "mode": "0750"},
        {"path": str(root / "etc" / "containerd" / "config.toml"), "content": "version = 2\n", "mode": "0644"},
        {"path": str(root / "containerd.service"), "content": UNIT, "mode": "0600"},
        {"path": str(root / "http-proxy.conf"), "state": "absent"},
    ]


def test_brings_every_path_then_changes_nothing(tmp_path):
    (tmp_path / "http-proxy.conf").write_text("[Service]\nEnvironment=HTTP_PROXY=http://old:3128\n")
    kind, result = run_module(node_files.main, {"files": layout(tmp_path)})
    assert kind == "exit" and result["changed"] is True
    assert result["changed_paths"] == [str(tmp_path / "etc" / "containerd"), str(tmp_path / "etc" / "containerd" / "config.toml"),
                                       str(tmp_path / "containerd.service"), str(tmp_path / "http-proxy.conf")]
    assert (tmp_path / "etc" / "containerd" / "config.toml").read_text() == "version = 2\n"
    assert (tmp_path / "containerd.service").read_text() == UNIT
    assert mode_of(tmp_path / "etc" / "containerd") == 0o750 and mode_of(tmp_path / "containerd.service") == 0o600
    assert not (tmp_path / "http-proxy.conf").exists()
    # no temporary file left next to the written ones
    assert sorted(os.listdir(tmp_path)) == ["containerd.service", "etc"]

    kind, again = run_module(node_files.main, {"files": layout(tmp_path)})
    assert kind == "exit" and again["changed"] is False and again["changed_paths"] == []


def test_a_changed_file_or_mode_is_put_back(tmp_path):
    run_module(node_files.main, {"files": layout(tmp_path)})
    (tmp_path / "containerd.service").write_text(UNIT + "# edited by hand\n")
    os.chmod(tmp_path / "etc" / "containerd" / "config.toml", 0o666)
    kind, result = run_module(node_files.main, {"files": layout(tmp_path)})
    assert kind == "exit" and result["changed"] is True
    assert result["changed_paths"] == [str(tmp_path / "etc" / "containerd" / "config.toml"), str(tmp_path / "containerd.service")]
    assert (tmp_path / "containerd.service").read_text() == UNIT
    assert mode_of(tmp_path / "etc" / "containerd" / "config.toml") == 0o644


def test_validate_keeps_a_rejected_file_out(tmp_path):
    path = tmp_path / "haproxy.cfg"
    path.write_text("good\n")
    # a real command: grep accepts only a file with a line "good"
    entry = {"path": str(path), "content": "bad\n", "validate": "grep -qx good %s"}
    kind, result = run_module(node_files.main, {"files": [entry]})
    assert kind == "fail"
    assert str(path) in result["msg"] and "was not installed" in result["msg"] and "grep -qx good %s" in result["msg"]
    assert path.read_text() == "good\n"
    assert os.listdir(tmp_path) == ["haproxy.cfg"]

    entry["content"] = "good\n# with a comment\n"
    entry["validate"] = "grep -qx good %s"
    kind, result = run_module(node_files.main, {"files": [entry]})
    assert kind == "exit" and result["changed"] is True and path.read_text() == "good\n# with a comment\n"


def test_validate_needs_the_placeholder(tmp_path):
    entry = {"path": str(tmp_path / "x.cfg"), "content": "x\n", "validate": "true"}
    kind, result = run_module(node_files.main, {"files": [entry]})
    assert kind == "fail" and "%s" in result["msg"] and not (tmp_path / "x.cfg").exists()


def test_check_mode_reports_and_writes_nothing(tmp_path):
    (tmp_path / "http-proxy.conf").write_text("x\n")
    kind, result = run_module(node_files.main, {"files": layout(tmp_path)}, check_mode=True)
    assert kind == "exit" and result["changed"] is True and len(result["changed_paths"]) == 4
    assert sorted(os.listdir(tmp_path)) == ["http-proxy.conf"]


def test_a_file_in_a_missing_directory_is_a_clear_error(tmp_path):
    entry = {"path": str(tmp_path / "nope" / "config.toml"), "content": "x\n"}
    kind, result = run_module(node_files.main, {"files": [entry]})
    assert kind == "fail" and "does not exist" in result["msg"] and "state=directory" in result["msg"]


def test_a_file_where_a_directory_should_be_is_refused(tmp_path):
    (tmp_path / "d").write_text("x\n")
    kind, result = run_module(node_files.main, {"files": [{"path": str(tmp_path / "d"), "state": "directory"}]})
    assert kind == "fail" and "should be a directory" in result["msg"]


def test_diff_shows_contents_unless_told_not_to(tmp_path):
    secret = {"path": str(tmp_path / "keepalived.conf"), "content": "auth_pass s3cret\n", "mode": "0600", "diff": False}
    public = {"path": str(tmp_path / "haproxy.cfg"), "content": "frontend api\n"}
    kind, result = run_module(node_files.main, {"files": [secret, public], "_ansible_diff": True})
    assert kind == "exit"
    assert "s3cret" not in repr(result)
    assert {"before_header": public["path"], "after_header": public["path"], "before": "", "after": "frontend api\n"} in result["diff"]
