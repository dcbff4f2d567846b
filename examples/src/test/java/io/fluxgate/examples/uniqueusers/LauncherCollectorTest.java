package io.fluxgate.examples.uniqueusers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * bin/lib/parallel-gc.sh, the collector bin/unique-users and bin/ingest run their apps with: the parallel collector by
 * default, the user's own when JAVA_OPTS (or the JVM's own option variables) names one. Each case starts a JVM with the
 * options as the launcher puts them together, so a case where both the default and the user's collector reached the
 * command line fails (the JVM refuses conflicting collectors).
 */
class LauncherCollectorTest {

    private static final Path SCRIPT = Path.of("..", "bin", "lib", "parallel-gc.sh").toAbsolutePath().normalize();

    @Test
    void theParallelCollectorByDefault() throws Exception {
        assertThat(collector("")).isEqualTo("-XX:+UseParallelGC");
        assertThat(collector("JAVA_OPTS='-Xmx256m -Xss1m'")).isEqualTo("-XX:+UseParallelGC");
    }

    @Test
    void aCollectorTheUserNamesIsTheOnlyOne() throws Exception {
        assertThat(collector("JAVA_OPTS='-Xmx256m -XX:+UseG1GC'")).isEqualTo("-XX:+UseG1GC");
        assertThat(collector("JAVA_OPTS=-XX:+UseSerialGC")).isEqualTo("-XX:+UseSerialGC");
        assertThat(collector("JDK_JAVA_OPTIONS=-XX:+UseG1GC")).isEqualTo("-XX:+UseG1GC");
        assertThat(collector("JAVA_TOOL_OPTIONS=-XX:+UseSerialGC")).isEqualTo("-XX:+UseSerialGC");
        // turning the default off leaves the choice to the JVM
        assertThat(collector("JAVA_OPTS=-XX:-UseParallelGC")).isNotEqualTo("-XX:+UseParallelGC");
    }

    /** The collector a JVM started with the launcher's options ends up with (as -XX:+PrintCommandLineFlags says). */
    private static String collector(String env) throws Exception {
        String script = "set -euo pipefail; unset JAVA_OPTS JDK_JAVA_OPTIONS JAVA_TOOL_OPTIONS; export " + env
                + " _=; . '" + SCRIPT + "'; java ${gc_opts[@]+\"${gc_opts[@]}\"} ${JAVA_OPTS:-} -XX:+PrintCommandLineFlags"
                + " -version";
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        List<String> gcs = out.lines().filter(l -> l.contains("-XX:")).flatMap(l -> List.of(l.trim().split("\\s+")).stream())
                .filter(o -> o.matches("-XX:\\+Use[A-Za-z0-9]*GC")).distinct().toList();
        assertThat(gcs).as(out).hasSize(1);
        return gcs.get(0);
    }
}
