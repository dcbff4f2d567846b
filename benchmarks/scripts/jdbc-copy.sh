#!/usr/bin/env bash
# PostgreSQL ingestion benchmark: 1M rows (ts bigint, cnt bigint, name text) into an unlogged and a logged table by
#   psql \copy of a CSV file (the ceiling), PostgresCopySink from a Flux, and multi-row INSERTs through R2DBC;
# interleaved, 3 runs, medians and ratios to psql printed at the end, with the load average and the CPU seconds
# of the JVM and of the server backends beside every figure, and a Markdown table ready for BENCHMARKS.md.
# Tables live in a schema of the run's own (dropped at the end): the server may be shared.
# Server from the PG* variables (default 127.0.0.1:5432, user postgres); needs psql on the PATH.
# Extra arguments go to the benchmark: --rows=N --runs=N --warmup=N (unmeasured sink runs per table first, default 2)
#   --concurrency=N --batch=N --insert-rows=N
#   --modes=psql,psql-binary,sink,insert (psql-binary: psql \copy of a binary COPY file, not a default)
# JAVA_OPTS go to the JVM, e.g. JAVA_OPTS=-XX:StartFlightRecording=filename=/tmp/copy.jfr,settings=profile
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v psql >/dev/null || { echo "jdbc-copy: psql is not on the PATH" >&2; exit 1; }
pg_isready -q -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" || {
  echo "jdbc-copy: PostgreSQL is not answering; start it with" \
       "pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" >&2
  exit 1
}
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}" \
  PGDATABASE="${PGDATABASE:-postgres}"

if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f benchmarks/target/benchmarks.jar ]; then
  ./mvnw -B -q -pl benchmarks -am package -DskipTests
fi
exec java -Xmx512m ${JAVA_OPTS:-} -cp benchmarks/target/benchmarks.jar io.fluxgate.benchmarks.jdbc.CopySinkBenchmark "$@"
