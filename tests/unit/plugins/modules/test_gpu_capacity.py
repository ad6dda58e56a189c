# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""gpu_capacity main() against a stand-in for the Kubernetes client that answers list_node
with the real NodeList JSON (as _preload_content=False returns it), without sleeping."""
from __future__ import annotations

import json

import pytest

from ansible_collections.aiinfra.k8s.plugins.modules import gpu_capacity
from ansible_collections.aiinfra.k8s.tests.unit.plugins.modules.utils import read_fixture, run_module

kubernetes = pytest.importorskip("kubernetes")
from kubernetes.client.rest import ApiException  # noqa: E402
from urllib3.exceptions import MaxRetryError  # noqa: E402


def node_list(*names_with_gpus):
    """The real NodeList; w1 replaced by GPU nodes cut from the real advertised w1."""
    items = [n for n in json.loads(read_fixture("k8s-api", "nodes-list.json"))["items"] if n["metadata"]["name"] == "cp1"]
    for name, gpus in names_with_gpus:
        node = json.loads(read_fixture("k8s-api", "node-w1-gpu-advertised.json" if gpus else "node-w1.json"))
        node["metadata"]["name"] = name
        items.append(node)
    return {"kind": "NodeList", "apiVersion": "v1", "metadata": {"resourceVersion": "600"}, "items": items}


class Response(object):
    def __init__(self, payload):
        self.data = json.dumps(payload).encode()


class FakeApi(object):
    """CoreV1Api stand-in: one answer per list_node call (the last one repeats)."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.calls = []

    def __call__(self, api_client):
        self.api_client = api_client
        return self

    def list_node(self, **kwargs):
        self.calls.append(kwargs)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return Response(answer)


class FakeTime(object):
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def k8s(monkeypatch):
    state = {"config": []}

    def install(*answers):
        api = FakeApi(answers)
        fake_time = FakeTime()

        def new_client_from_config(config_file=None, context=None):
            state["config"].append((config_file, context))
            return "api-client"
        monkeypatch.setattr(gpu_capacity.k8s_config, "new_client_from_config", new_client_from_config)
        monkeypatch.setattr(gpu_capacity.k8s_client, "CoreV1Api", api)
        monkeypatch.setattr(gpu_capacity, "time", fake_time)
        state.update(api=api, time=fake_time)
        return state
    return install


def run(args):
    return run_module(gpu_capacity.main, args)


def test_all_gpu_nodes_advertise_their_gpus(k8s):
    state = k8s(node_list(("w1", True), ("w2", True)))
    kind, result = run({"kubeconfig": "/etc/kubernetes/admin.conf", "nodes": ["w1", "w2"], "default_per_node": 8})
    assert kind == "exit" and result["changed"] is False
    assert [(n["name"], n["capacity"], n["ok"]) for n in result["nodes"]] == [("w1", 8, True), ("w2", 8, True)]
    assert result["total_capacity"] == 16 and result["polls"] == 1 and result["missing"] == []
    assert len(state["api"].calls) == 1  # one list call for all nodes
    assert state["api"].calls[0] == {"_preload_content": False, "_request_timeout": 30}
    assert state["config"] == [("/etc/kubernetes/admin.conf", None)]


def test_waits_for_the_device_plugin(k8s):
    state = k8s(node_list(("w1", False)), node_list(("w1", False)), node_list(("w1", True)))
    kind, result = run({"expected": {"w1": 8}, "timeout": 120, "poll_interval": 15, "context": "admin@k"})
    assert kind == "exit" and result["polls"] == 3 and state["time"].sleeps == [15, 15]
    assert state["config"] == [(None, "admin@k")]


def test_fails_with_a_table_of_what_falls_short(k8s):
    state = k8s(node_list(("w1", True), ("w2", False)))
    kind, result = run({"expected": {"w1": 8, "w2": 8, "w3": "8"}, "timeout": 30, "poll_interval": 10})
    assert kind == "fail" and result["missing"] == ["w3"]
    lines = result["msg"].splitlines()
    assert lines[0].startswith("GPU capacity check failed after 30s (4 node list calls): 2 node(s) fall short of nvidia.com/gpu")
    assert lines[0].endswith("not in the cluster: w3")
    assert lines[1].split()[0] == "NODE" and [line.split()[0] for line in lines[2:]] == ["w2", "w3"]
    assert "nvidia.com/gpu not advertised" in lines[2] and lines[3].endswith("not in the cluster")
    assert [n["name"] for n in result["nodes"]] == ["w1", "w2", "w3"] and "w1" in result["table"]
    assert state["time"].sleeps == [10, 10, 10]


def test_min_total(k8s):
    k8s(node_list(("w1", True)))
    kind, result = run({"min_total": 16, "timeout": 0})
    assert kind == "fail" and "below min_total 16" in result["msg"]
    kind, result = run({"min_total": 8, "timeout": 0})
    assert kind == "exit" and result["usable_allocatable"] == 8


