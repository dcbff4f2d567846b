#!/usr/bin/env bash
# Rejected rows at stream speed (issue #17): bin/ingest on a CSV file with every other row rejected against the same
# file with every row valid (same rows, same size), interleaved runs, each command's wall time; prints the rates
# (input rows / s) and the median ratio rejected / valid. The bad rows alternate between a value the parser refuses
# (an amount that is not a number) and one the COPY sink refuses (an amount too large for numeric(12,2)), so both
# rejection paths (the parser's and the sink's dead letters) feed the error file.
# Usage: ingest-rejections.sh [rows=400000] [runs=3]
# Server from the PG* variables (default 127.0.0.1:5432, user postgres); needs psql, awk and bc on the PATH.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rows="${1:-400000}"
runs="${2:-3}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}" \
  PGDATABASE="${PGDATABASE:-postgres}"
pg_isready -q -h "$PGHOST" -p "$PGPORT" || {
  echo "ingest-rejections: PostgreSQL is not answering; start it with" \
       "pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" >&2
  exit 1
}
work="$(mktemp -d)"
trap 'rm -rf "$work"; psql -q -c "DROP TABLE IF EXISTS bench_ingest_rejections" >/dev/null 2>&1 || true' EXIT
# amounts: valid "1234567.89" (10 chars); parser-refused "12345x7.89"; sink-refused "1234567890123" (13 digits
# before the point, too large for numeric(12,2); one char longer, so the files differ by rows/4 bytes)
awk -v n="$rows" -v out="$work" 'BEGIN {
  srand(42); print "id,user_id,ts,amount,country,ok,note" > (out "/valid.csv"); print "id,user_id,ts,amount,country,ok,note" > (out "/rejected.csv")
  for (i = 1; i <= n; i++) {
    head = sprintf("%d,%08x-%04x-4%03x-a%03x-%06x%06x,2024-%02d-%02d %02d:%02d:%02d+00,", i, int(rand() * 4294967295),
      int(rand() * 65535), int(rand() * 4095), int(rand() * 4095), int(rand() * 16777215), int(rand() * 16777215),
      1 + int(rand() * 12), 1 + int(rand() * 28), int(rand() * 24), int(rand() * 60), int(rand() * 60))
    tail = sprintf(",%s,%s,\"note %d, with comma\"", (rand() < 0.5 ? "DE" : "FR"), (rand() < 0.5 ? "t" : "f"), i)
    amount = sprintf("%07d.%02d", int(rand() * 10000000), int(rand() * 100))
    print head amount tail > (out "/valid.csv")
    bad = (i % 2 == 0) ? ((i % 4 == 0) ? "12345x7.89" : "1234567890123") : amount
    print head bad tail > (out "/rejected.csv")
  }
}'
psql -q -c "DROP TABLE IF EXISTS bench_ingest_rejections" -c "CREATE TABLE bench_ingest_rejections (id int8 PRIMARY KEY,
  user_id uuid NOT NULL, ts timestamptz NOT NULL, amount numeric(12,2), country text, ok bool, note text)"
"$root/bin/ingest" --help >/dev/null   # builds once, outside the timings
echo "ingest-rejections: $rows rows; valid.csv $(stat -c %s "$work/valid.csv") bytes, rejected.csv $(stat -c %s "$work/rejected.csv") bytes; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
run() {  # $1 = valid|rejected; prints input rows per second, wall time of the command
  psql -q -c "TRUNCATE bench_ingest_rejections" -c "CHECKPOINT"
  local t0 t1
  t0=$(date +%s.%N)
  "$root/bin/ingest" --table bench_ingest_rejections --progress=none --errors "$work/$1.errors.jsonl" "$work/$1.csv" \
      > "$work/$1.summary.txt" 2>&1 || true   # exit 3: some rows rejected
  t1=$(date +%s.%N)
  local loaded errors
  loaded=$(psql -Atc "SELECT count(*) FROM bench_ingest_rejections")
  errors=$(wc -l < "$work/$1.errors.jsonl")
  [ $((loaded + errors)) -eq "$rows" ] || { echo "$1: $loaded loaded + $errors errors != $rows" >&2; cat "$work/$1.summary.txt" >&2; exit 1; }
  echo "$rows / ($t1 - $t0)" | bc -l
}
ratios=()
for r in $(seq 1 "$runs"); do
  v=$(run valid)
  j=$(run rejected)
  ratio=$(echo "$j / $v" | bc -l)
  ratios+=("$ratio")
  printf 'run %d: valid %.0f rows/s, half rejected %.0f rows/s, rejected / valid %.2f (load %s)\n' "$r" "$v" "$j" "$ratio" \
    "$(cut -d' ' -f1 /proc/loadavg)"
done
printf '%s\n' "${ratios[@]}" | sort -g | awk '{ v[NR] = $1 } END { printf "median rejected / valid: %.2f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
