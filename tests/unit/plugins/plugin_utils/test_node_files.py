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


def probe(paths, globs=None):
    script = FILTERS["_node_files_probe"](paths, globs)
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
    for bad in (["conf.d/*.toml"], ["/etc/conf.d/$(reboot).toml"], ["/*.toml"], "/etc/conf.d/*.toml"):
        with pytest.raises(AnsibleFilterError, match="_node_files_probe: expected a list of absolute patterns"):
            FILTERS["_node_files_probe"]([], bad)
    assert FILTERS["_node_files_probe"]([], []) == ":"


def test_globs_report_every_existing_match_and_nothing_for_no_match(tmp_path):
    """Drop-ins another role registered: the role learns their names only from the node."""
    dropins = tmp_path / "it's conf.d"
    dropins.mkdir()
    (dropins / "99-nvidia.toml").write_text("a = 1\n")
    (dropins / "98-other.toml").write_text("b = 2\n")
    (dropins / "notes.txt").write_text("not a drop-in\n")
    (tmp_path / "empty").mkdir()
    config = tmp_path / "config.toml"
    lines = probe([str(config)], [str(dropins / "*.toml"), str(tmp_path / "empty" / "*.toml")])
    assert [line.rsplit("|", 1)[1] for line in lines] == [str(config), str(dropins / "98-other.toml"),
                                                          str(dropins / "99-nvidia.toml")]
    wanted = [{"path": str(dropins / "99-nvidia.toml"), "content": "a = 1\n", "owner": USER, "group": GROUP,
               "mode": "%o" % (os.stat(dropins / "99-nvidia.toml").st_mode & 0o7777)},
              {"path": str(dropins / "98-other.toml"), "content": "b = 3\n"},
              {"path": str(dropins / "97-new.toml"), "content": "c = 1\n"}]
    # the unchanged drop-in needs no run; the changed one and one the node does not have do
    assert pending_paths(wanted, lines) == [wanted[1]["path"], wanted[2]["path"]]
    # globs alone (no fixed path)
    assert len(probe([], [str(dropins / "*.toml")])) == 2
