#!/usr/bin/env bash
# File ingestion benchmark: bin/ingest vs psql \copy of the same CSV file into the same table, end to end (each
# command's wall time, process start included: what a person running it waits for), interleaved, medians.
# The file: N rows of (id int8 PRIMARY KEY, user_id uuid, ts timestamptz, amount numeric(12,2), country text, ok bool,
# note text with a comma, so quoted), ~107 bytes a row. Tables are truncated before every run.
# Usage: ingest-vs-psql.sh [rows=1000000] [runs=3] [extra bin/ingest flags ...]
# With COMPARE_FLAGS set (e.g. COMPARE_FLAGS=--split-size=0), every round also runs bin/ingest with those flags
# instead of the extra ones, right after the first, into a third table: the two ingest variants side by side.
# COMPARE_ENV (e.g. COMPARE_ENV=FLUXGATE_CDS=off, or COMPARE_ENV='JAVA_OPTS=-XX:TieredStopAtLevel=1') does the same
# with environment variables for that third command (with or without COMPARE_FLAGS). COMPARE_BIN names another
# build's launcher for it (a copy of an earlier checkout's bin/ and examples/target/, say): before and after a
# change in the same rounds; it gets its own untimed first run, which records its own class-data archive.
# Each run line ends with the load average (1 minute) read just before the round: on a shared machine it says how
# much CPU the figures had. Each command's CPU seconds are printed too: the client process's (user + system, from
# /usr/bin/time when present) and the server's (every PostgreSQL process's CPU over the command, read from /proc,
# exited backends included: on a shared server that includes other clients' work, and needs the server on this
# machine).
# bin/ingest runs as a user runs it: once untimed first (a small load, as a user's first run after a build, which
# builds the jar and records its class-data sharing archive; see bin/ingest), then the timed runs, which use it.
# The tables get a random suffix, so that runs on a shared server do not meet.
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
sfx="_$$_$RANDOM"
t_psql="bench_ingest_psql$sfx" t_app="bench_ingest_app$sfx" t_cmp="bench_ingest_cmp$sfx"
trap 'rm -rf "$work"; psql -q -c "DROP TABLE IF EXISTS $t_psql, $t_app, $t_cmp" >/dev/null 2>&1 || true' EXIT
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
psql -q -c "CREATE TABLE $t_psql $ddl" -c "CREATE TABLE $t_app $ddl" -c "CREATE TABLE $t_cmp $ddl"
# a user's first run, outside the timings: builds the jar if needed and records the class-data sharing archive,
# which the next start installs
head -n 10001 "$csv" > "$work/first.csv"
first0=$(date +%s.%N)
"$root/bin/ingest" --table "$t_app" --progress=none --errors "$work/errors.jsonl" "$work/first.csv" >/dev/null 2>&1
"$root/bin/ingest" --version >/dev/null 2>&1 # the next start checks and installs the archive (bin/lib/app-cds.sh)
cmp_bin="${COMPARE_BIN:-$root/bin/ingest}"
if [ -n "${COMPARE_BIN:-}" ]; then
  "$cmp_bin" --table "$t_cmp" --progress=none --errors "$work/errors.jsonl" "$work/first.csv" >/dev/null 2>&1
  "$cmp_bin" --version >/dev/null 2>&1
fi
printf 'ingest-vs-psql: untimed first run of bin/ingest (10,000 rows): %.2f s\n' "$(echo "$(date +%s.%N) - $first0" | bc -l)" >&2

# CPU seconds of every PostgreSQL server process so far: live ones, plus the exited children the postmaster reaped
pg_cpu() {
  local pm
  pm=$(pgrep -o -x postgres || true)
  [ -n "$pm" ] || { echo 0; return; }
  { pgrep -x postgres | sed 's|.*|/proc/&/stat|' | xargs cat 2>/dev/null | awk '{ s += $14 + $15 } END { print s + 0 }'
    awk '{ print $16 + $17 }' "/proc/$pm/stat"; } | awk -v hz="$(getconf CLK_TCK)" '{ s += $1 } END { printf "%.2f", s / hz }'
}
timed() { # timed OUT_FILE command...: the command's user+system CPU seconds into OUT_FILE
  local f=$1; shift
  if [ -x /usr/bin/time ]; then /usr/bin/time -f '%U %S' -o "$f" "$@"; else echo '0 0' > "$f"; "$@"; fi
}
cpu_of() { tail -n 1 "$1" | awk '{ printf "%.2f", $1 + $2 }'; }

