"""The serving roles' preflights: vllm checks its model list and open_webui its settings where
the role runs (also when the ai phase runs alone, without playbooks/validate.yml), one
sentence per mistake with where and how to fix it, secrets never in the message. Controller
only."""
from __future__ import annotations

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def preflight(tmp_path, role="vllm", **variables):
    variables.update({"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                      "preflight_role": role})
    extra = tmp_path / "vars.json"
    extra.write_text(json.dumps(variables))
    proc = subprocess.run(
        [os.path.join(BIN, "ansible-playbook"), "-i", os.path.join(ROOT, "inventories", "single"),
         os.path.join(ROOT, "tests", "integration", "playbooks", "serving_preflight.yml"), "-e", "@%s" % extra],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        env=dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                 ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections")))
    return proc.returncode, " ".join(proc.stdout.split())


def test_a_valid_model_list_passes(tmp_path):
    rc, out = preflight(tmp_path, vllm_models=[
        {"name": "qwen-0-5b", "model": "Qwen/Qwen2.5-0.5B-Instruct"},
        {"name": "llama-70b", "host_path": "/data/llama", "tensor_parallel_size": 4, "gpus": 4, "replicas": 0}])
    assert rc == 0, out


def test_every_mistake_is_named(tmp_path):
    rc, out = preflight(tmp_path, vllm_models=[
        {"name": "qwen", "tensor_parallel_size": 2, "gpus": 1},
        {"name": "Llama_70B", "host_path": "data/llama", "extra_args": ["--dtype=half"]},
        {"name": "mistral", "model": "mistralai/Mistral-7B-Instruct-v0.3", "claim": "team", "node_port": 30800,
         "replicas": 2}])
    assert rc == 2, out
    for fragment in [
        "vllm_models[0] (qwen): no weights: set model (a Hugging Face id; offline: the bundle's models/hf/qwen/)",
        "vllm_models[0] (qwen): gpus (1) must equal tensor_parallel_size (2) x pipeline_parallel_size (1)",
        "vllm_models[1] (Llama_70B): name must be a DNS label of at most 40 characters",
        "vllm_models[1] (Llama_70B): host_path must be an absolute directory, got data/llama",
        "vllm_models[1] (Llama_70B): extra_args sets --dtype, which the role sets from the entry's fields",
        "vllm_models[2] (mistral): claim and model are both set; keep one source of weights",
        "vllm_models[0] (qwen): node_port 30800 must be a NodePort in 30000-32767 that no other model uses",
    ]:
        assert fragment in out, fragment
    # only what is wrong is reported
    assert "vllm_storage_access_mode" not in out and "vllm_shm_size_per_gpu" not in out
    # replicas 2 on the role's own claim needs ReadWriteMany (the source is ambiguous here, so not reported)
    rc, out = preflight(tmp_path, vllm_models=[{"name": "qwen", "model": "Qwen/Qwen2.5-0.5B-Instruct", "replicas": 2}])
    assert rc == 2 and "replicas 2 must be 0 or more, and more than 1 only with vllm_storage_access_mode ReadWriteMany" in out
    rc, out = preflight(tmp_path, vllm_models=[{"name": "qwen", "model": "Qwen/Qwen2.5-0.5B-Instruct", "replicas": 2}],
                        vllm_storage_access_mode="ReadWriteMany")
    assert rc == 0, out


def test_an_empty_model_list_is_refused(tmp_path):
    rc, out = preflight(tmp_path, vllm_models=[])
    assert rc == 2 and "vllm_models is empty: list the models to serve (docs/ai.md)" in out


def test_open_webui_needs_an_admin_password_and_says_so_without_printing_it(tmp_path):
    rc, out = preflight(tmp_path, role="open_webui", open_webui_admin_password="short!1",
                        open_webui_admin_email="admin", open_webui_node_port=8080)
    assert rc == 2, out
    for fragment in ["set open_webui_admin_password (8 characters or more) in a vault",
                     "open_webui_admin_email must be an e-mail address, got admin",
                     "open_webui_node_port must be a NodePort in 30000-32767, got 8080"]:
        assert fragment in out, fragment
    assert "short!1" not in out and "open_webui_storage_access_mode" not in out
    rc, out = preflight(tmp_path, role="open_webui", open_webui_admin_password="long-enough-1")
    assert rc == 0, out
