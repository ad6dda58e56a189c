"""Which images the nodes phase imports on which node (the common role's _common_node_images).

A real ansible-playbook run on the controller (connection local, nothing is installed):
an inventory with a host only in `masters`, one only in `workers` and one in `gpu_nodes`
loads the common role (defaults and vars, no tasks) and writes each host's list to a file.
The control-plane images (kube-apiserver, kube-controller-manager, kube-scheduler, etcd)
go to the master only; kube-proxy, pause, CoreDNS and the add-ons' images go to every node.
The rule matches the last part of the image name, so it holds with a custom
k8s_image_repository and with an explicit k8s_bundle_images list too.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
CONTROL_PLANE = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd")

INVENTORY = """
all:
  vars:
    ansible_connection: local
    ansible_python_interpreter: "%(python)s"
  children:
    k8s_cluster:
      children:
        masters:
          hosts:
            master1: {k8s_node_address: 192.0.2.10}
        workers:
          hosts:
            worker1: {k8s_node_address: 192.0.2.20}
        gpu_nodes:
          hosts:
            gpu1: {k8s_node_address: 192.0.2.30, gpu_count: 1}
"""

PLAY = """
- name: Report the images each node gets
  hosts: k8s_cluster
  gather_facts: false
  roles:
    - aiinfra.k8s.common
  tasks:
    - name: Write the list
      ansible.builtin.copy:
        content: "{{ {'node': _common_node_images, 'bundle': _common_bundle_images} | to_json }}"
        dest: "%(out)s/{{ inventory_hostname }}.json"
        mode: "0600"
"""


def run(tmp_path, extra):
    (tmp_path / "hosts.yml").write_text(INVENTORY % {"python": sys.executable})
    (tmp_path / "play.yml").write_text(PLAY % {"out": tmp_path})
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_CACHE_PLUGIN="memory")
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", str(tmp_path / "hosts.yml"),
                           str(tmp_path / "play.yml"), "-e", json.dumps(extra)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    return {host: json.loads((tmp_path / ("%s.json" % host)).read_text()) for host in ("master1", "worker1", "gpu1")}


def names(images):
    """The last path part of each reference, without tag or digest."""
    return [ref.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0] for ref in images]


def test_components_control_plane_only_on_the_master(tmp_path):
    lists = run(tmp_path, {"k8s_install_mode": "offline", "k8s_coredns_enabled": True})
    master, worker, gpu = (lists[h]["node"] for h in ("master1", "worker1", "gpu1"))
    for name in CONTROL_PLANE:
        assert name in names(master), "master1 lacks %s: %s" % (name, master)
        assert name not in names(worker), "worker1 gets %s: %s" % (name, worker)
        assert name not in names(gpu), "gpu1 gets %s: %s" % (name, gpu)
    for name in ("kube-proxy", "pause", "coredns"):
        for host, images in (("master1", master), ("worker1", worker), ("gpu1", gpu)):
            assert name in names(images), "%s lacks %s: %s" % (host, name, images)
    # only the control-plane images are left out (order kept), add-ons' images stay
    assert worker == [ref for ref in master if names([ref])[0] not in CONTROL_PLANE]
    assert "docker.io/calico/node" in [ref.rsplit(":", 1)[0] for ref in worker], worker
    # the bundle still holds every image
    assert set(master) <= set(lists["master1"]["bundle"]) and set(gpu) <= set(lists["gpu1"]["bundle"])


def test_explicit_list_and_custom_repository(tmp_path):
    repo = "registry.example.internal:5000/k8s"
    images = ["%s/kube-apiserver:v1.34.3" % repo, "%s/kube-controller-manager:v1.34.3" % repo,
              "%s/kube-scheduler:v1.34.3" % repo, "%s/etcd:3.6.5-0" % repo,
              "%s/etcd@sha256:%s" % (repo, "a" * 64),
              "%s/kube-proxy:v1.34.3" % repo, "%s/pause:3.10.1" % repo, "%s/coredns:v1.12.4" % repo,
              # "etcd" elsewhere than the last part of the name, or as a longer name: not control plane
              "registry.example.internal:5000/etcd/tools:1.0", "quay.io/example/etcd-backup:1.0"]
    lists = run(tmp_path, {"k8s_install_mode": "offline", "k8s_image_repository": repo, "k8s_bundle_images": images})
    assert lists["master1"]["node"] == images
    kept = images[5:]
    assert lists["worker1"]["node"] == kept
    assert lists["gpu1"]["node"] == kept


def test_custom_repository_from_components(tmp_path):
    repo = "mirror.example.internal/k8s"
    lists = run(tmp_path, {"k8s_install_mode": "offline", "k8s_image_repository": repo})
    master, worker = lists["master1"]["node"], lists["worker1"]["node"]
    for name in CONTROL_PLANE:
        assert "%s/%s" % (repo, name) in [ref.rsplit(":", 1)[0] for ref in master], master
        assert name not in names(worker), worker
    for name in ("kube-proxy", "pause", "coredns"):
        assert "%s/%s" % (repo, name) in [ref.rsplit(":", 1)[0] for ref in worker], worker
