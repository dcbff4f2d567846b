#!/usr/bin/env bash
# rt-priority.sh <command...>: runs the command, and every PostgreSQL server process, at real-time priority (SCHED_RR
# 20; RT_POLICY=fifo for SCHED_FIFO) and puts the server back to normal afterwards, however the command ends. On a
# shared machine this gives a benchmark near-quiet timings: other work still runs in the 5% the kernel keeps for it
# (/proc/sys/kernel/sched_rt_runtime_us), so runs stay short. Needs root (or CAP_SYS_NICE) and chrt (util-linux).
# Server processes forked while the command runs (new connections) inherit the priority from the postmaster.
# Round-robin by default: under SCHED_FIFO threads of equal priority never share a core by time slices, so a JVM
# with more runnable threads than cores (two parse threads, say) kept its JIT compiler threads off the CPU for
# seconds, and code the JIT had thrown away ran interpreted meanwhile (ingest runs swung 0.3-0.77x psql; session 9).
#   benchmarks/scripts/rt-priority.sh benchmarks/scripts/jdbc-copy.sh --batch=50000 --concurrency=1 --modes=psql,sink
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: rt-priority.sh <command...>" >&2; exit 2; }
command -v chrt >/dev/null || { echo "rt-priority: chrt is not installed (util-linux)" >&2; exit 1; }
server_user="${PG_SERVER_USER:-postgres}"

# set_server <policy flag> <priority>: every server process of $server_user to that policy
set_server() {
  local p
  for p in $(pgrep -u "$server_user" || true); do
    chrt "$1" -p "$2" "$p" >/dev/null 2>&1 || true
  done
}
trap 'set_server -o 0' EXIT
case "${RT_POLICY:-rr}" in
  rr) policy=-r ;;
  fifo) policy=-f ;;
  *) echo "rt-priority: RT_POLICY must be rr or fifo, not '${RT_POLICY}'" >&2; exit 2 ;;
esac
set_server "$policy" 20
chrt "$policy" 20 "$@"
