"""playbooks/awx_setup.yml and the AWX objects in awx/, checked without an AWX server.

The playbook runs for real against a stand-in awx.awx collection whose action plugins
record the arguments each task sends instead of calling the AWX API. Every recorded
call is then checked against the argument spec of the real awx.awx module (loaded from
the installed collection): an unknown or misspelled option, a wrong type, a bad choice
or a missing required option fails the test. Workflow nodes are checked against the
suboptions the module documents, surveys and credential types against the rules the
AWX API applies to them.
"""
from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from unittest import mock

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
AWX = "ansible_collections.awx.awx.plugins"
# Playbooks being written for the day-2 issue; their job templates exist in awx/ already
# and are created once the playbook is in the project.
DAY2 = ["add_nodes", "remove_node", "upgrade", "certs", "etcd_backup", "etcd_restore"]
SECRETS = {"vrrp_password": "Vr7pQx2k", "grafana_admin_password": "graf-S3cret-admin",
           "bundle_signing_key": "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIK3y\n-----END PRIVATE KEY-----"}

RECORDER = '''
import json, os
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    """Stand-in for an awx.awx module: records the arguments the task sends."""

    def run(self, tmp=None, task_vars=None):
        with open(os.environ["AWX_RECORD"], "a") as f:
            f.write(json.dumps({"module": self._task.resolved_action or self._task.action,
                                "args": self._task.args, "no_log": bool(self._task.no_log)}) + "\\n")
        return {"changed": False}
'''


def awx_modules():
    mod = importlib.import_module(AWX + ".modules")
    return sorted(n[:-3] for n in os.listdir(os.path.dirname(mod.__file__)) if n.endswith(".py") and n != "__init__.py")


def module_spec(name):
    """The argument spec and validation kwargs the real awx.awx module builds in main()."""
    mod = importlib.import_module("%s.modules.%s" % (AWX, name))
    api = importlib.import_module(AWX + ".module_utils.controller_api")
    captured = {}

    class Captured(Exception):
        pass

    def capture(argument_spec, **kwargs):
        captured.update(kwargs, argument_spec=dict(argument_spec, **api.ControllerModule.AUTH_ARGSPEC))
        raise Captured

    with mock.patch.object(mod, "ControllerAPIModule", capture), pytest.raises(Captured):
        mod.main()
    return captured


def module_doc(name):
    mod = importlib.import_module("%s.modules.%s" % (AWX, name))
    return yaml.safe_load(mod.DOCUMENTATION)["options"]


def doc_to_spec(options):
    """Documented (sub)options -> an argument spec."""
    spec = {}
    for key, doc in options.items():
        entry = {k: doc[k] for k in ("type", "choices", "elements") if k in doc}
        if "suboptions" in doc:
            entry["options"] = doc_to_spec(doc["suboptions"])
        spec[key] = entry
    return spec


PY_TYPES = {"str": str, "int": int, "bool": bool, "list": list, "dict": dict, "float": (int, float), "raw": object}


def type_errors(spec, params, where=""):
    """Strict types: a value must already be of the spec's type (no 'yes' for a bool)."""
    errors = []
    for key, value in params.items():
        entry = next((e for k, e in spec.items() if key == k or key in e.get("aliases", [])), None)
        if entry is None or value is None:
            continue  # unknown options are reported by ArgumentSpecValidator
        want = entry.get("type", "str")
        if not isinstance(value, PY_TYPES[want]) or (want == "int" and isinstance(value, bool)):
            errors.append("%s%s: %r is %s, the module wants %s" % (where, key, value, type(value).__name__, want))
        elif want == "list" and "elements" in entry:
            errors += ["%s%s[%d]: %r is not %s" % (where, key, i, v, entry["elements"])
                       for i, v in enumerate(value) if not isinstance(v, PY_TYPES[entry["elements"]])]
        if isinstance(value, dict) and "options" in entry:
            errors += type_errors(entry["options"], value, "%s%s." % (where, key))
        if isinstance(value, list) and "options" in entry:
            for i, v in enumerate(value):
                errors += type_errors(entry["options"], v, "%s%s[%d]." % (where, key, i))
    return errors


def spec_errors(spec, params, **kwargs):
    result = ArgumentSpecValidator(spec, **kwargs).validate(params)
    return [str(e) for e in result.errors] + type_errors(spec, params)