def test_api_down_then_up(k8s):
    refused = MaxRetryError(None, "/api/v1/nodes", reason="Failed to establish a new connection: [Errno 111] Connection refused")
    state = k8s(refused, ApiException(status=503, reason="Service Unavailable"), node_list(("w1", True)))
    kind, result = run({"expected": {"w1": 8}, "timeout": 60, "poll_interval": 5})
    assert kind == "exit" and result["polls"] == 3 and len(state["api"].calls) == 3


def test_api_never_up(k8s):
    k8s(MaxRetryError(None, "/api/v1/nodes", reason="Connection refused"))
    kind, result = run({"expected": {"w1": 8}, "timeout": 10, "poll_interval": 5})
    assert kind == "fail" and result["msg"].startswith("could not list the nodes within 10s (3 tries): cannot reach the API server")
    assert result["missing"] == ["w1"]


def test_forbidden_stops_at_once(k8s):
    state = k8s(ApiException(status=403, reason="Forbidden"))
    kind, result = run({"expected": {"w1": 8}, "timeout": 300})
    assert kind == "fail" and "list nodes" in result["msg"] and len(state["api"].calls) == 1
    assert state["time"].sleeps == []


def test_bad_kubeconfig(monkeypatch):
    def broken(config_file=None, context=None):
        raise gpu_capacity.k8s_config.ConfigException("Invalid kube-config file. No configuration found.")
    monkeypatch.setattr(gpu_capacity.k8s_config, "new_client_from_config", broken)
    kind, result = run({"kubeconfig": "/nowhere", "min_total": 1})
    assert kind == "fail" and result["msg"].startswith("cannot load the kubeconfig /nowhere: Invalid kube-config")


def test_missing_kubernetes_library(monkeypatch):
    monkeypatch.setattr(gpu_capacity, "HAS_KUBERNETES", False)
    monkeypatch.setattr(gpu_capacity, "KUBERNETES_IMPORT_ERROR", "Traceback: No module named 'kubernetes'")
    kind, result = run({"min_total": 1})
    assert kind == "fail" and "required Python library (kubernetes)" in result["msg"]


@pytest.mark.parametrize("args,error", [
    ({}, "one of the following is required"),
    ({"nodes": ["w1"]}, "parameters are required together"),
    ({"expected": {"w1": "eight"}}, "expected['w1'] is 'eight'"),
    ({"expected": {"w1": "8x"}}, "give a whole number"),
    ({"expected": {"w1": -1}}, "cannot be negative"),
    ({"min_total": 1, "poll_interval": 0}, "poll_interval is 0"),
    ({"min_total": -1}, "min_total is -1"),
])
def test_bad_input_fails_before_any_api_call(k8s, args, error):
    state = k8s(node_list(("w1", True)))
    kind, result = run(args)
    assert kind == "fail" and error in result["msg"]
    assert state["api"].calls == []


# -- the real Kubernetes client against a local HTTP server answering like the API server ----------
class ApiServer(object):
    """Serves GET /api/v1/nodes from a list of (status, payload) answers (the last one repeats)."""

    def __init__(self, answers):
        import http.server
        import threading

        self.answers = list(answers)
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append(self.path)
                status, payload = outer.answers.pop(0) if len(outer.answers) > 1 else outer.answers[0]
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def kubeconfig(self, path):
        path.write_text(
            "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: http://127.0.0.1:%d\n  name: local\n"
            "contexts:\n- context:\n    cluster: local\n    user: reader\n  name: local\ncurrent-context: local\n"
            "users:\n- name: reader\n  user:\n    token: placeholder\n" % self.server.server_address[1])
        return str(path)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


STATUS_FORBIDDEN = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Forbidden", "code": 403,
                    "message": 'nodes is forbidden: User "system:anonymous" cannot list resource "nodes" in API group "" at the cluster scope'}


@pytest.fixture
def apiserver(monkeypatch):
    servers = []
    monkeypatch.setattr(gpu_capacity, "time", FakeTime())

    def start(*answers):
        servers.append(ApiServer(answers))
        return servers[-1]
    yield start
    for server in servers:
        server.close()


def test_real_client_one_request_per_poll(apiserver, tmp_path):
    server = apiserver((200, node_list(("w1", False))), (200, node_list(("w1", True))))
    kind, result = run({"kubeconfig": server.kubeconfig(tmp_path / "kubeconfig"), "expected": {"w1": 8},
                        "timeout": 60, "poll_interval": 10})
    assert kind == "exit" and result["polls"] == 2 and result["nodes"][0]["capacity"] == 8
    assert server.requests == ["/api/v1/nodes", "/api/v1/nodes"]


def test_real_client_forbidden(apiserver, tmp_path):
    server = apiserver((403, STATUS_FORBIDDEN))
    kind, result = run({"kubeconfig": server.kubeconfig(tmp_path / "kubeconfig"), "min_total": 1})
    assert kind == "fail" and "(403 Forbidden)" in result["msg"] and len(server.requests) == 1


def test_real_client_server_error_is_retried(apiserver, tmp_path):
    server = apiserver((500, {"kind": "Status", "code": 500}), (200, node_list(("w1", True))))
    kind, result = run({"kubeconfig": server.kubeconfig(tmp_path / "kubeconfig"), "min_total": 8, "timeout": 30})
    assert kind == "exit" and len(server.requests) == 2
