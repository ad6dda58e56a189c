"""The run summary of playbooks/verify.yml lists the vLLM models and Open WebUI next to Ollama.

Runs the real playbook from its summary task (--start-at-task) on the controller, with the
API answers the earlier tasks would have registered given as extra variables: no cluster is
contacted.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
ENDPOINTS = [{"name": "qwen-0-5b", "url": "http://192.0.2.125:30800/v1"},
             {"name": "llama-70b", "url": "http://192.0.2.125:30801/v1"}]


def summary(**extra):
    variables = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                 "_verify_nodes_api": {"json": {"items": [{}, {}, {}, {}]}}, "vllm_endpoints": ENDPOINTS,
                 "_verify_ollama_tags": {"json": {"models": [{"name": "qwen2.5:0.5b"}]}}}
    variables.update(extra)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_CALLBACK_RESULT_FORMAT="json")
    proc = subprocess.run(
        [os.path.join(BIN, "ansible-playbook"), "-i", os.path.join(ROOT, "inventories", "ha"),
         os.path.join(ROOT, "playbooks", "verify.yml"), "--start-at-task", "Verify | summary",
         "-e", json.dumps(variables)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    start = proc.stdout.index("{", proc.stdout.index("TASK [Verify | summary]"))
    return json.JSONDecoder().raw_decode(proc.stdout[start:])[0]["msg"], proc.stdout


def test_summary_lists_each_vllm_model_and_open_webui():
    lines, out = summary(k8s_ollama_enabled=True, k8s_vllm_enabled=True, k8s_open_webui_enabled=True,
                         vllm_api_key="not-a-real-api-key")
    assert lines[3:] == [
        "Ollama:           http://192.0.2.125:31434  models: qwen2.5:0.5b",
        "vLLM:             http://192.0.2.125:30800/v1  model: qwen-0-5b  API key: vllm_api_key",
        "vLLM:             http://192.0.2.125:30801/v1  model: llama-70b  API key: vllm_api_key",
        "Open WebUI:       http://192.0.2.125:30080  user admin@example.com, password: open_webui_admin_password",
    ]
    assert "not-a-real-api-key" not in out


def test_summary_without_the_serving_add_ons():
    lines, dummy = summary()
    assert not [line for line in lines if line.startswith(("Ollama:", "vLLM:", "Open WebUI:"))]
    assert lines[0] == "Kubernetes API:   https://192.0.2.1:6553  (kubeadm, 4 nodes Ready)"
