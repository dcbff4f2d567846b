# Sourced by bin/unique-users and bin/ingest: sets the array $gc_opts to the parallel (throughput) collector unless
# the user picks one. The app's live data is small (the open windows' sets or sketches, a few MB) and nearly all it
# allocates is the consumer's fetched batches, dead once their frames are counted: the work of a collector whose young
# collections copy only the survivors. With the JVM's default, G1, below 8 GB of heap the regions are 1-2 MB, so each
# ~1 MB fetch response is a humongous object, allocated outside the young generation, and such allocations started a
# concurrent marking cycle 22 times per 1M-frame run at -Xmx2g; G1's write barriers also make the JIT's code larger.
# Measured in BENCHMARKS.md ("Issue #20, app vs plain consumer, session 9"): ~0.5 CPU-s and ~0.3 s less per 1M frames.
# A collector named in JAVA_OPTS, JDK_JAVA_OPTIONS or JAVA_TOOL_OPTIONS (-XX:+Use...GC, or -XX:-Use...GC to turn one
# off) is left alone: two on one command line make the JVM refuse to start.
gc_opts=(-XX:+UseParallelGC)
for gc_opt in ${JAVA_OPTS:-} ${JDK_JAVA_OPTIONS:-} ${JAVA_TOOL_OPTIONS:-}; do
  case "$gc_opt" in
    -XX:[+-]Use*GC) gc_opts=() ;;
  esac
done
