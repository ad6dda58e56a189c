#!/usr/bin/env bash
# Install, in ONE apt transaction, every Debian package the test harness uses on the
# controller, when one is missing:
#   docker.io iptables ca-certificates   the engine Molecule and the sandbox run on
#   debootstrap debian-archive-keyring   node images (tests/harness/node_image.sh)
#   skopeo docker-registry               the test bundle's image archive and registry
#   (the linter) shellcheck              ansible-test sanity's shellcheck test
#   openssh-server sudo                  node_script over SSH with become
#                                        (tests/integration/test_node_script.py starts its own sshd)
# The individual scripts still install what they need when run alone; doing it here
# first means one `apt-get update`, and no two scripts of `make test` (which run side
# by side) ever wait on each other's dpkg lock. Nothing to do when all are present.
set -euo pipefail

PACKAGES=(docker.io iptables ca-certificates debootstrap debian-archive-keyring skopeo docker-registry shellcheck
          openssh-server sudo)
# With arguments: only those packages (tests/harness/docker.sh installs the engine this way).
(($# == 0)) || PACKAGES=("$@")

log() { printf 'apt_deps.sh: %s\n' "$*" >&2; }

missing=()
for p in "${PACKAGES[@]}"; do
  [[ $(dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null) == installed ]] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  log "all present (${PACKAGES[*]})"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  log "missing ${missing[*]} and installing them needs root: sudo apt-get install ${missing[*]}"
  exit 1
fi

log "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# docker.io's maintainer scripts start the service; without systemd (a CI container)
# that fails and aborts the installation, so a temporary policy-rc.d tells them not
# to (tests/harness/docker.sh starts the engine).
policy=""
if [[ ! -d /run/systemd/system && ! -e /usr/sbin/policy-rc.d ]]; then
  policy=/usr/sbin/policy-rc.d
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 0755 "$policy"
fi
rc=0
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
[[ -z $policy ]] || rm -f "$policy"
[[ $rc -eq 0 ]] || { log "apt-get install ${missing[*]} failed (rc $rc)"; exit 1; }
log "installed ${missing[*]}"
