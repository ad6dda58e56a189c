"""playbooks/validate.yml with the serving add-ons (Ollama, vLLM, Open WebUI): the vLLM
models and every add-on's NodePort reach the validation from the inventory, with the roles'
defaults (Grafana 30300, Ollama 31434, vllm_node_port 30800, ...) where the inventory sets
none. Controller only; no host is contacted.
"""
from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from test_validate_inventories import run_validate  # noqa: E402

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "serving_inventories")

CASES = {
    "gpus_and_nodeports": [
        "Inventory validation failed: 3 problems.",
        "[vllm_models[0] (llama-405b)] one replica needs 16 GPUs on one node, but the GPU nodes have at most 8 "
        "(gpu_count gpu1: 8)",
        "[monitoring_grafana_node_port, vllm_models[1] (qwen-0-5b)] Grafana and vLLM model qwen-0-5b (node_port) "
        "both use NodePort 30300",
        "fix: give each its own NodePort in 30000-32767, e.g. 30301 (free)",
        "[vllm_models[2] (mistral)] the model has no source of weights",
    ],
    "tensor_parallel_and_ollama_port": [
        "Inventory validation failed: 2 problems.",
        "[vllm_models[0] (llama-70b)] gpus is 2 but tensor_parallel_size 4 x pipeline_parallel_size 1 is 4",
        "[ollama_node_port, vllm_models[1] (qwen-0-5b)] Ollama and vLLM model qwen-0-5b (vllm_node_port + 1) "
        "both use NodePort 31434",
    ],
}


@pytest.fixture(scope="module")
def results():
    return {name: run_validate(os.path.join(HERE, name + ".yml")) for name in ["serving_ok"] + sorted(CASES)}


def test_a_valid_serving_inventory_passes(results):
    rc, out = results["serving_ok"]
    assert rc == 0, out
    assert "Inventory validation failed" not in out


@pytest.mark.parametrize("case", sorted(CASES))
def test_serving_mistakes_are_reported_with_where_and_fix(results, case):
    rc, out = results[case]
    assert rc == 2, out
    flat = " ".join(line.strip() for line in out.splitlines())
    for fragment in CASES[case]:
        assert fragment in flat, "%s: %r not in output:\n%s" % (case, fragment, out)
