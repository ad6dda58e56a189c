# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""aiinfra.k8s.render against ansible.builtin.template, both loaded by ansible-core's plugin
loader with a real DataLoader and Templar: the same text for the same template (macros
imported with context, template_vars, ansible_managed and template_* variables), and the one
difference, that the host's variables are not deep-copied.

The lookups run in a fresh Python process: the plugin loader can only load the collection's
plugins where its collection finder imported the collection, and the other unit tests import
it as a plain package first."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))

MAIN = """{{ ansible_managed }}
# {{ template_path | basename }} from {{ template_fullpath | dirname | basename }}
{% import 'macros.j2' as m with context %}
{% for name in servers %}
server {{ name }} {{ m.port(name) }}
{% endfor %}
item={{ item | default('none') }} greeting={{ greeting }}
"""
MACROS = "{% macro port(name) %}{{ ports[name] | default(base_port) }}{% endmacro %}"

RUNNER = r'''
import json, sys
from ansible.errors import AnsibleError
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader, lookup_loader
from ansible.template import Templar

collections, search_path = sys.argv[1], sys.argv[2]
init_plugin_loader([collections])
loader = DataLoader()
render = lookup_loader.get("aiinfra.k8s.render", loader=loader, templar=Templar(loader=loader))
builtin = lookup_loader.get("ansible.builtin.template", loader=loader, templar=Templar(loader=loader))


class DeepCopyRefused:
    def __deepcopy__(self, memo):
        raise RuntimeError("a host variable was deep-copied")


def variables(**more):
    return dict({"ansible_search_path": [search_path], "servers": ["a", "b"], "ports": {"a": 6443},
                 "base_port": 8443, "greeting": "hello"}, **more)


def attempt(lookup, terms, given, **kwargs):
    try:
        return {"texts": lookup.run(terms, variables=given, **kwargs)}
    except (AnsibleError, RuntimeError) as ex:
        return {"error": "%s: %s" % (type(ex).__name__, ex)}


out = {"plugins": [type(render).__module__, type(builtin).__module__]}
item = {"template_vars": {"item": "registry.local", "greeting": "hidden"}}
for name, lookup in (("ours", render), ("builtin", builtin)):
    out[name] = attempt(lookup, ["main.j2"], variables())
    out[name + "_item"] = attempt(lookup, ["main.j2"], variables(), **item)
    out[name + "_uncopyable"] = attempt(lookup, ["main.j2"], variables(hostvars=DeepCopyRefused()))
out["two_terms"] = attempt(render, ["plain.j2", "main.j2"], variables())
given = variables()
attempt(render, ["main.j2"], given, template_vars={"item": "x"})
out["given_after"] = {k: v for k, v in given.items()}
out["missing"] = attempt(render, ["nothere.j2"], variables())
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    base = tmp_path_factory.mktemp("render") / "role"
    (base / "templates").mkdir(parents=True)
    (base / "templates" / "main.j2").write_text(MAIN)
    (base / "templates" / "macros.j2").write_text(MACROS)
    (base / "templates" / "plain.j2").write_text("{{ greeting }} world\n")
    proc = subprocess.run([sys.executable, "-c", RUNNER, os.path.join(ROOT, "collections"), str(base)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.splitlines()[-1])
    out["search_path"] = str(base)
    return out


def test_both_lookups_are_the_plugins_named(results):
    assert results["plugins"] == ["ansible_collections.aiinfra.k8s.plugins.lookup.render",
                                  "ansible_collections.ansible.builtin.plugins.lookup.template"]


def test_renders_what_the_builtin_lookup_renders(results):
    assert results["ours"] == results["builtin"]
    assert results["ours_item"] == results["builtin_item"]
    lines = results["ours_item"]["texts"][0].splitlines()
    assert lines[0] == "Ansible managed"
    assert lines[1] == "# main.j2 from templates"
    assert lines[2:] == ["server a 6443", "server b 8443", "item=registry.local greeting=hidden"]
    assert results["ours"]["texts"][0].splitlines()[-1] == "item=none greeting=hello"


def test_several_terms_give_one_text_each_in_order(results):
    texts = results["two_terms"]["texts"]
    assert len(texts) == 2
    assert texts[0] == "hello world\n"
    assert texts[1].startswith("Ansible managed\n")


def test_the_host_variables_are_not_deep_copied(results):
    assert results["builtin_uncopyable"] == {"error": "RuntimeError: a host variable was deep-copied"}
    assert "server a 6443" in results["ours_uncopyable"]["texts"][0]


def test_the_callers_variables_are_left_as_they_were(results):
    assert results["given_after"] == {"ansible_search_path": [results["search_path"]], "servers": ["a", "b"],
                                      "ports": {"a": 6443}, "base_port": 8443, "greeting": "hello"}


def test_a_missing_template_is_named(results):
    assert results["missing"]["error"].startswith("AnsibleError: ")
    assert "nothere.j2" in results["missing"]["error"]
