import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Build check: every compiled test class that holds tests ran under surefire.
 *
 * <p>Why a check on surefire's reports rather than on its name patterns: a class can be missed by a name that no
 * include matches (a jqwik {@code *Properties} class before the includes were widened), by surefire's default
 * exclusion of nested classes, or by an engine missing from the test classpath. Each of these leaves no report, so
 * "a report with at least one test exists for the class" is what this checks.
 *
 * <p>A class holds tests when it is concrete and one of its methods (own or inherited) or the class itself carries a
 * test annotation: anything meta-annotated with JUnit Platform's {@code @Testable} ({@code @Test},
 * {@code @ParameterizedTest}, {@code @RepeatedTest}, {@code @TestFactory}, {@code @TestTemplate}, jqwik's
 * {@code @Property} and {@code @Example}), or TestNG's {@code @Test} (which the Reactive Streams TCK's verification
 * classes carry). The names are also matched directly, so a meta-annotation that cannot be loaded does not hide a test.
 * A JUnit {@code @Nested} class runs inside its enclosing class, so the enclosing class's report covers it.
 *
 * <p>Usage (the parent pom runs it in {@code verify} with the module's test classpath):
 * {@code java -cp <test classpath> TestsRanCheck.java <test-classes dir> <surefire-reports dir>}. Exit code 0 when
 * every test class ran, 1 with the list of classes that did not, 2 on bad arguments.
 */
public final class TestsRanCheck {

    private static final Set<String> TEST_ANNOTATIONS = Set.of(
            "org.junit.jupiter.api.Test",
            "org.junit.jupiter.params.ParameterizedTest",
            "org.junit.jupiter.api.RepeatedTest",
            "org.junit.jupiter.api.TestFactory",
            "org.junit.jupiter.api.TestTemplate",
            "net.jqwik.api.Property",
            "net.jqwik.api.Example",
            "org.testng.annotations.Test",
            "org.junit.platform.commons.annotation.Testable");

    private static final String NESTED = "org.junit.jupiter.api.Nested";

    private static final Pattern TESTS_ATTRIBUTE = Pattern.compile("<testsuite\\b[^>]*?\\btests=\"(\\d+)\"");

    private TestsRanCheck() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: TestsRanCheck <test-classes dir> <surefire-reports dir>");
            System.exit(2);
        }
        Path classes = Path.of(args[0]);
        Path reports = Path.of(args[1]);
        List<String> missing = missing(classes, reports);
        if (!missing.isEmpty()) {
            System.err.println("[TestsRanCheck] " + missing.size() + " test class(es) in " + classes
                    + " did not run under surefire (no report with tests in " + reports + "):");
            for (String name : missing) {
                System.err.println("[TestsRanCheck]   " + name);
            }
            System.err.println("[TestsRanCheck] Rename the class to match surefire's includes (*Test, Test*, *Tests, "
                    + "*TestCase, *Properties), make a nested test class @Nested, or add the engine it needs.");
            System.exit(1);
        }
        System.out.println("[TestsRanCheck] every test class in " + classes + " ran");
    }

    /** Binary names of the test classes under {@code classes} that have no surefire report with tests. */
    static List<String> missing(Path classes, Path reports) throws IOException {
        List<String> missing = new ArrayList<>();
        if (!Files.isDirectory(classes)) {
            return missing;
        }
        ClassLoader loader = TestsRanCheck.class.getClassLoader();
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            files.filter(f -> f.toString().endsWith(".class"))
                    .filter(f -> !f.getFileName().toString().equals("module-info.class"))
                    .forEach(f -> {
                        String relative = classes.relativize(f).toString();
                        names.add(relative.substring(0, relative.length() - ".class".length())
                                .replace(f.getFileSystem().getSeparator(), "."));
                    });
        }
        names.sort(null);
        for (String name : names) {
            Class<?> type;
            try {
                type = Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException("cannot load " + name + " from the test classpath: " + e, e);
            }
            if (!holdsTests(type)) {
                continue;
            }
            Class<?> runAs = type;
            while (runAs.getEnclosingClass() != null && isNested(runAs)) {
                runAs = runAs.getEnclosingClass();
            }
            if (testsIn(reports.resolve("TEST-" + runAs.getName() + ".xml")) <= 0) {
                missing.add(type.getName());
            }
        }
        return missing;
    }

    static boolean holdsTests(Class<?> type) {
        if (type.isInterface() || type.isAnnotation() || type.isEnum() || Modifier.isAbstract(type.getModifiers())
                || type.isAnonymousClass() || type.isLocalClass() || type.isSynthetic()) {
            return false;
        }
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            if (anyTestAnnotation(c.getDeclaredAnnotations())) {
                return true;
            }
            for (Method m : c.getDeclaredMethods()) {
                if (anyTestAnnotation(m.getDeclaredAnnotations())) {
                    return true;
                }
            }
            for (Class<?> i : c.getInterfaces()) {
                for (Method m : i.getMethods()) {
                    if (m.isDefault() && anyTestAnnotation(m.getDeclaredAnnotations())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean isNested(Class<?> type) {
        for (Annotation a : type.getDeclaredAnnotations()) {
            if (a.annotationType().getName().equals(NESTED)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyTestAnnotation(Annotation[] annotations) {
        for (Annotation a : annotations) {
            if (isTestAnnotation(a.annotationType(), new HashSet<>())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isTestAnnotation(Class<? extends Annotation> type, Set<Class<?>> seen) {
        if (TEST_ANNOTATIONS.contains(type.getName())) {
            return true;
        }
        if (!seen.add(type) || type.getName().startsWith("java.lang.annotation.")) {
            return false;
        }
        for (Annotation meta : type.getDeclaredAnnotations()) {
            if (isTestAnnotation(meta.annotationType(), seen)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The tests of a surefire XML report: its {@code tests} count or its {@code <testcase>} elements, whichever is
     * larger (surefire writes the tests of a {@code @Nested} class into its enclosing class's report, with
     * {@code tests="0"}); -1 when there is no report.
     */
    private static int testsIn(Path report) throws IOException {
        if (!Files.isRegularFile(report)) {
            return -1;
        }
        String xml = Files.readString(report, java.nio.charset.StandardCharsets.UTF_8);
        Matcher m = TESTS_ATTRIBUTE.matcher(xml);
        int tests = m.find() ? Integer.parseInt(m.group(1)) : -1;
        int testcases = 0;
        for (int i = xml.indexOf("<testcase"); i >= 0; i = xml.indexOf("<testcase", i + 1)) {
            testcases++;
        }
        return Math.max(tests, testcases);
    }
}
