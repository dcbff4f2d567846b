# Sourced by bin/unique-users and bin/ingest: sets $jar to the examples jar, building it first when it is missing or
# older than any source it is built from (examples/dashboard is a module of its own and does not count).
# Needs $root (the project root) and $app (the name to show while building).
jar="$root/examples/target/fluxgate-examples-0.1.0-SNAPSHOT.jar"

examples_jar_stale() {
  [ ! -f "$jar" ] && return 0
  [ -n "$(find "$root/pom.xml" "$root"/core "$root"/kafka-connectors "$root"/kafka-test "$root"/jdbc-connectors \
        "$root"/jdbc-test "$root"/examples \
        \( -path '*/target' -o -path "$root/examples/dashboard" \) -prune -o \
        \( -type f \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$jar" -print \) \
        2>/dev/null | head -n 1)" ]
}

if examples_jar_stale; then
  echo "$app: building (first run, or sources changed) ..." >&2
  (cd "$root" && ./mvnw -B -q -pl examples -am package -DskipTests) >&2
  # the jar plugin leaves an up-to-date jar untouched (e.g. when only tests changed): mark it checked, or every run
  # would build again
  touch "$jar"
fi
