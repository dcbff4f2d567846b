#!/usr/bin/env bash
# The app with the frame scanner before and after "one branch for every malformed root object" (commit 370e702),
# interleaved rounds of one PeersEndToEnd run: job app-exact runs the current scanner, job app-exact-nocds runs the
# previous one (its FrameScanner classes ahead of the jar on the class path); both without the launcher's class-data
# archive, so only the scanner differs. Prints the harness's table: the "archive vs without" row is after vs before.
# Usage (after ./mvnw -pl benchmarks -am package -DskipTests): benchmarks/scripts/scanner-before-after.sh [frames] [rounds]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
git show 370e702~1:core/src/main/java/io/fluxgate/window/frame/internal/FrameScanner.java > "$tmp/FrameScanner.java"
javac -nowarn -cp core/target/classes -d "$tmp/old" "$tmp/FrameScanner.java"
jar="$root/examples/target/fluxgate-examples-0.1.0-SNAPSHOT.jar"
cat > "$tmp/launch.sh" <<LAUNCH
#!/usr/bin/env bash
if [ "\${FLUXGATE_CDS:-}" = off ]; then pre="$tmp/old:"; else pre=; fi
exec java \${JAVA_OPTS:-} -cp "\${pre}$jar" io.fluxgate.examples.uniqueusers.UniqueUsersApp "\$@"
LAUNCH
chmod +x "$tmp/launch.sh"
APP_LAUNCHER="$tmp/launch.sh" java -Xmx3g -cp benchmarks/target/benchmarks.jar io.fluxgate.benchmarks.peers.PeersEndToEnd \
  "${1:-1000000}" "${2:-5}" plain,app-exact,app-exact-nocds "$tmp/scanner-before-after.csv"
