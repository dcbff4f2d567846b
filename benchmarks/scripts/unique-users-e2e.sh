#!/usr/bin/env bash
# End-to-end benchmark of the main job: the whole unique-users app vs a plain read-only KafkaConsumer over the same
# topic of ~2 KB frames in the embedded broker, alternating, medians. Usage: unique-users-e2e.sh [frames] [rounds] [threads, e.g. 1,2: the app's --threads values to run]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
./mvnw -B -q -pl benchmarks -am package -DskipTests
exec java -Xmx4g -cp benchmarks/target/benchmarks.jar io.fluxgate.benchmarks.e2e.UniqueUsersEndToEnd "${1:-1000000}" "${2:-3}" "${3:-1}"
