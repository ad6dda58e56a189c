"""vLLM's offline weights on the loopback bundle: from models/hf/<name>/ in a bundle built by
playbooks/bundle.yml to the model's claim, through the copy Job the role renders.

The loopback upstream of tests/harness/bundle_upstream.py (Debian's runc in upstream's release
shape, a tiny Ollama model) feeds a real playbooks/bundle.yml run; a small Hugging Face-style
model directory added under models/hf/tiny-llm/ is recorded in manifest.json by that run, as
an operator's `hf download --local-dir` would be. The vllm role's render entry point then
writes the copy Job and its ConfigMap from the manifest, and the Job's container command (the
ConfigMap's copy_model.py with the Job's arguments, /copy and /models mapped to directories
here) runs against an HTTP server playing the first master's transient model server:

1. the first copy brings every file with the manifest's sha256 into the "claim";
2. a second copy downloads nothing;
3. a corrupt staged file fails the Job with the file's name and no partial file;
4. the Job's name follows the bundle content (same content, same Job; new content, new Job);
5. a model the bundle lacks stops the render with the command that adds it.

What cannot run here: the Job in a cluster (no registry, no vLLM image), the staging copy and
the systemd-run model server on a first master.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys

import kubernetes_validate
import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))

import bundle_upstream as upstream  # noqa: E402

pytestmark = pytest.mark.skipif(not (shutil.which("apt-get") and shutil.which("dpkg-deb")),
                                reason="the loopback upstream is built from Debian packages (apt-get, dpkg-deb)")

BIN = os.path.dirname(sys.executable)
MODEL = "tiny-llm"
# A Hugging Face-style model directory (hf download --local-dir): config, tokenizer, weights
# larger than one copy chunk, and a sub-directory.
FILES = {
    "config.json": json.dumps({"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "num_hidden_layers": 2}),
    "generation_config.json": json.dumps({"max_new_tokens": 8}),
    "tokenizer.json": json.dumps({"version": "1.0", "model": {"type": "BPE", "vocab": {"a": 0, "b": 1}}}),
    "model.safetensors": None,  # 5 MiB of bytes
    "original/params.json": json.dumps({"dim": 64, "n_layers": 2}),
}
VERSIONS = yaml.safe_load(open(os.path.join(ROOT, "roles", "common", "defaults", "main", "versions.yml")))
K8S_MINOR = ".".join(VERSIONS["k8s_version"].split(".")[:2])


def sha256(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def write_model(base):
    for rel, text in FILES.items():
        path = os.path.join(base, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(text.encode() if text is not None else bytes(range(256)) * (5 * 4096))


def build(env):
    proc, dummy = upstream.run_bundle(env["extra"])
    assert proc.returncode == 0, proc.stdout[-4000:]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("vllm-offline"))
    root = os.path.join(work, "upstream")
    versions = upstream.build_upstream(os.path.join(ROOT, "build", "cache", "debs"), root)
    bundle = os.path.join(work, "bundle")
    write_model(os.path.join(bundle, "models", "hf", MODEL))
    with upstream.UpstreamServer(root) as server:
        extra = upstream.bundle_extra_vars(server.url, versions, bundle)
        # no container image here (no registry): the bundle carries runc, the Ollama model and ours
        extra.update({"k8s_bundle_artifacts": ["runc"], "k8s_bundle_images": [], "k8s_bundle_components": ["helm"]})
        env = {"work": work, "bundle": bundle, "extra": extra, "server": server}
        build(env)
        yield env


def render(env, name, models):
    out = os.path.join(env["work"], "render-" + name)
    variables = {"render_dir": out, "ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                 "k8s_install_mode": "offline", "k8s_bundle_dir": env["bundle"], "k8s_vllm_enabled": True,
                 "vllm_models": models}
    extra_file = out + ".json"
    with open(extra_file, "w") as handle:
        json.dump(variables, handle)
    proc = subprocess.run(
        [os.path.join(BIN, "ansible-playbook"), "-i", os.path.join(ROOT, "inventories", "single"),
         os.path.join(ROOT, "tests", "integration", "playbooks", "render_vllm.yml"), "-e", "@" + extra_file],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env=dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                 ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"), ANSIBLE_FACT_CACHING="memory"))
    return proc, out


def docs(path):
    with open(path) as handle:
        return [d for d in yaml.safe_load_all(handle) if d]


@pytest.fixture(scope="module")
def rendered(env):
    proc, out = render(env, "first", [{"name": MODEL, "model": "example/tiny-llm", "max_model_len": 512}])
    assert proc.returncode == 0, proc.stdout[-4000:]
    return out


def test_the_bundle_records_the_model_directory(env):
    with open(os.path.join(env["bundle"], "manifest.json")) as handle:
        files = json.load(handle)["files"]
    for rel in FILES:
        record = files["models/hf/%s/%s" % (MODEL, rel)]
        assert record["sha256"] == sha256(os.path.join(env["bundle"], "models", "hf", MODEL, rel))
        assert record["kind"] == "local"
    proc = upstream.run_bundle(dict(env["extra"], k8s_install_mode="offline"), playbook="playbooks/verify_bundle.yml")[0]
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_copy_job_and_server_share_the_claim_and_validate(rendered):
    copy = docs(os.path.join(rendered, "copy-jobs.yaml"))
    server = docs(os.path.join(rendered, "vllm.yaml"))
    storage = docs(os.path.join(rendered, "vllm-storage.yaml"))
    for doc in copy + server + storage:
        kubernetes_validate.validate(doc, K8S_MINOR, strict=True)
    configmap = [d for d in copy if d["kind"] == "ConfigMap"][0]
    job = [d for d in copy if d["kind"] == "Job"][0]
    pod = job["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert job["metadata"]["name"].startswith("vllm-copy-%s-" % MODEL)
    assert container["image"] == "docker.io/vllm/vllm-openai:v%s" % VERSIONS["vllm_version"]
    assert {"name": "NVIDIA_VISIBLE_DEVICES", "value": "void"} in container["env"]
    assert "nvidia.com/gpu" not in container["resources"]["requests"]
    assert pod["restartPolicy"] == "Never" and pod["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    # the copy Job fetches from the first master (single: master1 192.0.2.125) and writes where vLLM reads
    args = container["args"]
    assert args[args.index("--base-url") + 1] == "http://192.0.2.125:8781/models/hf/%s/" % MODEL
    assert args[args.index("--dest") + 1] == "/models/" + MODEL
    claim = [v for v in pod["volumes"] if v["name"] == "weights"][0]["persistentVolumeClaim"]["claimName"]
    deployment = [d for d in server if d["kind"] == "Deployment"][0]["spec"]["template"]["spec"]
    served = deployment["containers"][0]
    assert served["args"][0] == "/models/" + MODEL
    assert [v for v in deployment["volumes"] if v["name"] == "weights"][0]["persistentVolumeClaim"]["claimName"] == claim
    assert {"name": "HF_HUB_OFFLINE", "value": "1"} in served["env"]
    assert {"name": "VLLM_NO_USAGE_STATS", "value": "1"} in served["env"]
    assert [d["metadata"]["name"] for d in storage if d["kind"] == "PersistentVolumeClaim"] == [claim]
    # the list names every file of the model directory with the manifest's sum and size
    listed = json.loads(configmap["data"][MODEL + ".json"])
    assert sorted(f["path"] for f in listed) == sorted(FILES)
    with open(os.path.join(ROOT, "roles", "vllm", "files", "copy_model.py")) as handle:
        assert configmap["data"]["copy_model.py"] == handle.read()


def run_job(env, rendered, claim):
    """Run the Job's container command here: /copy and /models mapped, base URL to the server."""
    copy = docs(os.path.join(rendered, "copy-jobs.yaml"))
    data = [d for d in copy if d["kind"] == "ConfigMap"][0]["data"]
    container = [d for d in copy if d["kind"] == "Job"][0]["spec"]["template"]["spec"]["containers"][0]
    mounted = os.path.join(env["work"], "configmap")
    os.makedirs(mounted, exist_ok=True)
    for key, value in data.items():
        with open(os.path.join(mounted, key), "w") as handle:
            handle.write(value)
    args = list(container["args"])
    mapped = {"--list": ("/copy/", mounted + "/"), "--dest": ("/models/", claim + "/")}
    for flag, (mount, here) in mapped.items():
        index = args.index(flag) + 1
        assert args[index].startswith(mount)
        args[index] = here + args[index][len(mount):]
    base = args.index("--base-url") + 1
    args[base] = env["staged_url"] + args[base].split(":8781", 1)[1]
    command = [sys.executable if c == "python3" else c.replace("/copy/", mounted + "/") for c in container["command"]]
    return subprocess.run(command + args, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def staged(env):
    # the first master stages models/hf/<name>/ from the bundle under the directory it serves
    staging = os.path.join(env["work"], "staging")
    shutil.copytree(os.path.join(env["bundle"], "models", "hf", MODEL), os.path.join(staging, "models", "hf", MODEL))
    with upstream.UpstreamServer(staging) as server:
        env["staged_url"] = server.url
        yield {"dir": staging, "server": server}


def test_copy_brings_every_file_then_nothing(env, rendered, staged):
    claim = os.path.join(env["work"], "claim")
    proc = run_job(env, rendered, claim)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "%d files copied, 0 already in place, 0 failed" % len(FILES) in proc.stdout
    for rel in FILES:
        assert sha256(os.path.join(claim, MODEL, rel)) == sha256(os.path.join(env["bundle"], "models", "hf", MODEL, rel))
    assert not [f for f in os.listdir(os.path.join(claim, MODEL)) if f.endswith(".part")]
    # the Job again (a retried pod): everything is in place, nothing is downloaded
    staged["server"].requests.clear()
    proc = run_job(env, rendered, claim)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 files copied, %d already in place, 0 failed" % len(FILES) in proc.stdout
    assert staged["server"].requests == []


def test_a_corrupt_staged_file_fails_the_job(env, rendered, staged):
    claim = os.path.join(env["work"], "claim-corrupt")
    weights = os.path.join(staged["dir"], "models", "hf", MODEL, "model.safetensors")
    original = open(weights, "rb").read()
    try:
        with open(weights, "r+b") as handle:
            handle.seek(4096)
            handle.write(b"corrupted!")
        proc = run_job(env, rendered, claim)
    finally:
        with open(weights, "wb") as handle:
            handle.write(original)
    assert proc.returncode == 1
    assert "FAILED model.safetensors: sha256" in proc.stderr and "the bundle manifest says" in proc.stderr
    assert "%d files copied, 0 already in place, 1 failed" % (len(FILES) - 1) in proc.stdout
    assert not os.path.exists(os.path.join(claim, MODEL, "model.safetensors"))
    assert not os.path.exists(os.path.join(claim, MODEL, "model.safetensors.part"))
    # a retry after the staged copy is fixed brings only the missing file
    staged["server"].requests.clear()
    proc = run_job(env, rendered, claim)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert staged["server"].requests == ["/models/hf/%s/model.safetensors" % MODEL]


def job_name(out):
    return [d for d in docs(os.path.join(out, "copy-jobs.yaml")) if d["kind"] == "Job"][0]["metadata"]["name"]


def test_the_job_follows_the_bundle_content(env, rendered):
    models = [{"name": MODEL, "model": "example/tiny-llm", "max_model_len": 512}]
    proc, again = render(env, "again", models)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert job_name(again) == job_name(rendered)  # same bundle: the finished Job stands, nothing runs
    extra = os.path.join(env["bundle"], "models", "hf", MODEL, "tokenizer_config.json")
    with open(extra, "w") as handle:
        handle.write('{"model_max_length": 512}')
    try:
        build(env)  # the operator re-runs playbooks/bundle.yml to record the new file
        proc, changed = render(env, "changed", models)
        assert proc.returncode == 0, proc.stdout[-4000:]
        assert job_name(changed) != job_name(rendered)
    finally:
        os.remove(extra)
        build(env)


def test_a_model_missing_from_the_bundle_stops_the_render(env):
    proc, dummy = render(env, "missing", [{"name": MODEL, "model": "example/tiny-llm"},
                                          {"name": "ghost", "model": "example/ghost"}])
    assert proc.returncode != 0
    flat = " ".join(proc.stdout.split())
    assert "records no models/hf/<name>/config.json for the vllm_models ghost" in flat, proc.stdout[-3000:]
    assert "hf download <model> --local-dir <bundle>/models/hf/<name>" in flat
