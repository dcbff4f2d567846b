#!/usr/bin/env bash
# Memory run of the unique-users operator (issue 3): 10M events over 100k users, generated on the fly with a fresh
# id string per event, through (a) the operator under -Xmx256m and (b) the naive groupBy/distinct pipeline, first
# under the same -Xmx256m, then with 1g and 512m, reporting the live heap (after a full GC every second).
# Usage: benchmarks/scripts/window-memory.sh [events]   (build first: ./mvnw -B -q -pl benchmarks -am package -DskipTests)
set -uo pipefail
cd "$(dirname "$0")/../.."
jar=benchmarks/target/benchmarks.jar
events="${1:-10000000}"
main=io.fluxgate.benchmarks.window.WindowMemoryRun
run() {
  local heap="$1" mode="$2"
  echo "== -Xmx$heap $mode"
  java "-Xmx$heap" -XX:+UseParallelGC -cp "$jar" "$main" "$mode" "$events" 2>&1 | grep -E "mode=|OutOfMemoryError" | head -3
}
run 256m operator
run 256m naive
run 1g naive
run 512m naive
