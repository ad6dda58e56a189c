"""_node_files_probe / _node_files_pending: the probe script runs for real (sh, stat, sha1sum)
on files written here, and its output decides which node_files entries still have work."""
from __future__ import annotations

import grp
import hashlib
import os
import pwd
import subprocess

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.filter._node_files import FilterModule
from ansible_collections.aiinfra.k8s.plugins.plugin_utils import _node_files

FILTERS = FilterModule().filters()
USER = pwd.getpwuid(os.getuid()).pw_name
GROUP = grp.getgrgid(os.getgid()).gr_name


def probe(paths):
    script = FILTERS["_node_files_probe"](paths)
    out = subprocess.run(["sh", "-c", "set -eu\n" + script], check=True, capture_output=True, text=True)
    return out.stdout.splitlines()


@pytest.fixture()
def tree(tmp_path):
    """A directory, a file (0644, 'a = 1\\n'), a symlink and a missing path, as a role would lay them out."""
    conf = tmp_path / "etc" / "containerd"
    conf.mkdir(parents=True)
    conf.chmod(0o755)
    (conf / "config.toml").write_text("a = 1\n")
    (conf / "config.toml").chmod(0o644)
    (tmp_path / "link.toml").symlink_to(conf / "config.toml")
    return tmp_path


def entries(root, content="a = 1\n", mode="0644"):
    return [
        {"path": str(root / "etc" / "containerd"), "state": "directory", "owner": USER, "group": GROUP, "mode": "0755"},
        {"path": str(root / "etc" / "containerd" / "config.toml"), "content": content, "owner": USER, "group": GROUP,
         "mode": mode},
        {"path": str(root / "etc" / "containerd" / "proxy.conf"), "state": "absent"},
    ]


def pending_paths(wanted, lines):
    return [e["path"] for e in FILTERS["_node_files_pending"](wanted, lines)]


def test_probe_reports_each_path_once(tree):
    paths = [str(tree / "etc" / "containerd"), str(tree / "etc" / "containerd" / "config.toml"), str(tree / "link.toml"),
             str(tree / "missing")]
    lines = probe(paths)
    assert [line.rsplit("|", 1)[1] for line in lines] == paths
    found = _node_files.parse(lines)
    assert found[paths[0]] == {"kind": "directory", "mode": 0o755, "user": USER, "group": GROUP,
                               "uid": str(os.getuid()), "gid": str(os.getgid())}
    assert found[paths[1]]["kind"] == "file" and found[paths[1]]["mode"] == 0o644
    assert found[paths[1]]["sha1"] == hashlib.sha1(b"a = 1\n", usedforsecurity=False).hexdigest()
    assert found[paths[2]] == {"kind": "link"} and found[paths[3]] == {"kind": "absent"}


def test_a_node_that_is_right_needs_no_run(tree):
    wanted = entries(tree)
    assert pending_paths(wanted, probe([e["path"] for e in wanted])) == []


def test_changed_content_mode_owner_and_presence_are_pending(tree):
    wanted = entries(tree)
    paths = [e["path"] for e in wanted]
    assert pending_paths(entries(tree, content="a = 2\n"), probe(paths)) == [paths[1]]
    assert pending_paths(entries(tree, mode="0600"), probe(paths)) == [paths[1]]
    other = dict(wanted[0], owner="nobody" if USER != "nobody" else "root")
    assert pending_paths([other], probe(paths[:1])) == [paths[0]]
    (tree / "etc" / "containerd" / "proxy.conf").write_text("x")
    assert pending_paths(wanted, probe(paths)) == [paths[2]]
    os.chmod(paths[0], 0o700)
    assert pending_paths(wanted, probe(paths))[0] == paths[0]


def test_numeric_owner_and_int_mode_compare_like_node_files(tree):
    path = str(tree / "etc" / "containerd" / "config.toml")
    entry = {"path": path, "content": "a = 1\n", "owner": str(os.getuid()), "group": str(os.getgid()), "mode": 0o644}
    assert pending_paths([entry], probe([path])) == []


def test_what_the_probe_cannot_vouch_for_is_pending(tree):
    link = str(tree / "link.toml")
    config = str(tree / "etc" / "containerd" / "config.toml")
    lines = probe([link, config])
    # a symbolic link, a symbolic mode, a path the probe did not report, a wrong type
    assert pending_paths([{"path": link, "content": "a = 1\n"}], lines) == [link]
    assert pending_paths([{"path": config, "content": "a = 1\n", "mode": "u=rw,g=r,o=r"}], lines) == [config]
    assert pending_paths([{"path": str(tree / "elsewhere"), "state": "directory"}], lines) == [str(tree / "elsewhere")]
    assert pending_paths([{"path": config, "state": "directory"}], lines) == [config]
    # a garbled line is no answer
    assert pending_paths([{"path": config, "content": "a = 1\n"}], ["nf|file|644|root|" + config]) == [config]


def test_paths_with_spaces_and_quotes_are_quoted(tmp_path):
    odd = tmp_path / "it's a dir"
    odd.mkdir()
    assert probe([str(odd)])[0].endswith("|" + str(odd))


def test_bad_input_is_a_clear_error():
    with pytest.raises(AnsibleFilterError, match="_node_files_probe: expected a list of absolute paths"):
        FILTERS["_node_files_probe"](["relative/path"])
    with pytest.raises(AnsibleFilterError, match="_node_files_pending: expected node_files entries"):
        FILTERS["_node_files_pending"]([{"state": "file"}], [])
    assert FILTERS["_node_files_probe"]([]) == ":"
