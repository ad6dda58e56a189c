#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: bundle_copy
short_description: Copy files of the offline bundle to a node, each checked against the manifest's sha256, in one module run
version_added: 0.1.0
author: aiinfra.k8s contributors (@aiinfra)
extends_documentation_fragment:
  - aiinfra.k8s.attributes
description:
  - Brings several files of the offline bundle from the controller to the node in one task. The action
    plugin sends every file to the node's temporary directory; then one run of this module on the node
    checks each against the sha256 the bundle's manifest records for it (O(files[].sha256)) and moves
    them into place. When one differs, nothing is moved and the task fails naming the file, what it
    holds and what the manifest records.
  - What lands on the node is checked against the signed manifest's record, not only against the
    controller's copy of the moment. A loop of M(ansible.builtin.copy) instead hashes each file on the
    controller (sha1), stats the destination and runs its module once per file.
  - Every file given is sent. Decide beforehand which files a node lacks (the common role's artifacts
    entry point does it from its stamps; the containerd role from the images containerd lists).
  - A destination that already holds the content keeps its inode; only its mode, owner and group are
    set. Missing parent directories are created with mode 0755.
  - With O(stamps), every file of O(files) is recorded in that stamps file (the manifest's sha256, the
    size and modification time on the node), in the same run, as M(aiinfra.k8s.artifact_stamps) does.
options:
  files:
    description: The files to bring.
    type: list
    elements: dict
    required: true
    suboptions:
      src:
        description:
          - The file in the bundle, on the controller. The action plugin sends it and hands the module the
            path of the node's copy in its temporary directory. Not needed in check mode.
        type: path
      dest:
        description: Absolute path on the node.
        type: path
        required: true
      sha256:
        description: The sha256 the bundle's manifest records for the file (64 hexadecimal digits).
        type: str
        required: true
      mode:
        description: Mode of the destination.
        type: raw
        default: "0644"
      owner:
        description: Owner of the destination (unchanged when omitted; root for a new file copied as root).
        type: str
      group:
        description: Group of the destination (unchanged when omitted).
        type: str
  stamps:
    description: Stamps file to record the files in (JSON, see M(aiinfra.k8s.artifact_stamps)). Not written when omitted.
    type: path
attributes:
  action:
    description: The action plugin of the same name sends the files from the controller.
    support: full
  check_mode:
    support: full
    details: Sends nothing; reports the files whose destination lacks the content or the mode, owner or group.
  diff_mode:
    support: none
notes:
  - Needs the C(aiinfra.k8s.bundle_copy) action plugin (used automatically when the task names this module).
"""

EXAMPLES = r"""
- name: Kubernetes binaries from the bundle
  aiinfra.k8s.bundle_copy:
    files:
      - src: "{{ k8s_bundle_dir }}/bin/kubeadm"
        dest: /usr/bin/kubeadm
        sha256: "{{ manifest.files['bin/kubeadm'].sha256 }}"
        mode: "0755"
      - src: "{{ k8s_bundle_dir }}/bin/kubelet"
        dest: /usr/bin/kubelet
        sha256: "{{ manifest.files['bin/kubelet'].sha256 }}"
        mode: "0755"
    stamps: /var/lib/aiinfra/artifacts.json
"""

RETURN = r"""
files:
  description: Each file of O(files), in order, and whether this run changed it (content or attributes).
  returned: always
  type: list
  elements: dict
  sample: [{dest: /usr/bin/kubeadm, changed: true}]
"""

import hashlib
import os
import re

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.aiinfra.k8s.plugins.module_utils._stamps import StampError, update

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def holds(path, sha256, size=None):
    """Whether the regular file at path has this content (a size that differs is enough to say no)."""
    try:
        info = os.stat(path)
    except OSError:
        return False
    if not os.path.isfile(path) or (size is not None and info.st_size != size):
        return False
    return sha256_of(path) == sha256


def problems_of(files, check_mode):
    """What is wrong with the request or with the node's copies; nothing is moved when any."""
    problems, dests = [], set()
    for item in files:
        dest = item["dest"]
        if not os.path.isabs(dest):
            problems.append("%s: not an absolute path on the node" % dest)
        if dest in dests:
            problems.append("%s: given twice" % dest)
        dests.add(dest)
        if not SHA256.match(item["sha256"]):
            problems.append("%s: sha256 %r is not 64 lowercase hexadecimal digits" % (dest, item["sha256"]))
            continue
        if check_mode:
            continue
        if not item.get("src"):
            problems.append("%s: no src (the action plugin sends it; run the task as aiinfra.k8s.bundle_copy)" % dest)
            continue
        try:
            found = sha256_of(item["src"])
        except (IOError, OSError) as exc:
            problems.append("%s: cannot read the copy sent to the node (%s): %s" % (dest, item["src"], to_native(exc)))
            continue
        if found != item["sha256"]:
            problems.append("%s: the copy sent has sha256 %s, the bundle's manifest records %s" % (dest, found, item["sha256"]))
    return problems


def place(module, item):
    """Move the node's copy into place unless the destination holds it already: whether the content changed."""
    dest, src = item["dest"], item.get("src")
    if module.check_mode:
        return not holds(dest, item["sha256"])
    if holds(dest, item["sha256"], os.path.getsize(src)):
        os.unlink(src)
        return False
    parent = os.path.dirname(dest)
    if not os.path.isdir(parent):
        os.makedirs(parent, 0o755)
    module.atomic_move(src, dest)
    return True


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(type="list", elements="dict", required=True, options=dict(
                src=dict(type="path"),
                dest=dict(type="path", required=True),
                sha256=dict(type="str", required=True),
                mode=dict(type="raw", default="0644"),
                owner=dict(type="str"),
                group=dict(type="str"),
            )),
            stamps=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    files = module.params["files"]
    problems = problems_of(files, module.check_mode)
    if problems:
        for item in files:
            if item.get("src") and not module.check_mode and os.path.exists(item["src"]):
                os.unlink(item["src"])
        module.fail_json(msg="Nothing was copied from the bundle: %s. Verify the bundle on the controller "
                             "(playbooks/verify_bundle.yml) and rebuild it with playbooks/bundle.yml if a file "
                             "differs." % "; ".join(problems))
    results = []
    for item in files:
        try:
            changed = place(module, item)
        except (IOError, OSError) as exc:
            module.fail_json(msg="cannot place %s: %s" % (item["dest"], to_native(exc)), files=results)
        if os.path.exists(item["dest"]):
            file_args = module.load_file_common_arguments(
                dict(mode=item["mode"], owner=item["owner"], group=item["group"]), path=item["dest"])
            changed = module.set_fs_attributes_if_different(file_args, changed)
        results.append({"dest": item["dest"], "changed": changed})
    changed = any(result["changed"] for result in results)
    # in check mode a file not yet in place cannot be stat'ed; its stamp would change with it
    if module.params["stamps"] and not (module.check_mode and changed):
        try:
            stamps_changed, _after = update(module.params["stamps"], {item["dest"]: item["sha256"] for item in files},
                                            module.check_mode)
        except StampError as exc:
            module.fail_json(msg=to_native(exc), files=results)
        changed = changed or stamps_changed
    module.exit_json(changed=changed, files=results)


if __name__ == "__main__":
    main()
