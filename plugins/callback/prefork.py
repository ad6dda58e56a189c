# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: prefork
type: aggregate
author: aiinfra.k8s contributors (@aiinfra)
version_added: "1.0.0"
short_description: Load the plugins the tasks use once, before the first worker is forked
description:
  - ansible-playbook forks a worker process for every task on every host, and a worker
    loads each Jinja filter and test, action plugin and connection plugin it needs on first
    use. Nothing a worker loads survives it, so every task on every host loads them again
    (ansible-core's own filter and test files, all of them, at the first filter a worker
    meets; then each filter file of a collection that a template names).
  - This callback loads them in the controller's main process when the playbook starts,
    before the first task, so that every worker starts with them already in memory. It
    changes nothing else; a plugin that fails to load here is left to load (and fail) where
    it is used, and the reason is shown at C(-vvv).
  - What it loads is ansible-core's filters, tests and action plugins, this collection's
    filters, tests, lookups, action plugins and the Python code they share, the action
    plugin of each task (when the task starts, before its workers), and the connection
    plugins of O(connections).
    On the sandbox nodes the offline host layer's controller spent 18 to 23 percent less
    CPU cold and about a quarter less on a re-run (docs/performance.md, tenth round).
  - Enabled by the project's C(ansible.cfg) (C(callbacks_enabled)).
requirements:
  - Enabled in C(callbacks_enabled).
options:
  connections:
    description:
      - The connection plugins to load before the first task, the ones the inventory's hosts
        use. Nothing is wrong when a host uses another one; its workers load it themselves.
    type: list
    elements: str
    default: [ansible.builtin.ssh]
    env:
      - name: AIINFRA_K8S_PREFORK_CONNECTIONS
    ini:
      - section: callback_aiinfra_prefork
        key: connections
"""

import importlib
import os

from ansible.plugins.callback import CallbackBase
from ansible.plugins.loader import action_loader, connection_loader, filter_loader, lookup_loader, module_loader, test_loader

# this collection's plugins package: ansible_collections.<namespace>.<name>.plugins
_PLUGINS_PACKAGE = __name__.rsplit(".", 2)[0]
_COLLECTION = ".".join(_PLUGINS_PACKAGE.split(".")[1:3])
_PLUGINS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def collection_plugin_files(kind, plugins_dir=_PLUGINS_DIR):
    """The stems of the collection's plugin files of one kind (filter, test, lookup, action)."""
    directory = os.path.join(plugins_dir, kind)
    if not os.path.isdir(directory):
        return []
    return sorted(name[:-3] for name in os.listdir(directory) if name.endswith(".py") and name != "__init__.py")


def jinja_plugin_names(kind, stem, package=_PLUGINS_PACKAGE):
    """The names one filter or test file of the collection defines (its FilterModule/TestModule)."""
    method = "filters" if kind == "filter" else "tests"
    holder = "FilterModule" if kind == "filter" else "TestModule"
    module = importlib.import_module("%s.%s.%s" % (package, kind, stem))
    return sorted(getattr(getattr(module, holder)(), method)())


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "aiinfra.k8s.prefork"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loaded = []
        self.failed = []
        self._done = False
        self._actions = set()

    def _load(self, what, load):
        try:
            if load() is None:
                raise LookupError("no such plugin")
        except Exception as ex:  # pylint: disable=broad-except
            # a plugin that cannot load is the worker's business: it fails there, with its task
            self.failed.append(what)
            self._display.vvv("aiinfra.k8s.prefork: %s not loaded before the first task: %s" % (what, ex))
        else:
            self.loaded.append(what)

    def preload(self):
        if self._done:
            return
        self._done = True
        # Jinja plugin files hold several plugins each: all() makes the wrappers a worker looks
        # them up in (with class_only it would find no plugins in the classes and cache nothing)
        for loader in (filter_loader, test_loader):
            self._load("ansible-core's %s plugins" % loader.type, lambda loader=loader: list(loader.all()))
        self._load("ansible-core's action plugins", lambda: list(action_loader.all(class_only=True)))
        # one file at a time: a file that fails to import costs only its own plugins
        for kind, loader in (("filter", filter_loader), ("test", test_loader)):
            for stem in collection_plugin_files(kind):
                self._load("%s's %s plugins of %s.py" % (_COLLECTION, kind, stem),
                           lambda kind=kind, stem=stem, loader=loader: [
                               loader.get("%s.%s" % (_COLLECTION, name)) for name in jinja_plugin_names(kind, stem)])
        for kind, loader in (("lookup", lookup_loader), ("action", action_loader)):
            for stem in collection_plugin_files(kind):
                fqcn = "%s.%s" % (_COLLECTION, stem)
                self._load(fqcn, lambda fqcn=fqcn, loader=loader: loader.get(fqcn, class_only=True))
        # the code the collection's filters import on first use (kept out of the filter files,
        # which ansible-core imports whenever a template names any filter of the collection)
        for kind in ("plugin_utils", "module_utils"):
            for stem in collection_plugin_files(kind):
                name = "%s.%s.%s" % (_PLUGINS_PACKAGE, kind, stem)
                self._load(name, lambda name=name: importlib.import_module(name))
        for name in self.get_option("connections") or []:
            self._load(name, lambda name=name: connection_loader.get(name, class_only=True))
        self._display.vvv("aiinfra.k8s.prefork: %d plugins or plugin groups loaded before the first task, %d not"
                          % (len(self.loaded), len(self.failed)))

    def resolve_action(self, task):
        """Find the task's module and load its action plugin (as a worker would) once per action name."""
        key = (task.action, tuple(task.collections or ()))
        if key in self._actions:
            return
        self._actions.add(key)

        def load():
            collections = task.collections
            module = module_loader.find_plugin_with_context(task.action, collection_list=collections)
            if module.resolved and module.action_plugin:
                handler = module.action_plugin
            elif action_loader.has_plugin(task.action, collection_list=collections):
                handler = task.action
            else:
                handler, collections = "ansible.legacy.normal", None
            return action_loader.get(handler, collection_list=collections, class_only=True)

        self._load("the action of %s" % task.action, load)

    def v2_playbook_on_start(self, playbook):
        self.preload()

    def v2_playbook_on_task_start(self, task, is_conditional):
        # sent by the strategy before it forks this task's workers
        self.resolve_action(task)

    def v2_playbook_on_handler_task_start(self, task):
        self.resolve_action(task)