def survey_errors(survey):
    """The checks AWX's survey_spec endpoint applies (awx/api/views: _validate_spec_data)."""
    errors = [] if isinstance(survey.get("name"), str) and isinstance(survey.get("description"), str) \
        else ["survey needs a name and a description"]
    variables = [q.get("variable") for q in survey.get("spec", [])]
    if len(set(variables)) != len(variables):
        errors.append("survey variables repeat: %s" % variables)
    for q in survey.get("spec", []):
        missing = {"question_name", "variable", "type", "required"} - set(q)
        if missing:
            errors.append("question %s lacks %s" % (q.get("variable"), sorted(missing)))
        if q.get("type") not in ("text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect"):
            errors.append("question %s: unknown type %r" % (q.get("variable"), q.get("type")))
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", str(q.get("variable"))):
            errors.append("question %s: not a variable name" % q.get("variable"))
        if q.get("type") == "multiplechoice" and "default" in q and q["default"] not in q.get("choices", []):
            errors.append("question %s: default %r is not a choice" % (q["variable"], q["default"]))
        if q.get("type") == "integer" and "default" in q and not (
                isinstance(q["default"], int) and q.get("min", q["default"]) <= q["default"] <= q.get("max", q["default"])):
            errors.append("question %s: default %r is not an integer within min/max" % (q["variable"], q["default"]))
    return errors


def credential_type_errors(ctype):
    """Injectors may only use the type's own fields (and tower.filename for file injectors)."""
    ids = [f["id"] for f in ctype["inputs"]["fields"]]
    errors = ["%s: required %s is no field" % (ctype["name"], r) for r in ctype["inputs"].get("required", []) if r not in ids]
    errors += ["%s: %s is not secret" % (ctype["name"], f["id"]) for f in ctype["inputs"]["fields"] if not f.get("secret")]
    for kind, values in ctype["injectors"].items():
        for value in values.values():
            for ref in re.findall(r"\{\{\s*([\w.]+)\s*\}\}", value):
                if ref not in ids and not ref.startswith("tower.filename"):
                    errors.append("%s: injector %s uses %s, not a field" % (ctype["name"], kind, ref))
    return errors


class DataLoader(yaml.SafeLoader):
    """awx/*.yml as written (Ansible's !unsafe marks AWX's own templates)."""


DataLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def data(name):
    with open(os.path.join(ROOT, "awx", name)) as f:
        return yaml.load(f, Loader=DataLoader)  # noqa: S506 - a SafeLoader subclass


@pytest.fixture(scope="module")
def stub_collections(tmp_path_factory):
    """A collections path whose awx.awx has every real module name, as a recorder."""
    top = tmp_path_factory.mktemp("stub")
    action = top / "ansible_collections" / "awx" / "awx" / "plugins" / "action"
    action.mkdir(parents=True)
    for name in awx_modules():
        (action / ("%s.py" % name)).write_text(RECORDER)
    return str(top)


def run_setup(stub, tmp_path, extra):
    record = tmp_path / "record.jsonl"
    env = dict(os.environ, AWX_RECORD=str(record), ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=stub, PATH=BIN + os.pathsep + os.environ["PATH"])
    extra_file = tmp_path / "extra.json"
    extra_file.write_text(json.dumps(extra))
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "playbooks/awx_setup.yml", "-e", "@%s" % extra_file],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    calls = [json.loads(line) for line in record.read_text().splitlines()]
    return proc.stdout + proc.stderr, calls


@pytest.fixture(scope="module")
def setup_run(stub_collections, tmp_path_factory):
    extra = {"awx_secrets": SECRETS, "awx_machine_credential": "cluster ssh"}
    return run_setup(stub_collections, tmp_path_factory.mktemp("run"), extra)


def by_module(calls, module):
    return {c["args"]["name"]: c for c in calls if c["module"] == "awx.awx." + module}


