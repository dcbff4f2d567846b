#!/usr/bin/env bash
# Share-group throughput (issue #25): KafkaShareSource with one and two members against plain KafkaShareConsumer
# loops (explicit acknowledgement, accept each record) in the same run, on one embedded broker; medians of
# interleaved rounds and the ratios b1/a1, b2/a2. Prints the load average before and after.
# Usage: share-source.sh [records, default 200000] [rounds, default 5] [value bytes, default 200]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
n="${1:-200000}"
rounds="${2:-5}"
size="${3:-200}"
(cd "$root" && ./mvnw -B -q -pl benchmarks -am package -DskipTests) >&2
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run"
java -Xmx2g -XX:+UseParallelGC -cp "$root/benchmarks/target/benchmarks.jar" \
     io.fluxgate.benchmarks.kafka.ShareSourceBenchmark "$n" "$rounds" "$size"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) after the run"
