package io.fluxgate;

import io.fluxgate.window.UniqueUsers;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every public package of core has a package-info (its javadoc overview, which doclint requires and the README
 * points to) annotated {@link NullMarked}, so Kotlin and IDEs read the API's nullness; internal packages are not API.
 */
class PublicPackagesTest {

    @Test
    void everyPublicPackageHasAPackageInfoAndIsNullMarked() throws Exception {
        List<String> packages = publicPackages();
        assertThat(packages).contains("io.fluxgate.breaker", "io.fluxgate.outcome", "io.fluxgate.heartbeat", "io.fluxgate.window");
        for (String p : packages) {
            Class<?> info = Class.forName(p + ".package-info");
            assertThat(info.isAnnotationPresent(NullMarked.class)).as("%s is @NullMarked", p).isTrue();
        }
    }

    /** Packages with classes in core's main output, internal ones left out. */
    private static List<String> publicPackages() throws IOException, URISyntaxException {
        Path root = Path.of(UniqueUsers.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".class"))
                    .map(f -> root.relativize(f.getParent()).toString().replace(f.getFileSystem().getSeparator(), "."))
                    .filter(p -> !p.endsWith(".internal") && !p.contains(".internal."))
                    .distinct().sorted().toList();
        }
    }
}
