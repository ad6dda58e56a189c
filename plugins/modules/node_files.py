#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: node_files
short_description: Directories, files and removals of one role on a node, in one round trip
version_added: 0.1.0
author: aiinfra.k8s contributors (@aiinfra)
extends_documentation_fragment:
  - aiinfra.k8s.attributes
description:
  - Brings several paths to their wanted state with one module run on the node, where
    M(ansible.builtin.file), M(ansible.builtin.template) and M(ansible.builtin.copy) take
    one or more runs per path. On a node that is already right a role's configuration costs
    one round trip, whatever the number of files.
  - Each entry of O(files) is handled in order, so a directory listed before a file in it
    exists when the file is written.
  - A file's O(files[].content) (rendered on the controller, for example with
    C(lookup('ansible.builtin.template', ...))) is compared byte for byte with the file on
    the node. A different or missing file is written to a temporary file next to it,
    checked with O(files[].validate) when given (the file is not installed when the
    command fails) and moved into place atomically (SELinux context kept or defaulted).
    Owner, group and mode are then compared and set like M(ansible.builtin.file) does.
  - O(files[].content) is never returned; diff mode shows the change of a file unless its
    O(files[].diff) is false. A task whose files hold secrets sets C(no_log) (module
    arguments are shown at C(-vvv)) and O(files[].diff=false).
options:
  files:
    description: The paths, in the order they are brought to their state.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Absolute path on the node.
        type: path
        required: true
      state:
        description:
          - V(file) writes O(files[].content); V(directory) creates the directory (and its
            parents) when missing; V(absent) removes a file or a directory tree.
        type: str
        choices: [file, directory, absent]
        default: file
      content:
        description: The whole content of the file (required with O(files[].state=file)).
        type: str
      mode:
        description: Permissions, as M(ansible.builtin.file) takes them (quote octal modes, V("0644")).
        type: raw
      owner:
        description: Owner of the path (left as it is when not given).
        type: str
      group:
        description: Group of the path (left as it is when not given).
        type: str
      validate:
        description:
          - Command that checks a new content before it is installed; C(%s) stands for the
            temporary file. The file is not installed when the command exits non-zero.
        type: str
      diff:
        description: Show this file's change in diff mode (false for files that hold secrets).
        type: bool
        default: true
attributes:
  check_mode:
    support: full
    details: Reports what would change, writes nothing (validation runs only when a file is written).
  diff_mode:
    support: full
    details: One diff per changed path; contents only of files whose O(files[].diff) is true.
"""

EXAMPLES = r"""
- name: Configure | containerd's directories, unit and configuration
  aiinfra.k8s.node_files:
    files:
      - {path: /etc/containerd, state: directory, owner: root, group: root, mode: "0755"}
      - path: /etc/containerd/config.toml
        content: "{{ lookup('ansible.builtin.template', 'config.toml.j2') }}"
        owner: root
        group: root
        mode: "0644"
      - {path: /etc/systemd/system/containerd.service.d/http-proxy.conf, state: absent}
  register: _containerd_files
  notify: Restart containerd

- name: Haproxy | configuration, installed only when haproxy accepts it
  aiinfra.k8s.node_files:
    files:
      - path: /etc/haproxy/haproxy.cfg
        content: "{{ lookup('ansible.builtin.template', 'haproxy.cfg.j2') }}"
        mode: "0644"
        validate: haproxy -c -f %s
"""

RETURN = r"""
changed_paths:
  description: The paths this run created, wrote, changed the attributes of or removed (or would, in check mode).
  returned: always
  type: list
  elements: str
  sample: [/etc/containerd/config.toml]
