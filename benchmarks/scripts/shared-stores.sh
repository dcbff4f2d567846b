#!/usr/bin/env bash
# Shared stores (issue 22): keys/s of the Redis and PostgreSQL idempotency stores, batched and single, as ratios to the
# in-memory store in the same interleaved rounds; then the Redis rate limiter's achieved rate against the configured
# one, with several instances (own connections) sharing it for 10 s at 1k/s and 10k/s.
# Redis from REDIS_HOST/REDIS_PORT (default 127.0.0.1:6379), PostgreSQL from the PG* variables.
# Extra arguments go to the run: --mode=stores|limiter|all --runs=N --rates=1000,10000 --seconds=10 --instances=3
#   --in-flight=4
set -euo pipefail
cd "$(dirname "$0")/../.."

redis-cli -h "${REDIS_HOST:-127.0.0.1}" -p "${REDIS_PORT:-6379}" ping >/dev/null 2>&1 || {
  echo "shared-stores: Redis is not answering; start it with" \
       "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no" >&2
  exit 1
}
pg_isready -q -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" || {
  echo "shared-stores: PostgreSQL is not answering; start it with" \
       "pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" >&2
  exit 1
}
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}" \
  PGDATABASE="${PGDATABASE:-postgres}"

if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f benchmarks/target/benchmarks.jar ]; then
  ./mvnw -B -q -pl benchmarks -am package -DskipTests
fi
exec java -Xmx512m -cp benchmarks/target/benchmarks.jar io.fluxgate.benchmarks.stores.SharedStoresRun "$@"
