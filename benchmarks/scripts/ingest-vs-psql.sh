#!/usr/bin/env bash
# File ingestion benchmark: bin/ingest vs psql \copy of the same CSV file into the same table, end to end (each
# command's wall time, process start included: what a person running it waits for), interleaved, medians.
# The file: N rows of (id int8 PRIMARY KEY, user_id uuid, ts timestamptz, amount numeric(12,2), country text, ok bool,
# note text with a comma, so quoted), ~107 bytes a row. Tables are truncated before every run.
# Usage: ingest-vs-psql.sh [rows=1000000] [runs=3] [extra bin/ingest flags ...]
# With COMPARE_FLAGS set (e.g. COMPARE_FLAGS=--split-size=0), every round also runs bin/ingest with those flags
# instead of the extra ones, right after the first, into a third table: the two ingest variants side by side.
# Each run line ends with the load average (1 minute) read just before the round: on a shared machine it says how
# much CPU the figures had.
# Server from the PG* variables (default 127.0.0.1:5432, user postgres); needs psql and awk on the PATH.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rows="${1:-1000000}"
runs="${2:-3}"
shift $(( $# > 2 ? 2 : $# ))
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}" \
  PGDATABASE="${PGDATABASE:-postgres}"
command -v psql >/dev/null || { echo "ingest-vs-psql: psql is not on the PATH" >&2; exit 1; }
pg_isready -q -h "$PGHOST" -p "$PGPORT" || {
  echo "ingest-vs-psql: PostgreSQL is not answering; start it with" \
       "pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" >&2
  exit 1
}

work="$(mktemp -d)"
trap 'rm -rf "$work"; psql -q -c "DROP TABLE IF EXISTS bench_ingest_psql, bench_ingest_app, bench_ingest_cmp" >/dev/null 2>&1 || true' EXIT
csv="$work/events.csv"
awk -v n="$rows" 'BEGIN {
  srand(42); print "id,user_id,ts,amount,country,ok,note"
  for (i = 1; i <= n; i++)
    printf "%d,%08x-%04x-4%03x-a%03x-%06x%06x,2024-%02d-%02d %02d:%02d:%02d+00,%d.%02d,%s,%s,\"note %d, with comma\"\n",
      i, int(rand() * 4294967295), int(rand() * 65535), int(rand() * 4095), int(rand() * 4095),
      int(rand() * 16777215), int(rand() * 16777215), 1 + int(rand() * 12), 1 + int(rand() * 28), int(rand() * 24),
      int(rand() * 60), int(rand() * 60), int(rand() * 100000), int(rand() * 100), (rand() < 0.5 ? "DE" : "FR"),
      (rand() < 0.5 ? "t" : "f"), i
}' > "$csv"
echo "ingest-vs-psql: $rows rows, $(du -h "$csv" | cut -f1) of CSV, $runs runs" >&2

ddl="(id int8 PRIMARY KEY, user_id uuid NOT NULL, ts timestamptz NOT NULL, amount numeric(12,2), country text,
      ok bool, note text)"
psql -q -c "DROP TABLE IF EXISTS bench_ingest_psql, bench_ingest_app, bench_ingest_cmp" \
  -c "CREATE TABLE bench_ingest_psql $ddl" -c "CREATE TABLE bench_ingest_app $ddl" -c "CREATE TABLE bench_ingest_cmp $ddl"
# build once, outside the timings
"$root/bin/ingest" --help >/dev/null

seconds() { date +%s.%N; }
psql_times=()
app_times=()
load_rates=()
cmp_times=()
for run in $(seq 1 "$runs"); do
  loadavg=$(cut -d' ' -f1 /proc/loadavg)
  psql -q -c "TRUNCATE bench_ingest_psql, bench_ingest_app, bench_ingest_cmp" -c "CHECKPOINT"
  t0=$(seconds)
  psql -q -c "\\copy bench_ingest_psql FROM '$csv' WITH (FORMAT csv, HEADER true)"
  t1=$(seconds)
  "$root/bin/ingest" --table bench_ingest_app --progress=none --errors "$work/errors.jsonl" "$@" "$csv" \
    > "$work/summary.txt"
  t2=$(seconds)
  n_psql=$(psql -Atc "SELECT count(*) FROM bench_ingest_psql")
  n_app=$(psql -Atc "SELECT count(*) FROM bench_ingest_app")
  [ "$n_psql" = "$rows" ] && [ "$n_app" = "$rows" ] || { echo "row counts differ: psql $n_psql, ingest $n_app" >&2; exit 1; }
  p=$(echo "$t1 - $t0" | bc -l); a=$(echo "$t2 - $t1" | bc -l)
  psql_times+=("$p"); app_times+=("$a")
  # the app's own figure: rows per second of its load phase (JVM start, catalog and exit left out)
  l=$(grep -E '^  rows/s ' "$work/summary.txt" | awk '{ gsub(",", "", $2); print $2 }')
  load_rates+=("$l")
  printf 'run %d: psql \\copy %.2f s (%.0f rows/s), bin/ingest %.2f s (%.0f rows/s), ratio %.2f; load phase alone %s rows/s, ratio %.2f; load average %s\n' \
    "$run" "$p" "$(echo "$rows / $p" | bc -l)" "$a" "$(echo "$rows / $a" | bc -l)" "$(echo "$p / $a" | bc -l)" \
    "$l" "$(echo "$l * $p / $rows" | bc -l)" "$loadavg"
  if [ -n "${COMPARE_FLAGS:-}" ]; then
    t3=$(seconds)
    # shellcheck disable=SC2086
    "$root/bin/ingest" --table bench_ingest_cmp --progress=none --errors "$work/errors-cmp.jsonl" $COMPARE_FLAGS "$csv" \
      > "$work/summary-cmp.txt"
    t4=$(seconds)
    n_cmp=$(psql -Atc "SELECT count(*) FROM bench_ingest_cmp")
    [ "$n_cmp" = "$rows" ] || { echo "row counts differ: ingest $COMPARE_FLAGS $n_cmp" >&2; exit 1; }
    c=$(echo "$t4 - $t3" | bc -l); cmp_times+=("$c")
    printf 'run %d: bin/ingest %s %.2f s, ratio to psql %.2f; speed-up of the first variant over it %.2fx\n' "$run" "$COMPARE_FLAGS" \
      "$c" "$(echo "$p / $c" | bc -l)" "$(echo "$c / $a" | bc -l)"
  fi
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mp=$(median "${psql_times[@]}"); ma=$(median "${app_times[@]}")
ml=$(median "${load_rates[@]}")
printf 'median: psql \\copy %.2f s (%.0f rows/s), bin/ingest %.2f s (%.0f rows/s), ingest/psql throughput ratio %.2fx end to end, %.2fx for the load phase alone (%.0f rows/s)\n' \
  "$mp" "$(echo "$rows / $mp" | bc -l)" "$ma" "$(echo "$rows / $ma" | bc -l)" "$(echo "$mp / $ma" | bc -l)" \
  "$(echo "$ml * $mp / $rows" | bc -l)" "$ml"
if [ -n "${COMPARE_FLAGS:-}" ]; then
  mc=$(median "${cmp_times[@]}")
  printf 'median: bin/ingest %s %.2f s, ratio to psql %.2fx end to end; first variant is %.2fx as fast\n' \
    "$COMPARE_FLAGS" "$mc" "$(echo "$mp / $mc" | bc -l)" "$(echo "$mc / $ma" | bc -l)"
fi
