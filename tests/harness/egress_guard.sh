#!/usr/bin/env bash
# Zero-egress proof for offline runs in containers (Molecule nodes_offline, the sandbox with
# SANDBOX_NO_EGRESS=1). The nodes sit on a Docker network with no route out (internal:
# Docker drops whatever would leave it); this records what tried to
# (tests/harness/egress_sink.py): a DNS recorder in a container of its own becomes every
# node's only DNS server, and a watcher in every node logs each packet it sends to an
# address outside the cluster networks or to the Docker gateway (the host: proxies, NTP).
# Runs on the Docker host; needs python3 in the containers (the node image has it).
#
#   egress_guard.sh sink CONTAINER                       start the DNS recorder in CONTAINER
#   egress_guard.sh node CONTAINER SINK_IP GW_IP CIDR... make SINK_IP the node's DNS, watch its traffic
#   egress_guard.sh report CONTAINER... [-- ARGS]        every attempt the containers recorded; exit 1 on any
#                                                        (ARGS: egress_sink.py report's --expect-name/--expect-address)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LOG=/var/log/aiinfra-egress.jsonl
SCRIPT=/usr/local/sbin/aiinfra-egress
usage() { sed -n '2,15p' "$0" >&2; exit 2; }
start() { # container, arguments of egress_sink.py: start it once, wait for its log
  local c=$1
  shift
  docker cp "$HERE/egress_sink.py" "$c:$SCRIPT"
  if ! docker exec "$c" pgrep -f "$SCRIPT $1 " >/dev/null; then
    docker exec -d "$c" python3 "$SCRIPT" "$@" --log "$LOG"
  fi
  for _ in $(seq 1 50); do
    docker exec "$c" test -f "$LOG" && return 0
    sleep 0.2
  done
  echo "egress_guard.sh: the egress recorder did not start in $c" >&2
  exit 1
}
cmd=${1:-}
[[ -n $cmd && -n ${2:-} ]] || usage
case $cmd in
  sink)
    start "$2" dns
    ;;
  node)
    container=$2 sink=${3:?sink address} gateway=${4:?Docker gateway address}
    shift 4
    (($#)) || usage
    allow=()
    for cidr in "$@"; do allow+=(--allow "$cidr"); done
    # /etc/resolv.conf is bind-mounted by Docker: write it in place.
    docker exec "$container" sh -c "printf 'nameserver %s\noptions timeout:1 attempts:1\n' $sink > /etc/resolv.conf"
    start "$container" watch --iface eth0 --deny "$gateway" "${allow[@]}"
    ;;
  report)
    shift
    containers=()
    while (($#)) && [[ $1 != -- ]]; do containers+=("$1"); shift; done
    (($#)) && shift
    for c in "${containers[@]}"; do
      docker exec "$c" cat "$LOG" 2>/dev/null || printf '{"kind": "missing", "container": "%s"}\n' "$c"
    done | python3 "$HERE/egress_sink.py" report --log - "$@"
    ;;
  *)
    usage
    ;;
esac
