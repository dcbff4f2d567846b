package io.fluxgate.buildcheck;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The build's every-test-class-ran check ({@code .ci/TestsRanCheck.java}, run by the parent pom in {@code verify}) on a
 * fixture: test classes of every kind it must recognise, compiled here, against a surefire-reports directory that
 * lacks some of them. It must name exactly the ones without a report, and pass once every one has a report, so the
 * check cannot pass by recognising nothing.
 */
class TestsRanCheckTest {

    private static final Map<String, String> FIXTURE = Map.ofEntries(
            Map.entry("fx.RanTest", """
                    package fx;
                    class RanTest { @org.junit.jupiter.api.Test void t() { } }
                    """),
            Map.entry("fx.OrphanProperties", """
                    package fx;
                    class OrphanProperties { @net.jqwik.api.Property void p() { } }
                    """),
            Map.entry("fx.ExampleOnly", """
                    package fx;
                    class ExampleOnly { @net.jqwik.api.Example void e() { } }
                    """),
            Map.entry("fx.Parameterized", """
                    package fx;
                    class Parameterized {
                        @org.junit.jupiter.params.ParameterizedTest
                        @org.junit.jupiter.params.provider.ValueSource(ints = 1)
                        void p(int i) { }
                    }
                    """),
            Map.entry("fx.AbstractBase", """
                    package fx;
                    abstract class AbstractBase { @org.junit.jupiter.api.Test void inherited() { } }
                    """),
            Map.entry("fx.InheritsTests", """
                    package fx;
                    class InheritsTests extends AbstractBase { }
                    """),
            Map.entry("fx.Tck", """
                    package fx;
                    public class Tck extends org.reactivestreams.tck.PublisherVerification<Integer> {
                        public Tck() { super(new org.reactivestreams.tck.TestEnvironment()); }
                        @Override public org.reactivestreams.Publisher<Integer> createPublisher(long n) { return null; }
                        @Override public org.reactivestreams.Publisher<Integer> createFailedPublisher() { return null; }
                    }
                    """),
            Map.entry("fx.Outer", """
                    package fx;
                    class Outer {
                        @org.junit.jupiter.api.Test void t() { }
                        @org.junit.jupiter.api.Nested class Inner { @org.junit.jupiter.api.Test void t() { } }
                        static class Plain { @org.junit.jupiter.api.Test void t() { } }
                    }
                    """),
            Map.entry("fx.EmptyReportTest", """
                    package fx;
                    class EmptyReportTest { @org.junit.jupiter.api.Test void t() { } }
                    """),
            Map.entry("fx.Helper", """
                    package fx;
                    class Helper { void notATest() { } }
                    """));

    @TempDir
    Path dir;

    @Test
    void namesExactlyTheTestClassesWithoutAReportThenPasses() throws Exception {
        Path classes = compileFixture();
        Path reports = Files.createDirectories(dir.resolve("surefire-reports"));
        report(reports, "fx.RanTest", 1);
        // as surefire writes it when the tests are in a @Nested class: tests="0", the test cases listed
        Files.writeString(reports.resolve("TEST-fx.Outer.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuite name="fx.Outer" time="0.01" tests="0" errors="0" skipped="0" failures="0">
                <testcase name="t" classname="fx.Outer$Inner" time="0"/>
                <testcase name="t" classname="fx.Outer" time="0"/>
                </testsuite>
                """);
        report(reports, "fx.EmptyReportTest", 0);

        Result first = runCheck(classes, reports);
        assertThat(first.exit).as(first.output).isEqualTo(1);
        assertThat(listed(first.output)).containsExactlyInAnyOrder(
                "fx.OrphanProperties", "fx.ExampleOnly", "fx.Parameterized", "fx.InheritsTests", "fx.Tck",
                "fx.Outer$Plain", "fx.EmptyReportTest");

        for (String name : List.of("fx.OrphanProperties", "fx.ExampleOnly", "fx.Parameterized", "fx.InheritsTests",
                "fx.Tck", "fx.Outer$Plain", "fx.EmptyReportTest")) {
            report(reports, name, 3);
        }
        Result second = runCheck(classes, reports);
        assertThat(second.exit).as(second.output).isZero();
        assertThat(listed(second.output)).isEmpty();
    }

    @Test
    void failsWhenNoTestRanAtAll() throws Exception {
        Path classes = compileFixture();
        Result result = runCheck(classes, dir.resolve("no-reports"));
        assertThat(result.exit).as(result.output).isEqualTo(1);
        // a @Nested class is reported under its own name when its enclosing class did not run
        assertThat(listed(result.output)).containsExactlyInAnyOrder(
                "fx.RanTest", "fx.OrphanProperties", "fx.ExampleOnly", "fx.Parameterized", "fx.InheritsTests",
                "fx.Tck", "fx.Outer", "fx.Outer$Inner", "fx.Outer$Plain", "fx.EmptyReportTest");
    }

    private Path compileFixture() throws IOException {
        Path sources = Files.createDirectories(dir.resolve("src/fx"));
        List<File> files = new ArrayList<>();
        for (Map.Entry<String, String> e : FIXTURE.entrySet()) {
            Path file = sources.resolve(e.getKey().substring("fx.".length()) + ".java");
            Files.writeString(file, e.getValue());
            files.add(file.toFile());
        }
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        try (var fm = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            boolean ok = javac.getTask(null, fm, null,
                    List.of("-classpath", testClasspath(), "-d", classes.toString(), "-proc:none", "-nowarn"),
                    null, fm.getJavaFileObjectsFromFiles(files)).call();
            assertThat(ok).as("fixture compiles").isTrue();
        }
        return classes;
    }

    private static void report(Path reports, String className, int tests) throws IOException {
        Files.writeString(reports.resolve("TEST-" + className + ".xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="%s" time="0.01" tests="%d" \
                errors="0" skipped="0" failures="0">
                </testsuite>
                """.formatted(className, tests));
    }

    private static List<String> listed(String output) {
        List<String> names = new ArrayList<>();
        for (String line : output.split("\\R")) {
            if (line.startsWith("[TestsRanCheck]   ")) {
                names.add(line.substring("[TestsRanCheck]   ".length()).trim());
            }
        }
        return names;
    }

    record Result(int exit, String output) {
    }

    private Result runCheck(Path classes, Path reports) throws Exception {
        Path check = checkSource();
        Path log = Files.createTempFile(dir, "check", ".log");
        Process p = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classes + File.pathSeparator + testClasspath(),
                check.toString(), classes.toString(), reports.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("check finishes").isTrue();
        return new Result(p.exitValue(), Files.readString(log));
    }

    private static Path checkSource() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve(".ci/TestsRanCheck.java");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(".ci/TestsRanCheck.java not found above " + Path.of("").toAbsolutePath());
    }

    /** Surefire runs tests from a manifest-only jar; the real test classpath is in this property. */
    private static String testClasspath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }
}
