#!/usr/bin/env bash
# `make test`: everything CI runs, in two lanes that run side by side.
#
#   static lane     lint, sanity, unit, integration, galaxy, ee-context   (controller only)
#   container lane  Docker engine, node images, test bundle, then the phase playbooks
#                   against a bare inventory (tests/containers), the Molecule
#                   scenarios (MOLECULE_JOBS at a time, default 2), then sandbox-test,
#                   then runner-test (AWX-style ansible-runner jobs; uses sandbox-test's bundle)
#
# Each lane runs its steps in order and goes on after a failing step, so one run
# reports every failure. The container lane streams to the terminal; the static lane
# writes tests/output/lanes/static.log, printed when that lane ends. The run ends with
# a table of every step, its result and its wall time, and exits non-zero if any step
# failed. Run a single step with its own target (make lint, make molecule, ...).
#
# Both lanes need the virtualenv (make deps-test) and the Debian packages of
# tests/harness/apt_deps.sh; those two are set up first, side by side.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 2
LANES=tests/output/lanes
rm -rf "$LANES"
mkdir -p "$LANES"
export MOLECULE_JOBS=${MOLECULE_JOBS:-2}
MAKE=${MAKE:-make}

say() { printf '\n=== test_all: %s\n' "$*"; }

step() { # lane name command... -> runs it, records "name result seconds" in $LANES/<lane>.steps
  local lane=$1 name=$2 start rc
  shift 2
  say "$lane: $name"
  start=$SECONDS
  "$@"
  rc=$?
  printf '%-14s %-12s %-6s %5ss\n' "$lane" "$name" "$([[ $rc -eq 0 ]] && echo ok || echo "FAILED")" \
    "$((SECONDS - start))" >>"$LANES/$lane.steps"
  return "$rc"
}

total=$SECONDS

# Set-up: Debian packages (one apt transaction) next to the virtualenv (pip).
tests/harness/apt_deps.sh >"$LANES/apt.log" 2>&1 &
apt_pid=$!
step setup deps-test "$MAKE" --no-print-directory deps-test
setup_rc=$?
wait "$apt_pid"
apt_rc=$?
cat "$LANES/apt.log"
printf '%-14s %-12s %-6s %5s\n' setup apt-packages "$([[ $apt_rc -eq 0 ]] && echo ok || echo FAILED)" - >>"$LANES/setup.steps"
if [[ $setup_rc -ne 0 || $apt_rc -ne 0 ]]; then
  say "set-up failed (deps-test rc $setup_rc, apt packages rc $apt_rc): nothing else can run"
  cat "$LANES/setup.steps"
  exit 1
fi

static_lane() {
  local t
  for t in lint sanity unit integration galaxy ee-context; do
    step static "$t" "$MAKE" --no-print-directory "$t"
  done
}
static_lane >"$LANES/static.log" 2>&1 &
static_pid=$!
say "static lane started (lint, sanity, unit, integration, galaxy, ee-context; log: $LANES/static.log)"

container_lane() {
  if step containers harness "$MAKE" --no-print-directory harness; then
    step containers phase-plays pytest -q tests/containers
    step containers molecule tests/harness/molecule.sh "${scenarios[@]}"
    step containers sandbox-test tests/harness/sandbox_test.sh
    step containers runner-test pytest -q tests/awx/test_runner.py
  fi
}
read -r -a scenarios <<<"${SCENARIOS:-}"
container_lane

wait "$static_pid"
say "static lane output ($LANES/static.log)"
cat "$LANES/static.log"

say "summary ($((SECONDS - total))s in all; Molecule ${MOLECULE_JOBS} scenario(s) at a time)"
cat "$LANES"/setup.steps "$LANES"/static.steps "$LANES"/containers.steps 2>/dev/null
expected=$((1 + 1 + 6 + 5)) # setup: deps-test, apt; static: 6 steps; containers: 5 steps (harness, phase-plays, molecule, sandbox-test, runner-test)
have=$(cat "$LANES"/*.steps 2>/dev/null | wc -l)
if grep -q FAILED "$LANES"/*.steps || [[ $have -ne $expected ]]; then
  [[ $have -eq $expected ]] || say "only $have of $expected steps ran"
  say "FAILED"
  exit 1
fi
say "all passed"
