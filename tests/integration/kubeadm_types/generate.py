"""Build the machine-readable field tree of the upstream config types (fields.json).

Reads a LOCAL copy of the upstream Go type definitions (not committed; see README.md
for the exact sources and commits) and writes, for each config kind the collection
renders, the tree of JSON field names and their JSON types as the Go types declare
them (json struct tags, pointers, slices, maps, embedded `json:",inline"` structs,
named scalar types with their declared constants as enums).

    python3 tests/integration/kubeadm_types/generate.py build/upstream-go \
        > tests/integration/kubeadm_types/fields.json

A type the generator cannot resolve is an error (never silently "anything"), except the
few apimachinery/component-base types with custom JSON encodings listed in EXTERNAL.
"""
from __future__ import annotations

import json
import os
import re
import sys

# package key -> file (relative to the source dir) holding its types
PACKAGES = {
    "kubeadm/v1beta4": "kubeadm/v1beta4/types.go",
    "kubeadm/v1beta3": "kubeadm/v1beta3/types.go",
    "bootstraptoken/v1": "bootstraptoken/v1/types.go",
    "kubelet/v1beta1": "kubelet/config/v1beta1/types.go",
    "kubeproxy/v1alpha1": "kube-proxy/config/v1alpha1/types.go",
    "core/v1": "api/core/v1/types.go",
    "logs/v1": "component-base/logs/api/v1/types.go",
    "tracing/v1": "component-base/tracing/api/v1/types.go",
    "componentconfig/v1alpha1": "component-base/config/v1alpha1/types.go",
}
# Go import path suffix -> package key
IMPORTS = {
    "cmd/kubeadm/app/apis/bootstraptoken/v1": "bootstraptoken/v1",
    "kubeconfig/config/bootstraptoken/v1": "bootstraptoken/v1",
    "k8s.io/api/core/v1": "core/v1",
    "k8s.io/apimachinery/pkg/apis/meta/v1": "meta/v1",
    "k8s.io/apimachinery/pkg/api/resource": "resource",
    "k8s.io/apimachinery/pkg/util/intstr": "intstr",
    "k8s.io/component-base/logs/api/v1": "logs/v1",
    "k8s.io/component-base/tracing/api/v1": "tracing/v1",
    "k8s.io/component-base/config/v1alpha1": "componentconfig/v1alpha1",
}
# Types with their own JSON encoding (MarshalJSON/UnmarshalJSON) or from apimachinery.
EXTERNAL = {
    "meta/v1.Duration": {"kind": "duration"},          # "1h2m3s" (time.ParseDuration)
    "meta/v1.Time": {"kind": "string"},                # RFC 3339
    "resource.Quantity": {"kind": "quantity"},        # "100Mi" or a number
    "resource.QuantityValue": {"kind": "quantity"},   # a Quantity with its own JSON encoding
    "intstr.IntOrString": {"kind": "int-or-string"},
    "logs/v1.TimeOrMetaDuration": {"kind": "duration"},  # custom UnmarshalJSON: a Duration
}
ROOTS = {
    "kubeadm.k8s.io/v1beta4": ("kubeadm/v1beta4", [
        "InitConfiguration", "ClusterConfiguration", "JoinConfiguration", "ResetConfiguration", "UpgradeConfiguration"]),
    "kubeadm.k8s.io/v1beta3": ("kubeadm/v1beta3", ["InitConfiguration", "ClusterConfiguration", "JoinConfiguration"]),
    "kubelet.config.k8s.io/v1beta1": ("kubelet/v1beta1", ["KubeletConfiguration"]),
    "kubeproxy.config.k8s.io/v1alpha1": ("kubeproxy/v1alpha1", ["KubeProxyConfiguration"]),
}
SCALARS = {
    "string": "string", "bool": "boolean", "byte": "integer",
    "int": "integer", "int8": "integer", "int16": "integer", "int32": "integer", "int64": "integer",
    "uint": "integer", "uint8": "integer", "uint16": "integer", "uint32": "integer", "uint64": "integer",
    "float32": "number", "float64": "number",
}

TYPE_RE = re.compile(r"^type\s+([A-Za-z_]\w*)\s+(.+?)\s*$")
FIELD_RE = re.compile(r"^([A-Za-z_]\w*)\s+([^`]+?)\s*(`[^`]*`)?\s*(//.*)?$")
EMBED_RE = re.compile(r"^(\*?[A-Za-z_][\w.]*)\s*(`[^`]*`)?\s*(//.*)?$")
CONST_RE = re.compile(r'^([A-Za-z_]\w*)\s+([A-Za-z_]\w*)\s*=\s*"([^"]*)"')
IMPORT_RE = re.compile(r'^(?:([A-Za-z_]\w*)\s+)?"([^"]+)"$')