"""

import os
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text

_FILE_ARGS = dict(
    path=dict(type="path", required=True),
    state=dict(type="str", choices=["file", "directory", "absent"], default="file"),
    content=dict(type="str"),
    mode=dict(type="raw"),
    owner=dict(type="str"),
    group=dict(type="str"),
    validate=dict(type="str"),
    diff=dict(type="bool", default=True),
)


def _attributes(module, entry, changed, exists):
    """Owner, group and mode as the file module sets them; nothing to compare on a path check mode did not create."""
    if not exists:
        return changed
    file_args = module.load_file_common_arguments({"path": entry["path"], "mode": entry["mode"],
                                                   "owner": entry["owner"], "group": entry["group"]})
    return module.set_fs_attributes_if_different(file_args, changed, expand=False)


def _validate(module, entry, tmp):
    command = entry["validate"]
    if "%s" not in command:
        module.fail_json(msg="files: validate of %s must contain %%s (the file to check), got %r" % (entry["path"], command))
    rc, out, err = module.run_command(command % tmp)
    if rc != 0:
        module.fail_json(msg="%s was not installed: `%s` rejected the new content (rc %d): %s"
                         % (entry["path"], command, rc, (err or out).strip()), rc=rc, stdout=out, stderr=err)


def _write(module, entry, b_content):
    path = entry["path"]
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        module.fail_json(msg="files: cannot write %s, its directory %s does not exist (list the directory first, "
                             "state=directory)" % (path, directory))
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(b_content)
        if entry["validate"]:
            _validate(module, entry, tmp)
        module.atomic_move(tmp, path, unsafe_writes=False, keep_dest_attrs=True)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def ensure(module, entry, diffs):
    """Bring one path to its state; True when it changed (or would)."""
    path, state = entry["path"], entry["state"]
    b_path = to_bytes(path, errors="surrogate_or_strict")
    exists = os.path.lexists(b_path)
    header = {"before_header": path, "after_header": path}
    if state == "absent":
        if not exists:
            return False
        if not module.check_mode:
            if os.path.isdir(b_path) and not os.path.islink(b_path):
                shutil.rmtree(b_path)
            else:
                os.unlink(b_path)
        diffs.append(dict(header, before={"path": path, "state": "present"}, after={"path": path, "state": "absent"}))
        return True
    if state == "directory":
        if exists and not os.path.isdir(b_path):
            module.fail_json(msg="files: %s should be a directory but is a file" % path)
        changed = False
        if not exists:
            changed = True
            if not module.check_mode:
                os.makedirs(b_path)
            diffs.append(dict(header, before={"path": path, "state": "absent"}, after={"path": path, "state": "directory"}))
        return _attributes(module, entry, changed, exists or not module.check_mode)
    if entry["content"] is None:
        module.fail_json(msg="files: %s has state=file and no content" % path)
    if exists and os.path.isdir(b_path):
        module.fail_json(msg="files: %s should be a file but is a directory" % path)
    b_content = to_bytes(entry["content"], errors="surrogate_or_strict")
    before = None
    if exists:
        with open(b_path, "rb") as handle:
            before = handle.read()
    changed = before != b_content
    if changed:
        if not module.check_mode:
            _write(module, entry, b_content)
        if entry["diff"]:
            diffs.append(dict(header, before=to_text(before or b"", errors="surrogate_or_replace"),
                              after=to_text(b_content, errors="surrogate_or_replace")))
        else:
            diffs.append(dict(header, before="(content not shown)\n" if exists else "",
                              after="(changed content not shown)\n"))
    return _attributes(module, entry, changed, exists or not module.check_mode)


def main():
    module = AnsibleModule(
        argument_spec=dict(files=dict(type="list", elements="dict", required=True, options=_FILE_ARGS)),
        supports_check_mode=True,
    )
    changed_paths, diffs = [], []
    for entry in module.params["files"]:
        try:
            if ensure(module, entry, diffs):
                changed_paths.append(entry["path"])
        except (IOError, OSError) as exc:
            module.fail_json(msg="files: %s (state %s): %s" % (entry["path"], entry["state"], to_native(exc)),
                             changed_paths=changed_paths)
    result = dict(changed=bool(changed_paths), changed_paths=changed_paths)
    if module._diff:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
