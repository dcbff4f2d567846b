package io.fluxgate.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The BOM must name every library artifact the build publishes, at the build's version, and nothing else: a user who
 * imports it and adds a new module of ours without a version must get the matching one. A library module is one of
 * the parent's modules with jar packaging that is installed (examples and benchmarks set {@code maven.install.skip}).
 * Reads the POMs of the checkout this test runs in (surefire runs it in core/).
 */
class BomTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void bomListsEveryLibraryModuleAtTheBuildVersion() throws Exception {
        Document parent = read(ROOT.resolve("pom.xml"));
        String version = text(parent.getDocumentElement(), "version");
        List<String> libraries = new ArrayList<>();
        for (String module : texts(child(parent.getDocumentElement(), "modules"), "module")) {
            Element pom = read(ROOT.resolve(module).resolve("pom.xml")).getDocumentElement();
            String packaging = text(pom, "packaging");
            Element props = child(pom, "properties");
            boolean application = props != null && "true".equals(text(props, "maven.install.skip"));
            if ((packaging == null || packaging.equals("jar")) && !application) {
                libraries.add(text(pom, "artifactId"));
            }
        }
        Element bom = read(ROOT.resolve("bom/pom.xml")).getDocumentElement();
        assertThat(text(bom, "version")).isEqualTo(version);
        assertThat(child(bom, "parent")).as("the BOM must not inherit the build's third-party version pins").isNull();
        List<String> listed = new ArrayList<>();
        NodeList deps = child(child(bom, "dependencyManagement"), "dependencies").getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element dep = (Element) deps.item(i);
            assertThat(text(dep, "groupId")).isEqualTo("io.fluxgate");
            assertThat(text(dep, "version")).isEqualTo("${project.version}");
            listed.add(text(dep, "artifactId"));
        }
        assertThat(libraries).contains("fluxgate-core");
        assertThat(listed).containsExactlyInAnyOrderElementsOf(libraries);
    }

    private static Document read(Path pom) throws Exception {
        assertThat(pom).exists();
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(Files.newInputStream(pom));
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }

    private static List<String> texts(Element parent, String name) {
        List<String> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e.getTextContent().trim());
            }
        }
        return out;
    }
}