def strip_line_comment(line):
    """Drop a `// comment` (outside string literals and struct tags)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote and (quote == "`" or line[i - 1] != "\\"):
                quote = None
        elif ch in "\"`":
            quote = ch
        elif line.startswith("//", i):
            return line[:i].rstrip()
    return line


class Package:
    def __init__(self, key, text):
        self.key = key
        self.imports = {}
        self.structs = {}   # name -> list of raw field lines
        self.aliases = {}   # name -> type expression
        self.enums = {}     # type name -> sorted const values
        self.custom_json = set()
        self._parse(text)

    def _parse(self, text):
        text = "\n".join(strip_line_comment(ln) for ln in text.splitlines())
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # block comments
        lines = [ln.strip() for ln in text.splitlines()]
        i = 0
        in_import = in_const = False
        while i < len(lines):
            ln = lines[i]
            if ln.startswith("import ("):
                in_import = True
            elif in_import:
                if ln == ")":
                    in_import = False
                else:
                    m = IMPORT_RE.match(ln)
                    if m:
                        path = m.group(2)
                        alias = m.group(1) or path.rsplit("/", 1)[-1]
                        self.imports[alias] = next((v for k, v in IMPORTS.items() if path.endswith(k)), path)
            elif ln.startswith("const (") or ln.startswith("var ("):
                in_const = True
            elif in_const:
                if ln == ")":
                    in_const = False
                else:
                    m = CONST_RE.match(ln)
                    if m:
                        self.enums.setdefault(m.group(2), set()).add(m.group(3))
            elif ln.startswith("func ") and ("MarshalJSON()" in ln or "UnmarshalJSON(" in ln):
                m = re.match(r"func \(\w+ \*?(\w+)\)", ln)
                if m:
                    self.custom_json.add(m.group(1))
            else:
                m = TYPE_RE.match(ln)
                if m and m.group(2) == "struct {":
                    body, depth = [], 1
                    i += 1
                    while depth:
                        cur = lines[i]
                        if cur.startswith("//") or not cur:
                            i += 1
                            continue
                        depth += cur.count("{") - cur.count("}")
                        if depth:
                            body.append(cur)
                        i += 1
                    self.structs[m.group(1)] = body
                    continue
                if m and not m.group(2).startswith("interface"):
                    self.aliases[m.group(1)] = m.group(2).split("//")[0].strip()
            i += 1


def json_name(tag):
    """json tag -> (name or None, inline flag); name None when the tag is absent."""
    if not tag:
        return None, False
    m = re.search(r'json:"([^"]*)"', tag)
    if not m:
        return None, False
    parts = m.group(1).split(",")
    return parts[0], "inline" in parts[1:]


class Resolver:
    def __init__(self, srcdir):
        self.pkgs = {}
        self.sources = {}
        for key, rel in PACKAGES.items():
            with open(os.path.join(srcdir, rel), encoding="utf-8") as fh:
                self.pkgs[key] = Package(key, fh.read())
            self.sources[key] = rel

    def qualify(self, pkg, name):
        if "." in name:
            alias, tname = name.split(".", 1)
            if alias not in pkg.imports:
                raise ValueError(f"{pkg.key}: unknown import alias {alias!r} in {name}")
            return pkg.imports[alias], tname
        return pkg.key, name

    def type_expr(self, pkg, expr, stack):
        expr = expr.strip()
        if expr.startswith("*"):
            return self.type_expr(pkg, expr[1:], stack)
        if expr == "[]byte":
            return {"kind": "string"}
        if expr.startswith("[]"):
            return {"kind": "list", "items": self.type_expr(pkg, expr[2:], stack)}
        if expr.startswith("map["):
            depth, j = 0, 3
            for j in range(3, len(expr)):
                depth += {"[": 1, "]": -1}.get(expr[j], 0)
                if depth == 0:
                    break
            return {"kind": "map", "keys": self.type_expr(pkg, expr[4:j], stack)["kind"],
                    "values": self.type_expr(pkg, expr[j + 1:], stack)}
        if expr in SCALARS:
            return {"kind": SCALARS[expr]}
        return self.named(*self.qualify(pkg, expr), stack)

    def named(self, pkey, name, stack):
        full = f"{pkey}.{name}"
        if full in EXTERNAL:
            return dict(EXTERNAL[full])
        if pkey == "meta/v1" and name == "TypeMeta":
            return {"kind": "object", "fields": {"apiVersion": {"kind": "string"}, "kind": {"kind": "string"}}}
        if pkey not in self.pkgs:
            raise ValueError(f"type {full} is outside the parsed packages: add it to PACKAGES or EXTERNAL")
        pkg = self.pkgs[pkey]
        if name in pkg.custom_json and full not in EXTERNAL:
            raise ValueError(f"type {full} has its own JSON encoding: describe it in EXTERNAL")
        if full in stack:
            return {"kind": "recursive", "type": full}
        if name in pkg.structs:
            return self.struct(pkg, name, stack + [full])
        if name in pkg.aliases:
            out = self.type_expr(pkg, pkg.aliases[name], stack + [full])
            if name in pkg.enums and out["kind"] == "string":
                out["enum"] = sorted(pkg.enums[name])
            return out
        raise ValueError(f"type {full} not found in {self.sources.get(pkey)}")

    def struct(self, pkg, name, stack):
        fields = {}
        for line in pkg.structs[name]:
            m = FIELD_RE.match(line)
            emb = EMBED_RE.match(line)
            if m and not (emb and json_name(emb.group(2))[1]) and " " in line.split("`")[0].strip():
                fname, ftype, tag = m.group(1), m.group(2), m.group(3)
                jname, inline = json_name(tag)
                if jname == "-":
                    continue
                schema = self.type_expr(pkg, ftype, stack)
                if inline:
                    fields.update(schema.get("fields", {}))
                    continue
                fields[jname or fname] = schema
            elif emb:
                schema = self.type_expr(pkg, emb.group(1), stack)
                jname, inline = json_name(emb.group(2))
                if inline or jname is None:  # embedded structs are flattened by encoding/json
                    fields.update(schema.get("fields", {}))
                else:
                    fields[jname] = schema
            else:
                raise ValueError(f"{pkg.key}.{name}: cannot parse field line {line!r}")
        return {"kind": "object", "fields": fields}


def build(srcdir):
    res = Resolver(srcdir)
    out = {"_comment": "Generated by tests/integration/kubeadm_types/generate.py from upstream Go types; "
                       "see README.md. Do not edit by hand.",
           "_sources": {}}
    for api_version, (pkey, kinds) in ROOTS.items():
        out["_sources"][api_version] = PACKAGES[pkey]
        out[api_version] = {kind: res.named(pkey, kind, []) for kind in kinds}
    return out


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    json.dump(build(argv[1]), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
