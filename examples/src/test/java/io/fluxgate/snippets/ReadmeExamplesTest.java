package io.fluxgate.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's code examples are compiled: each Java block and each one-line example of the concepts table must stand,
 * verbatim up to white space, in {@code examples/src/snippets/java/.../ReadmeExamples.java}, which the build compiles.
 * An example edited in the README without its compiled twin fails here.
 */
class ReadmeExamplesTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Path SNIPPETS =
            Path.of("src", "snippets", "java", "io", "fluxgate", "snippets", "ReadmeExamples.java");
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");

    @Test
    void everyJavaBlockIsCompiled() throws IOException {
        String readme = Files.readString(README);
        String compiled = normalize(Files.readString(SNIPPETS));
        List<String> blocks = new ArrayList<>();
        Matcher m = JAVA_BLOCK.matcher(readme);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        assertThat(blocks).as("the README's java blocks").isNotEmpty();
        for (String block : blocks) {
            assertThat(compiled).as("README block not in ReadmeExamples.java:%n%s", block).contains(normalize(block));
        }
    }

    @Test
    void everyOneLineExampleOfTheConceptsTableIsCompiled() throws IOException {
        String readme = Files.readString(README);
        String compiled = normalize(Files.readString(SNIPPETS));
        int from = readme.indexOf("## Pipeline concepts");
        int to = readme.indexOf("\n## ", from + 1);
        assertThat(from).as("the concepts table's heading").isNotNegative();
        List<String> examples = new ArrayList<>();
        for (String line : readme.substring(from, to).split("\n")) {
            if (!line.startsWith("| ") || line.startsWith("| Concept")) {
                continue;
            }
            String[] cells = line.split("\\|");
            String example = cells[cells.length - 1].isBlank() ? cells[cells.length - 2] : cells[cells.length - 1];
            Matcher m = CODE_SPAN.matcher(example);
            while (m.find()) {
                examples.add(m.group(1));
            }
        }
        assertThat(examples).as("one-line examples found in the table").hasSizeGreaterThan(40);
        for (String example : examples) {
            assertThat(compiled).as("README example not in ReadmeExamples.java: %s", example)
                    .contains(normalize(example));
        }
    }

    private static String normalize(String code) {
        return code.replaceAll("\\s+", " ").replace("( ", "(").replace(" )", ")").trim();
    }
}
