#!/usr/bin/env bash
# rt-priority.sh <command...>: runs the command, and every PostgreSQL server process, at real-time priority
# (SCHED_FIFO 20) and puts the server back to normal afterwards, however the command ends. On a shared machine this
# gives a benchmark near-quiet timings: other work still runs in the 5% the kernel keeps for it
# (/proc/sys/kernel/sched_rt_runtime_us), so runs stay short. Needs root (or CAP_SYS_NICE) and chrt (util-linux).
# Server processes forked while the command runs (new connections) inherit the priority from the postmaster.
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
set_server -f 20
chrt -f 20 "$@"
