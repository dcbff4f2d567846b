#!/usr/bin/env bash
# Re-run over keys already in the table, without --idempotent (issue 24, point 5): bin/ingest with duplicates found
# by one key lookup per refused batch, against a baseline jar that isolates them by halving batches (built from
# another commit), same file, same table state, interleaved rounds, medians of the wall times.
# Usage: ingest-rerun-duplicates.sh BASELINE_JAR [rows=20000] [existing=2000] [rounds=3]
# BASELINE_JAR: an examples jar (with its target/lib beside it) built from a commit before the key lookup, e.g.
#   git archive 68d5f81 | tar -x -C /tmp/base && (cd /tmp/base && ./mvnw -B -q -o -pl examples -am package -DskipTests)
# Server from the PG* variables (default 127.0.0.1:5432, user postgres); needs psql.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
base="${1:?usage: ingest-rerun-duplicates.sh BASELINE_JAR [rows] [existing] [rounds]}"
rows="${2:-20000}"
existing="${3:-2000}"
rounds="${4:-3}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}" \
  PGDATABASE="${PGDATABASE:-postgres}"
new="$root/examples/target/fluxgate-examples-0.1.0-SNAPSHOT.jar"
[ -f "$new" ] || (cd "$root" && ./mvnw -B -q -pl examples -am package -DskipTests)

work="$(mktemp -d)"
trap 'rm -rf "$work"; psql -q -c "DROP TABLE IF EXISTS bench_rerun" >/dev/null 2>&1 || true' EXIT
csv="$work/rows.csv"
awk -v n="$rows" 'BEGIN { print "id,name"; for (i = 1; i <= n; i++) printf "%d,name-%d\n", i, i }' > "$csv"
every=$(( rows / existing ))

run() { # jar -> seconds
  psql -q -c "DROP TABLE IF EXISTS bench_rerun" -c "CREATE TABLE bench_rerun (id int8 PRIMARY KEY, name text)" \
    -c "INSERT INTO bench_rerun SELECT g, 'old' FROM generate_series($every, $rows, $every) g" >/dev/null
  local start end
  start=$(date +%s.%N)
  java -cp "$1" io.fluxgate.examples.ingest.FileIngestApp --table bench_rerun --progress none \
    --errors "$work/errors.jsonl" "$csv" > "$work/out.txt" 2>&1 || true
  end=$(date +%s.%N)
  [ "$(sed -n 's/^ *rows rejected *\([0-9,]*\).*/\1/p' "$work/out.txt" | tr -d ,)" = "$existing" ] \
    || { cat "$work/out.txt" >&2; exit 1; }
  echo "$end - $start" | bc
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
printf "round\thalving (baseline)\tkey lookup\tbaseline / lookup\n"
halving=(); lookup=()
for r in $(seq 1 "$rounds"); do
  h=$(run "$base"); l=$(run "$new")
  halving+=("$h"); lookup+=("$l")
  printf "%d\t%.2f s\t%.2f s\t%.1fx\n" "$r" "$h" "$l" "$(echo "$h / $l" | bc -l)"
done
median() { printf "%s\n" "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mh=$(median "${halving[@]}"); ml=$(median "${lookup[@]}")
printf "median\t%.2f s\t%.2f s\t%.1fx\n" "$mh" "$ml" "$(echo "$mh / $ml" | bc -l)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