def test_every_call_matches_the_module_argument_spec(setup_run):
    calls = setup_run[1]
    assert {c["module"] for c in calls} == {"awx.awx." + m for m in (
        "execution_environment", "project", "inventory", "inventory_source", "credential_type", "credential",
        "job_template", "workflow_job_template")}
    specs = {}
    problems = []
    for call in calls:
        name = call["module"].split(".")[-1]
        spec = specs.setdefault(name, module_spec(name))
        kwargs = {k: v for k, v in spec.items() if k != "argument_spec"}
        problems += ["%s %s: %s" % (name, call["args"].get("name"), e)
                     for e in spec_errors(spec["argument_spec"], call["args"], **kwargs)]
    assert not problems, "\n".join(problems)


def test_the_checks_catch_a_misspelled_option_and_a_wrong_type():
    spec = module_spec("job_template")["argument_spec"]
    assert any("playbok" in e for e in spec_errors(spec, {"name": "x", "playbok": "site.yml"}))
    assert any("use_fact_cache" in e for e in spec_errors(spec, {"name": "x", "use_fact_cache": "yes"}))
    assert any("forks" in e for e in spec_errors(spec, {"name": "x", "forks": "5"}))
    assert not spec_errors(spec, {"name": "x", "forks": 5, "ask_limit": True})


def test_workflow_nodes_match_the_documented_suboptions(setup_run):
    calls = setup_run[1]
    node_spec = doc_to_spec(module_doc("workflow_job_template")["workflow_nodes"]["suboptions"])
    workflows = by_module(calls, "workflow_job_template")
    problems = [e for wf in workflows.values() for node in wf["args"]["workflow_nodes"]
                for e in spec_errors(node_spec, node)]
    assert not problems, "\n".join(problems)
    nodes = {n["identifier"]: n for n in workflows["aiinfra.k8s pipeline"]["args"]["workflow_nodes"]}
    chain = [(i, [s["identifier"] for s in n.get("related", {}).get("success_nodes", [])]) for i, n in nodes.items()]
    assert chain == [("validate", ["site"]), ("site", ["verify"]), ("verify", [])]
    templates = by_module(calls, "job_template")
    assert [nodes[i]["unified_job_template"]["name"] for i in nodes] == \
        ["aiinfra.k8s validate", "aiinfra.k8s site", "aiinfra.k8s verify"]
    assert {templates[nodes[i]["unified_job_template"]["name"]]["args"]["playbook"] for i in nodes} == \
        {"playbooks/validate.yml", "playbooks/site.yml", "playbooks/verify.yml"}


def site_phases():
    with open(os.path.join(ROOT, "playbooks", "site.yml")) as f:
        return ["playbooks/" + p["ansible.builtin.import_playbook"] for p in yaml.safe_load(f)]


def test_job_templates_cover_validate_site_phases_reset_and_day2(setup_run):
    calls = setup_run[1]
    defined = [t["playbook"] for t in data("job_templates.yml")["awx_job_templates"]]
    wanted = (["playbooks/validate.yml", "playbooks/site.yml"] + site_phases() + ["playbooks/reset.yml"]
              + ["playbooks/%s.yml" % p for p in DAY2] + ["playbooks/bundle.yml", "playbooks/verify_bundle.yml"])
    assert sorted(defined) == sorted(wanted)
    created = sorted(c["args"]["playbook"] for c in by_module(calls, "job_template").values())
    # AWX refuses a template whose playbook the project lacks: only existing ones are sent.
    assert created == sorted(p for p in wanted if os.path.isfile(os.path.join(ROOT, p)))
    assert "playbooks/site.yml" in created and "playbooks/reset.yml" in created


def test_awx_data_reaches_the_modules_unchanged(setup_run):
    """Every key written in awx/ is a module option and arrives in the call (none dropped)."""
    calls = setup_run[1]
    files = {"credentials.yml": [("awx_credential_types", "credential_type"), ("awx_credentials", "credential")],
             "job_templates.yml": [("awx_job_templates", "job_template")],
             "workflows.yml": [("awx_workflow_job_templates", "workflow_job_template")]}
    for name, lists in files.items():
        for var, module in lists:
            recorded = {re.sub(r"^aiinfra\.k8s ", "", n): c["args"] for n, c in by_module(calls, module).items()}
            for obj in data(name)[var]:
                key = obj["name"].replace("{{ awx_name }} ", "")
                if module == "job_template" and not os.path.isfile(os.path.join(ROOT, obj["playbook"])):
                    continue
                assert set(obj) <= set(recorded[key]), "%s %s: %s dropped" % (module, key, set(obj) - set(recorded[key]))


