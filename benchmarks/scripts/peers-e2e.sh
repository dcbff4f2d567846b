#!/usr/bin/env bash
# The main job against its peers, each job its own process (JVM start included), rounds interleaved, one embedded
# broker and one loaded topic: a plain KafkaConsumer, bin/unique-users exact and approximate, and the Kafka Streams
# job (benchmarks/.../peers/KafkaStreamsUniqueUsers) exact and HLL on RocksDB and in-memory stores. Prints each run,
# then a ready-to-paste markdown table of medians and ratios; every run goes to the CSV file.
#
# Usage: peers-e2e.sh [frames=1000000] [rounds=3] [jobs=plain,app-exact,app-approx,ks-exact-rocksdb,ks-exact-memory,ks-hll-rocksdb]
#                     [csv=benchmarks/results/peers-e2e.csv]
# (other jobs: ks-hll-memory; app-exact-nocds, the app without its launcher's class-data archive)
# JOB_JAVA_OPTS: the jobs' JVM options (default -Xmx2g; the app jobs run through bin/unique-users with them as
# JAVA_OPTS, after one unmeasured first run that leaves the launcher's archive). Needs /usr/bin/time (Debian "time").
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
./mvnw -B -q -pl benchmarks -am package -DskipTests
exec java -Xmx3g -cp benchmarks/target/benchmarks.jar io.fluxgate.benchmarks.peers.PeersEndToEnd \
  "${1:-1000000}" "${2:-3}" "${3:-}" "${4:-benchmarks/results/peers-e2e.csv}"
