# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of aiinfra.k8s.bundle_copy: send every file to the node's temporary directory, then
one module run checks each against the manifest's sha256 and moves them into place."""
from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase


def _request_problems(files):
    """What is wrong with the task's files, said before anything is sent."""
    if not isinstance(files, list) or not files:
        return ["files must be a non-empty list of {src, dest, sha256[, mode, owner, group]}, got %r" % (files,)]
    problems = []
    for index, item in enumerate(files):
        if not isinstance(item, dict) or not item.get("dest") or not item.get("sha256"):
            problems.append("files[%d] needs dest and sha256, got %r" % (index, item))
            continue
        if not item.get("src"):
            problems.append("files[%d] (%s) needs src, the file in the bundle on the controller" % (index, item["dest"]))
    return problems


class ActionModule(ActionBase):

    TRANSFERS_FILES = True

    def run(self, tmp=None, task_vars=None):
        self._supports_check_mode = True
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        try:
            files = self._task.args.get("files")
            problems = _request_problems(files)
            if problems:
                raise AnsibleActionFail("bundle_copy: %s" % "; ".join(problems))
            sources = [os.path.expanduser(to_text(item["src"])) for item in files]
            absent = ["%s (for %s)" % (src, item["dest"]) for src, item in zip(sources, files) if not os.path.isfile(src)]
            if absent:
                raise AnsibleActionFail(
                    "bundle_copy: not a file on the controller: %s. The offline bundle (k8s_bundle_dir) lacks it: "
                    "rebuild it with playbooks/bundle.yml for this inventory." % ", ".join(absent))
            module_files = []
            if self._task.check_mode:
                # nothing is sent: the module compares the destinations with the sums
                module_files = [dict((k, v) for k, v in item.items() if k != "src") for item in files]
            else:
                shell = self._connection._shell
                staged = []
                for index, (src, item) in enumerate(zip(sources, files)):
                    remote = shell.join_path(shell.tmpdir, "bundle_copy_%d_%s" % (index, os.path.basename(src)))
                    self._transfer_file(src, remote)
                    staged.append(remote)
                    module_files.append(dict(item, src=remote))
                self._fixup_perms2([shell.tmpdir] + staged)
            module_args = dict(self._task.args, files=module_files)
            result.update(self._execute_module(module_name="aiinfra.k8s.bundle_copy", module_args=module_args,
                                               task_vars=task_vars))
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
