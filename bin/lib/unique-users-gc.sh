# Sourced by bin/unique-users: sets the array $gc_opts, the garbage collector the app runs with unless the user picks
# one. The app's live data is small (the open windows' sets or sketches, a few MB), and nearly all it allocates is the
# consumer's fetched batches, dead once their frames are counted: the work of a throughput collector, whose young
# collections copy only the survivors. The JVM's default, G1, costs this job ~1 CPU-s per 1M frames more (#20,
# BENCHMARKS.md): below 8 GB of heap its regions are 1-2 MB, so each ~1 MB fetch response is a humongous object,
# allocated outside the young generation, and each such allocation may start a concurrent marking cycle (22 per
# 1M-frame run at -Xmx2g), besides G1's heavier write barriers. A collector named in JAVA_OPTS, JDK_JAVA_OPTIONS or
# JAVA_TOOL_OPTIONS (-XX:+Use...GC, or -XX:-Use...GC) is left alone: two would make the JVM refuse to start.
gc_opts=(-XX:+UseParallelGC)
for gc_opt in ${JAVA_OPTS:-} ${JDK_JAVA_OPTIONS:-} ${JAVA_TOOL_OPTIONS:-}; do
  case "$gc_opt" in
    -XX:[+-]Use*GC) gc_opts=() ;;
  esac
done
