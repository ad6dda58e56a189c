#!/usr/bin/env bash
# Build the TEST offline bundle for scenarios that install offline (cached).
#
#   tests/harness/test_bundle.sh            # build once; later calls reuse it
#   FORCE=1 tests/harness/test_bundle.sh    # rebuild from scratch
#
# Produces (build/ is git-ignored):
#   build/test-bundle/bundle/     the bundle, made by playbooks/bundle.yml exactly as on a
#                                 connected machine, from a loopback "upstream":
#       archives/containerd-<v>-linux-amd64.tar.gz   (bin/containerd, bin/ctr, shims)
#       manifests/containerd-<v>.service             (ExecStart=/usr/local/bin/containerd)
#       bin/runc
#       archives/cni-plugins-linux-amd64-v<v>.tgz    (bridge, host-local, loopback, ...)
#       images/docker.io_library_busybox_<v>.tar     (docker-archive for ctr images import)
#       models/ollama/...                            (a tiny Ollama-layout model)
#       manifest.json, manifest.json.sig             (signed with build/test-bundle/keys/signing.pem)
#   build/test-bundle/vars.yml    k8s_install_mode: offline, k8s_bundle_dir (absolute),
#                                 containerd_version / runc_version / cni_plugins_version of
#                                 the bundled binaries, k8s_bundle_artifacts/_images: pass it
#                                 to the consumer (e.g. `-e @build/test-bundle/vars.yml`, or
#                                 copy its keys into a Molecule scenario's group_vars);
#                                 k8s_artifact_pins / k8s_image_digests pin the loopback's
#                                 containerd unit and image, test_bundle_trusted_key is the
#                                 public key (k8s_bundle_trusted_keys: ["{{ test_bundle_trusted_key }}"]).
# The binaries are Debian 12's (apt-get download containerd runc containernetworking-plugins
# busybox-static), repackaged into upstream's archive shapes; Debian has no crictl, so the
# test bundle has none. Needs root for apt-get (installs skopeo and docker-registry if missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=build/test-bundle
# (a bundle from before signing and pins, without manifest.json.sig, is rebuilt)
if [[ -z "${FORCE:-}" && -f $OUT/vars.yml && -f $OUT/bundle/manifest.json && -f $OUT/bundle/manifest.json.sig ]] \
   && grep -q '^test_bundle_trusted_key:' "$OUT/vars.yml"; then
  echo "test bundle ready: $OUT/bundle (vars: $OUT/vars.yml)"
  exit 0
fi
rm -rf "$OUT/bundle" "$OUT/vars.yml"
missing=()
for tool in skopeo docker-registry; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# apt-get download needs package lists; refresh them once if they are missing.
if ! apt-cache show containerd >/dev/null 2>&1; then apt-get update -qq; fi
PY=.venv/bin/python; [[ -x $PY ]] || PY=python3
"$PY" tests/harness/bundle_upstream.py "$OUT" >/dev/null
echo "test bundle ready: $OUT/bundle (vars: $OUT/vars.yml)"
