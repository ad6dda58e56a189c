#!/usr/bin/env bash
# Make sure a Docker engine answers `docker info` (Molecule's docker driver needs one).
#
# - An engine already answers: nothing to do (idempotent; never restarts it).
# - No docker/dockerd binary: install Debian's `docker.io` (apt).
# - Engine not running: start it with systemd when systemd runs this machine, otherwise
#   start `dockerd` in the background (CI containers/VMs without systemd), logs to
#   $DOCKER_LOG, and wait until it answers (at most $DOCKER_WAIT seconds).
set -euo pipefail

DOCKER_LOG=${DOCKER_LOG:-/var/log/aiinfra-dockerd.log}
DOCKER_WAIT=${DOCKER_WAIT:-60}

log() { printf 'docker.sh: %s\n' "$*" >&2; }

answers() { docker info >/dev/null 2>&1; }

# Every node container runs systemd, and each systemd holds inotify instances under the
# host's root user: with a sandbox and Molecule scenarios side by side the kernel's
# default of 128 runs out and new containers exit at boot ("Container ... is not running").
# Raised where this user may (root on the host); a no-op when already higher.
inotify=/proc/sys/fs/inotify/max_user_instances
if [[ -w $inotify ]] && (($(cat "$inotify") < 1024)); then
  echo 1024 >"$inotify" 2>/dev/null && log "fs.inotify.max_user_instances raised to 1024 (systemd in every node container)"
fi

if command -v docker >/dev/null 2>&1 && answers; then
  log "engine answers ($(docker info --format '{{.ServerVersion}}' 2>/dev/null)), nothing to do"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  log "no Docker engine answers and installing/starting one needs root: run as root (or start dockerd yourself)"
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  log "installing docker.io from the Debian archive"
  "$(dirname "${BASH_SOURCE[0]}")/apt_deps.sh" docker.io iptables ca-certificates || exit 1
fi

if answers; then
  log "engine answers after installation"
  exit 0
fi

if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
  log "starting docker.service with systemd"
  systemctl start docker.service || log "systemctl start docker failed; trying dockerd directly"
fi

if ! answers && ! pgrep -x dockerd >/dev/null 2>&1; then
  log "starting dockerd in the background (log: $DOCKER_LOG)"
  mkdir -p "$(dirname "$DOCKER_LOG")"
  nohup dockerd >>"$DOCKER_LOG" 2>&1 </dev/null &
  pid=$!
  disown || true
fi

for ((i = 0; i < DOCKER_WAIT; i++)); do
  if answers; then
    log "engine answers ($(docker info --format '{{.ServerVersion}}, cgroup v{{.CgroupVersion}}' 2>/dev/null))"
    exit 0
  fi
  if [[ -n ${pid:-} ]] && ! kill -0 "$pid" 2>/dev/null; then
    log "dockerd exited; last lines of $DOCKER_LOG:"
    tail -n 30 "$DOCKER_LOG" >&2 2>/dev/null || true
    exit 1
  fi
  sleep 1
done

log "dockerd did not answer within ${DOCKER_WAIT}s; last lines of $DOCKER_LOG:"
tail -n 30 "$DOCKER_LOG" >&2 2>/dev/null || true
exit 1