def test_surveys_and_prompts(setup_run):
    calls = setup_run[1]
    templates = by_module(calls, "job_template")
    problems = ["%s: %s" % (n, e) for n, t in templates.items() if t["args"]["survey_enabled"]
                for e in survey_errors(t["args"]["survey_spec"])]
    assert not problems, "\n".join(problems)
    assert all(bool(t["args"]["survey_spec"]) == t["args"]["survey_enabled"] for t in templates.values())
    reset = templates["aiinfra.k8s reset"]["args"]
    (question,) = reset["survey_spec"]["spec"]
    assert (question["variable"], question["default"], question["required"]) == ("reset_confirm", "no", True)
    site = templates["aiinfra.k8s site"]["args"]
    assert site["ask_tags_on_launch"] and site["ask_limit_on_launch"] and site["use_fact_cache"]
    assert templates["aiinfra.k8s validate"]["args"]["use_fact_cache"] is False


def playbook_inputs(playbook):
    """Variables a playbook needs from its operator: the -e NAME=... of its usage comments."""
    with open(os.path.join(ROOT, playbook)) as f:
        text = f.read()
    own = [line for line in text.splitlines() if "ansible-playbook " + playbook in line]
    return set(re.findall(r"-e (\w+)=", "\n".join(own)))


def test_surveys_ask_what_the_day2_playbooks_need(setup_run):
    """A playbook that needs a confirmation or a target gets it from its survey, or the AWX job can only refuse."""
    templates = by_module(setup_run[1], "job_template")
    missing = {}
    for t in templates.values():
        args = t["args"]
        if args["playbook"] not in ["playbooks/%s.yml" % p for p in DAY2]:
            continue
        asked = {q["variable"] for q in (args["survey_spec"] or {}).get("spec", [])}
        needed = {v for v in playbook_inputs(args["playbook"]) if v.endswith("_confirm") or v in ("node", "snapshot")}
        if needed - asked:
            missing[args["playbook"]] = sorted(needed - asked)
    assert not missing, missing
    assert "remove_confirm" in playbook_inputs("playbooks/remove_node.yml")


def test_credentials_carry_secrets_without_printing_them(setup_run):
    stdout, calls = setup_run
    types = by_module(calls, "credential_type")
    problems = [e for t in types.values() for e in credential_type_errors(t["args"])]
    assert not problems, "\n".join(problems)
    # AWX's own templates pass through Ansible unrendered.
    assert types["aiinfra.k8s VRRP password"]["args"]["injectors"]["extra_vars"] == \
        {"keepalived_haproxy_auth_pass": "{{ vrrp_password }}"}
    creds = by_module(calls, "credential")
    assert len(creds) == 3 and all(c["no_log"] for c in creds.values())
    assert creds["aiinfra.k8s VRRP password"]["args"]["inputs"] == {"vrrp_password": SECRETS["vrrp_password"]}
    for secret in SECRETS.values():
        assert secret.splitlines()[1 if "\n" in secret else 0] not in stdout
    templates = by_module(calls, "job_template")
    assert templates["aiinfra.k8s site"]["args"]["credentials"] == \
        ["cluster ssh", "aiinfra.k8s VRRP password", "aiinfra.k8s Grafana admin password"]
    assert templates["aiinfra.k8s bundle"]["args"]["credentials"] == ["cluster ssh", "aiinfra.k8s bundle signing key"]


def test_without_secrets_no_credential_is_created_or_attached(stub_collections, tmp_path):
    calls = run_setup(stub_collections, tmp_path, {"awx_secrets": {"vrrp_password": "Vr7pQx2k"}})[1]
    assert list(by_module(calls, "credential")) == ["aiinfra.k8s VRRP password"]
    assert by_module(calls, "job_template")["aiinfra.k8s site"]["args"]["credentials"] == ["aiinfra.k8s VRRP password"]


def test_a_misspelled_secret_name_stops_the_setup(stub_collections, tmp_path):
    with pytest.raises(AssertionError, match="awx_secrets must be a mapping with keys among"):
        run_setup(stub_collections, tmp_path, {"awx_secrets": {"vrrp_pasword": "x"}})
