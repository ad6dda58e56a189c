# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bench's per-task account (TASKS=1): wall time, the node containers' CPU and the machine's.

Test harness, not part of the collection: tests/harness/bench.py enables it and names the file
(BENCH_TASKS_FILE). A task runs on every host of its batch before the next starts (the linear
strategy), so the CPU the machine and the node containers spent between two task starts is that
task's: the controller's share is the machine's less the nodes' (and the Docker engine's).
"""
from __future__ import annotations

DOCUMENTATION = r"""
name: bench_tasks
type: aggregate
short_description: per-task wall time and CPU for make bench
description: Writes one row per task to the file named by BENCH_TASKS_FILE.
author: aiinfra.k8s contributors (@aiinfra)
"""

import json
import os
import sys
import time

from ansible.plugins.callback import CallbackBase

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench import machine_cpu, node_cpu  # noqa: E402  (tests/harness/bench.py, the same counters)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_tasks"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        self.current = None

    def _close(self):
        if self.current:
            name, action, wall, node, machine = self.current
            self.rows.append({"task": name, "action": action, "seconds": round(time.monotonic() - wall, 3),
                              "node_cpu_s": round((node_cpu() or 0.0) - node, 3), "cpu_s": round(machine_cpu() - machine, 3)})
            self.current = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close()
        self.current = (task.get_name(), task.action, time.monotonic(), node_cpu() or 0.0, machine_cpu())

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def v2_playbook_on_play_start(self, play):
        self._close()

    def v2_playbook_on_stats(self, stats):
        self._close()
        path = os.environ.get("BENCH_TASKS_FILE")
        if path:
            with open(path, "w") as handle:
                json.dump(self.rows, handle, indent=1)
