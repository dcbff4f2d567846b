package io.fluxgate.examples.dashboard;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/** The page at {@code /} is served by the app and fetches nothing from elsewhere (the network may be closed). */
class StaticPageTest extends SharedDashboard {

    private static final Pattern URL = Pattern.compile("\\b[a-z]+://[^\\s'\"]+");

    @Test
    void thePageAndItsAssetsAreServedAndReferenceNothingOutside() {
        String html = get("/", MediaType.TEXT_HTML);
        assertThat(html).contains("<svg id=\"chart\"").contains("src=\"dashboard.js\"").contains("href=\"dashboard.css\"");

        for (String text : new String[] {html, get("/dashboard.js", MediaType.ALL), get("/dashboard.css", MediaType.ALL)}) {
            Matcher m = URL.matcher(text);
            while (m.find()) {
                // the SVG namespace is a name, not a fetch
                assertThat(m.group()).isEqualTo("http://www.w3.org/2000/svg");
            }
        }
    }

    private String get(String path, MediaType accept) {
        return client.get().uri(path).accept(accept).exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
    }
}
