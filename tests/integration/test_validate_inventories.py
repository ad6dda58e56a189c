"""playbooks/validate.yml against the example inventories (must pass) and a set of
bad inventories (each must fail with an actionable message naming what is wrong).

Runs the real playbook with ansible-playbook, controller only (it contacts no host:
every inventory address is a documentation address that nothing answers on).
"""
from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BAD = os.path.join(ROOT, "tests", "integration", "bad_inventories")
BIN = os.path.dirname(sys.executable)

# inventory -> fragments the failure message must contain (where, what, fix)
BAD_CASES = {
    "overlapping_cidrs": ["[k8s_pod_cidr, k8s_service_cidr] pod CIDR 10.96.0.0/16 overlaps service CIDR 10.96.0.0/12",
                          "fix: choose ranges that do not overlap"],
    "cidr_host_bits": ["[k8s_pod_cidr] '10.244.1.0/16' has host bits set; the network address is 10.244.0.0/16"],
    "pod_cidr_covers_nodes": ["[k8s_pod_cidr] k8s_pod_cidr 192.0.0.0/16 overlaps the node network 192.0.2.0/24",
                              "contains the address of gpu1 (192.0.2.225), master1 (192.0.2.125)",
                              "[k8s_api_vip] the VIP 192.0.2.1 lies inside k8s_pod_cidr 192.0.0.0/16"],
    "pod_cidr_too_small": ["[k8s_pod_cidr] 10.244.0.0/22 holds 4 blocks of /24 but the inventory has 5 nodes",
                           "fix: use a larger k8s_pod_cidr"],
    "vip_outside_subnet": ["[k8s_api_vip] the VIP 198.51.100.1 is outside the subnet of lb hosts master1",
                           "fix: choose a VIP in the same subnet as the lb hosts"],
    "vip_is_node_address": ["[k8s_api_vip] the VIP 192.0.2.7 is the address of master2",
                            "fix: choose a free address for k8s_api_vip"],
    "vip_without_lb": ["[group lb] k8s_api_vip is 192.0.2.1 but the lb group is empty",
                       "fix: put the hosts that run keepalived + haproxy under lb"],
    "lb_port_clash": ["[k8s_api_port] haproxy would listen on 6443, the port kube-apiserver holds on master1, master2",
                      "fix: set k8s_api_port to another port (seed 001 uses 6553)"],
    "even_masters": ["[group masters] 2 masters (master1, master2): stacked etcd needs an odd number",
                     "k8s_allow_even_masters: true"],
    "gpu_addons_no_gpu_nodes": ["[k8s_gpu_operator_enabled] k8s_gpu_operator_enabled is true but the gpu_nodes group is empty",
                                "fix: put the GPU hosts under gpu_nodes, or set k8s_gpu_operator_enabled: false"],
    "host_in_workers_and_gpu_nodes": ["[host gpu1] gpu1 is in both workers and gpu_nodes",
                                      "fix: list gpu1 only under gpu_nodes"],
    "master_in_workers": ["[host master3] master3 is in both masters and workers", "fix: remove master3 from workers"],
    "unknown_distribution": ["[k8s_distribution] unknown value 'rke2'", "fix: set k8s_distribution to one of: kubeadm, k3s"],
    "malformed_version": ["[k8s_version] malformed version 'v1.34.3' (drop the leading 'v')"],
    "offline_without_bundle": ["[k8s_bundle_dir] k8s_install_mode is offline but k8s_bundle_dir is empty",
                               "playbooks/bundle.yml"],
    "offline_bundle_missing": ["[k8s_bundle_dir] offline bundle directory /nonexistent/aiinfra-bundle does not exist on the controller"],
    "duplicate_addresses": ["[hosts gpu1, node1] gpu1 and node1 share the node address 192.0.2.225"],
    "no_masters": ["[group masters] the masters group is empty", "fix: put at least one host under masters"],
    "misspelled_variable": ["[k8s_pod_cird] unknown cluster variable k8s_pod_cird", "did you mean k8s_pod_cidr?"],
    "vrrp_password_missing": ["[keepalived_haproxy_auth_pass] no VRRP password for lb hosts master1, master2",
                              "ansible-vault encrypt_string"],
    "bad_registry_mirror": ["[k8s_registry_mirrors[docker.io]] endpoint 'docker.m.daocloud.io' is not an http(s) URL"],
}
# cases where one mistake rightly shows up as several problems
PROBLEM_COUNT = {"pod_cidr_covers_nodes": 3}
GOOD = ["inventories/single", "inventories/ha", "inventories/k3s"]


def run_validate(inventory):
    env = dict(os.environ,
               ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               ANSIBLE_CACHE_PLUGIN="memory")
    proc = subprocess.run(
        [os.path.join(BIN, "ansible-playbook"), "playbooks/validate.yml", "-i", inventory],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def results():
    targets = GOOD + [os.path.join(BAD, name + ".yml") for name in BAD_CASES]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(targets, pool.map(run_validate, targets)))


def test_every_bad_inventory_has_a_case():
    on_disk = sorted(f[:-4] for f in os.listdir(BAD) if f.endswith(".yml"))
    assert on_disk == sorted(BAD_CASES)


@pytest.mark.parametrize("inventory", GOOD)
def test_example_inventories_pass(results, inventory):
    rc, out = results[inventory]
    assert rc == 0, out
    assert "Inventory validation failed" not in out
    assert "ok=" in out and "failed=0" in out


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_inventory_fails_with_actionable_message(results, case):
    rc, out = results[os.path.join(BAD, case + ".yml")]
    assert rc == 2, out
    count = PROBLEM_COUNT.get(case, 1)
    assert "Inventory validation failed: %d problem%s." % (count, "" if count == 1 else "s") in out, out
    # the message is printed as a YAML block: undo the line folding before matching
    flat = " ".join(line.strip() for line in out.splitlines())
    for fragment in BAD_CASES[case]:
        assert fragment in flat, "%s: %r not in output:\n%s" % (case, fragment, out)
    assert "fix: " in out