seconds() { date +%s.%N; }
psql_times=()
app_times=()
load_rates=()
cmp_times=()
cmp_name="${COMPARE_BIN:+$COMPARE_BIN${COMPARE_ENV:+ }}${COMPARE_ENV:-}${COMPARE_ENV:+${COMPARE_FLAGS:+ }}${COMPARE_FLAGS:-}"
psql_cpu=(); app_cpu=(); psql_srv=(); app_srv=(); cmp_cpu=(); cmp_srv=()
for run in $(seq 1 "$runs"); do
  loadavg=$(cut -d' ' -f1 /proc/loadavg)
  psql -q -c "TRUNCATE $t_psql, $t_app, $t_cmp" -c "CHECKPOINT"
  s0=$(pg_cpu); t0=$(seconds)
  timed "$work/psql.cpu" psql -q -c "\\copy $t_psql FROM '$csv' WITH (FORMAT csv, HEADER true)"
  t1=$(seconds); s1=$(pg_cpu)
  timed "$work/app.cpu" "$root/bin/ingest" --table "$t_app" --progress=none --errors "$work/errors.jsonl" "$@" "$csv" \
    > "$work/summary.txt" 2> "$work/stderr.txt"
  t2=$(seconds); s2=$(pg_cpu)
  n_psql=$(psql -Atc "SELECT count(*) FROM $t_psql")
  n_app=$(psql -Atc "SELECT count(*) FROM $t_app")
  [ "$n_psql" = "$rows" ] && [ "$n_app" = "$rows" ] || { echo "row counts differ: psql $n_psql, ingest $n_app" >&2; cat "$work/stderr.txt" >&2; exit 1; }
  p=$(echo "$t1 - $t0" | bc -l); a=$(echo "$t2 - $t1" | bc -l)
  psql_times+=("$p"); app_times+=("$a")
  pc=$(cpu_of "$work/psql.cpu"); ac=$(cpu_of "$work/app.cpu")
  ps_=$(echo "$s1 - $s0" | bc -l); as_=$(echo "$s2 - $s1" | bc -l)
  psql_cpu+=("$pc"); app_cpu+=("$ac"); psql_srv+=("$ps_"); app_srv+=("$as_")
  # the app's own figure: rows per second of its load phase (JVM start, catalog and exit left out)
  l=$(grep -E '^  rows/s ' "$work/summary.txt" | awk '{ gsub(",", "", $2); print $2 }')
  load_rates+=("$l")
  printf 'run %d: psql \\copy %.2f s (%.0f rows/s), bin/ingest %.2f s (%.0f rows/s), ratio %.2f; load phase alone %s rows/s, ratio %.2f; load average %s\n' \
    "$run" "$p" "$(echo "$rows / $p" | bc -l)" "$a" "$(echo "$rows / $a" | bc -l)" "$(echo "$p / $a" | bc -l)" \
    "$l" "$(echo "$l * $p / $rows" | bc -l)" "$loadavg"
  printf 'run %d: CPU s: psql client %s, server %.2f; bin/ingest JVM %s, server %.2f; %s\n' "$run" "$pc" "$ps_" "$ac" "$as_" \
    "$(grep -h 'phases (ms)' "$work/stderr.txt" | sed 's/^ingest: //')"
  if [ -n "${COMPARE_FLAGS:-}${COMPARE_ENV:-}${COMPARE_BIN:-}" ]; then
    s3=$(pg_cpu); t3=$(seconds)
    # shellcheck disable=SC2086
    timed "$work/cmp.cpu" env ${COMPARE_ENV:-} "$cmp_bin" --table "$t_cmp" --progress=none --errors "$work/errors-cmp.jsonl" ${COMPARE_FLAGS:-} "$csv" \
      > "$work/summary-cmp.txt" 2> "$work/stderr-cmp.txt"
    t4=$(seconds); s4=$(pg_cpu)
    n_cmp=$(psql -Atc "SELECT count(*) FROM $t_cmp")
    [ "$n_cmp" = "$rows" ] || { echo "row counts differ: ingest $cmp_name $n_cmp" >&2; cat "$work/stderr-cmp.txt" >&2; exit 1; }
    c=$(echo "$t4 - $t3" | bc -l); cmp_times+=("$c")
    cc=$(cpu_of "$work/cmp.cpu"); cs=$(echo "$s4 - $s3" | bc -l); cmp_cpu+=("$cc"); cmp_srv+=("$cs")
    printf 'run %d: bin/ingest %s %.2f s, ratio to psql %.2f; speed-up of the first variant over it %.2fx; CPU s: JVM %s, server %.2f; %s\n' "$run" "$cmp_name" \
      "$c" "$(echo "$p / $c" | bc -l)" "$(echo "$c / $a" | bc -l)" "$cc" "$cs" \
      "$(grep -h 'phases (ms)' "$work/stderr-cmp.txt" | sed 's/^ingest: //')"
  fi
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mp=$(median "${psql_times[@]}"); ma=$(median "${app_times[@]}")
ml=$(median "${load_rates[@]}")
printf 'median: psql \\copy %.2f s (%.0f rows/s), bin/ingest %.2f s (%.0f rows/s), ingest/psql throughput ratio %.2fx end to end, %.2fx for the load phase alone (%.0f rows/s)\n' \
  "$mp" "$(echo "$rows / $mp" | bc -l)" "$ma" "$(echo "$rows / $ma" | bc -l)" "$(echo "$mp / $ma" | bc -l)" \
  "$(echo "$ml * $mp / $rows" | bc -l)" "$ml"
if [ -n "${COMPARE_FLAGS:-}${COMPARE_ENV:-}${COMPARE_BIN:-}" ]; then
  mc=$(median "${cmp_times[@]}")
  printf 'median: bin/ingest %s %.2f s, ratio to psql %.2fx end to end; first variant is %.2fx as fast\n' \
    "$cmp_name" "$mc" "$(echo "$mp / $mc" | bc -l)" "$(echo "$mc / $ma" | bc -l)"
fi
printf 'median CPU s: psql client %s, server %s; bin/ingest JVM %s, server %s\n' "$(median "${psql_cpu[@]}")" \
  "$(median "${psql_srv[@]}")" "$(median "${app_cpu[@]}")" "$(median "${app_srv[@]}")"
if [ -n "${COMPARE_FLAGS:-}${COMPARE_ENV:-}${COMPARE_BIN:-}" ]; then
  printf 'median CPU s: bin/ingest %s JVM %s, server %s\n' "$cmp_name" "$(median "${cmp_cpu[@]}")" "$(median "${cmp_srv[@]}")"
fi
