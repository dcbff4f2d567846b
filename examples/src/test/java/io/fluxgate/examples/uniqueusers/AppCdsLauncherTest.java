package io.fluxgate.examples.uniqueusers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/lib/app-cds.sh, the class-data archive of bin/unique-users and bin/ingest: which JVM options it picks, and that
 * an archive is used only once it is known to be whole (a half-written one crashes the JVM that maps it). Runs the
 * script in bash over a stand-in jar; no JVM is started (every archive here fails before the JVM check).
 */
class AppCdsLauncherTest {

    private static final Path SCRIPT = Path.of("..", "bin", "lib", "app-cds.sh").toAbsolutePath().normalize();

    /** What a launcher sets before it sources the script: the jar, the program's name, its marker and version check. */
    private static final String SETUP = "jar='%s'; cds_name=%s; cds_marker=org/apache/kafka/clients/consumer/KafkaConsumer; "
            + "cds_check=(-jar \"$jar\" --version); ";

    @TempDir
    Path dir;

    @Test
    void withoutAnArchiveTheRunWritesOneNamedByItsPid() throws Exception {
        Path jar = jar();
        List<String> opts = cdsOpts(jar, "--bootstrap-servers=x");
        assertThat(opts).contains("-Xlog:cds=off", "-Xlog:cds+dynamic=off");
        String base = base();
        assertThat(opts).anyMatch(o -> o.matches("-XX:ArchiveClassesAtExit=" + base + "\\.[0-9]+\\.jsa"));
        assertThat(opts).noneMatch(o -> o.startsWith("-XX:SharedArchiveFile"));
    }

    @Test
    void helpAndVersionRunsWriteNone() throws Exception {
        Path jar = jar();
        for (String flag : List.of("--help", "-h", "--version", "-V")) {
            assertThat(cdsOpts(jar, flag)).noneMatch(o -> o.startsWith("-XX:ArchiveClassesAtExit"))
                    .noneMatch(o -> o.startsWith("-XX:SharedArchiveFile"));
        }
    }

    @Test
    void anInstalledArchiveNewerThanTheJarIsUsed() throws Exception {
        Path jar = jar();
        Path archive = Files.writeString(Path.of(base() + ".jsa"), "archive");
        Files.setLastModifiedTime(archive, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(cdsOpts(jar, "--until-end")).contains("-XX:SharedArchiveFile=" + archive)
                .noneMatch(o -> o.startsWith("-XX:ArchiveClassesAtExit"));
    }

    @Test
    void anArchiveOlderThanTheJarIsTrainedAgain() throws Exception {
        Path archive = Files.writeString(Path.of(base() + ".jsa"), "archive");
        Files.setLastModifiedTime(archive, FileTime.from(Instant.now().minusSeconds(60)));
        Path jar = jar();
        assertThat(cdsOpts(jar, "--until-end")).noneMatch(o -> o.startsWith("-XX:SharedArchiveFile"))
                .anyMatch(o -> o.startsWith("-XX:ArchiveClassesAtExit="));
    }

    @Test
    void aHalfWrittenArchiveOfAFinishedRunIsDeletedNotUsed() throws Exception {
        Path jar = jar();
        // a pid no process has: the writer is gone; its archive was cut short (no Kafka client in it)
        Path truncated = Files.write(Path.of(base() + ".4194303999.jsa"), new byte[4096]);
        Files.setLastModifiedTime(truncated, FileTime.from(Instant.now().plusSeconds(5)));
        List<String> opts = cdsOpts(jar, "--until-end");
        assertThat(truncated).doesNotExist();
        assertThat(Path.of(base() + ".jsa")).doesNotExist();
        assertThat(opts).noneMatch(o -> o.startsWith("-XX:SharedArchiveFile"));
    }

    @Test
    void theArchiveOfARunStillGoingIsLeftAlone() throws Exception {
        Path jar = jar();
        Path writing = Files.write(Path.of(base() + "." + ProcessHandle.current().pid() + ".jsa"), new byte[16]);
        cdsOpts(jar, "--until-end");
        assertThat(writing).exists();
        assertThat(Path.of(base() + ".jsa")).doesNotExist();
    }

    @Test
    void offMeansNoOption() throws Exception {
        Path jar = jar();
        assertThat(run("FLUXGATE_CDS=off; " + SETUP.formatted(jar, "app") + "set -- --until-end; . '" + SCRIPT + "'; "
                + "printf '%s\\n' \"${cds_opts[@]}\"")).isEmpty();
    }

    @Test
    void eachJavaBinaryAndProgramHasItsOwnArchive() throws Exception {
        Path jar = jar();
        assertThat(base()).startsWith(dir.resolve("app-").toString()).matches(".*-[0-9]+");
        String other = run(SETUP.formatted(jar, "other") + "set -- --until-end; . '" + SCRIPT + "'; echo \"$cds_base\"")
                .get(0);
        assertThat(other).isEqualTo(dir.resolve("other-").toString() + base().substring(base().lastIndexOf('-') + 1));
    }

    @Test
    void binUniqueUsersKeepsOneArchivePerCountingMode() throws Exception {
        Path names = SCRIPT.resolveSibling("unique-users-cds-name.sh");
        for (String[] c : new String[][] {
            {"", "unique-users"},
            {"--until-end", "unique-users"},
            {"--mode exact", "unique-users"},
            {"--mode approximate", "unique-users-approximate"},
            {"--mode=approximate --until-end", "unique-users-approximate"},
            {"--mode=APPROX", "unique-users-approximate"},
            {"--mode=approximate --mode exact", "unique-users"}, // the last one counts, as for the app
            {"--mode exact --mode=approximate", "unique-users-approximate"},
            {"--mode", "unique-users"},
        }) {
            assertThat(run("set -- " + c[0] + "; . '" + names + "'; echo \"$cds_name\"")).as(c[0]).containsExactly(c[1]);
        }
    }

    /** The archive's name without its ending, as the script computes it for this java binary. */
    private String base() throws Exception {
        return run(SETUP.formatted(dir.resolve("app.jar"), "app") + "set -- --until-end; . '" + SCRIPT
                + "'; echo \"$cds_base\"").get(0);
    }

    private Path jar() throws IOException {
        return Files.writeString(dir.resolve("app.jar"), "not a jar");
    }

    private List<String> cdsOpts(Path jar, String... args) throws Exception {
        return run(SETUP.formatted(jar, "app") + "set -- " + String.join(" ", args) + "; . '" + SCRIPT + "'; "
                + "printf '%s\\n' \"${cds_opts[@]}\"");
    }

    private static List<String> run(String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", "set -euo pipefail; " + script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out.lines().filter(l -> !l.isEmpty()).toList();
    }
}
