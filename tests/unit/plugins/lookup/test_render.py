# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""aiinfra.k8s.render against ansible.builtin.template, both loaded by ansible-core's plugin
loader with a real DataLoader and Templar: the same text for the same template (macros
imported with context, template_vars, ansible_managed and template_* variables, trim_blocks),
and the one difference, that the host's variables are not deep-copied."""
from __future__ import annotations

import os

import pytest

from ansible.errors import AnsibleError
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader, lookup_loader
from ansible.template import Templar

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


class DeepCopyRefused:
    """A value whose deep copy fails, as a host variable the lookup must not copy."""

    def __deepcopy__(self, memo):
        raise RuntimeError("a host variable was deep-copied")


@pytest.fixture(scope="module")
def lookups():
    init_plugin_loader([os.path.join(ROOT, "collections")])
    loader = DataLoader()

    def get(name):
        return lookup_loader.get(name, loader=loader, templar=Templar(loader=loader))

    return get("aiinfra.k8s.render"), get("ansible.builtin.template")


@pytest.fixture
def templates(tmp_path):
    base = tmp_path / "role"
    (base / "templates").mkdir(parents=True)
    (base / "templates" / "main.j2").write_text(MAIN)
    (base / "templates" / "macros.j2").write_text(MACROS)
    (base / "templates" / "plain.j2").write_text("{{ greeting }} world\n")
    return str(base)


def variables(search_path, **more):
    return dict({"ansible_search_path": [search_path], "servers": ["a", "b"], "ports": {"a": 6443},
                 "base_port": 8443, "greeting": "hello"}, **more)


def test_renders_what_the_builtin_lookup_renders(lookups, templates):
    render, builtin = lookups
    for kwargs in ({}, {"template_vars": {"item": "registry.local", "greeting": "hidden"}}):
        ours = render.run(["main.j2"], variables=variables(templates), **kwargs)
        theirs = builtin.run(["main.j2"], variables=variables(templates), **kwargs)
        assert ours == theirs
    lines = ours[0].splitlines()
    assert lines[0] == "Ansible managed"
    assert lines[1] == "# main.j2 from templates"
    assert lines[2:] == ["server a 6443", "server b 8443", "item=registry.local greeting=hidden"]


def test_several_terms_give_one_text_each_in_order(lookups, templates):
    render = lookups[0]
    texts = render.run(["plain.j2", "main.j2"], variables=variables(templates))
    assert len(texts) == 2
    assert texts[0] == "hello world\n"
    assert texts[1].startswith("Ansible managed\n")


def test_the_host_variables_are_not_deep_copied(lookups, templates):
    render, builtin = lookups
    with pytest.raises(RuntimeError, match="deep-copied"):
        builtin.run(["main.j2"], variables=variables(templates, hostvars=DeepCopyRefused()))
    text = render.run(["main.j2"], variables=variables(templates, hostvars=DeepCopyRefused()))[0]
    assert "server a 6443" in text


def test_the_callers_variables_are_left_as_they_were(lookups, templates):
    render = lookups[0]
    given = variables(templates)
    before = {k: (list(v) if isinstance(v, list) else v) for k, v in given.items()}
    render.run(["main.j2"], variables=given, template_vars={"item": "x"})
    assert given == before
    assert given["ansible_search_path"] == [templates]


def test_a_missing_template_is_named(lookups, templates):
    render = lookups[0]
    with pytest.raises(AnsibleError, match="nothere.j2"):
        render.run(["nothere.j2"], variables=variables(templates))
