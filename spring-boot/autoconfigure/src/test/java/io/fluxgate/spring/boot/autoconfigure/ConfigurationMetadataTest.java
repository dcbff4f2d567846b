package io.fluxgate.spring.boot.autoconfigure;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metadata IDEs read (the processor's output merged with META-INF/additional-spring-configuration-metadata.json)
 * documents every setting of every kind, with its type: a setting added to a {@code Settings} class without its entry
 * fails here.
 */
class ConfigurationMetadataTest {

    @Test
    void everySettingIsDocumentedWithItsType() throws Exception {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("generated metadata").isNotNull();
            root = JsonMapper.builder().build().readTree(in);
        }
        Map<String, JsonNode> byName = new HashMap<>();
        root.get("properties").forEach(p -> byName.put(p.get("name").asString(), p));
        Map<String, Class<?>> kinds = Map.of(
                FluxgateCircuitBreakerProperties.PREFIX, FluxgateCircuitBreakerProperties.Settings.class,
                FluxgateRateLimiterProperties.PREFIX, FluxgateRateLimiterProperties.Settings.class,
                FluxgateWorkersProperties.PREFIX, FluxgateWorkersProperties.Settings.class,
                FluxgateRetryProperties.PREFIX, FluxgateRetryProperties.Settings.class,
                FluxgateWatchdogProperties.PREFIX, FluxgateWatchdogProperties.Settings.class,
                FluxgateBatchProperties.PREFIX, FluxgateBatchProperties.Settings.class,
                FluxgateValveProperties.PREFIX, FluxgateValveProperties.Settings.class);
        kinds.forEach((prefix, settings) -> {
            assertThat(byName).containsKeys(prefix + ".configs", prefix + ".instances");
            for (Method m : settings.getMethods()) {
                if (!m.getName().startsWith("set") || m.getParameterCount() != 1) {
                    continue;
                }
                String name = prefix + ".configs.default." + kebab(m.getName().substring(3));
                assertThat(byName).as(name).containsKey(name);
                assertThat(byName.get(name).get("description").asString()).as(name).isNotBlank();
                assertThat(byName.get(name).get("type").asString()).as(name)
                        .startsWith(m.getParameterTypes()[0].getName())
                        .isNotNull();
            }
        });
        for (String kafka : List.of("sources", "sinks", "crash-safe-windows")) {
            assertThat(byName).containsKey(FluxgateKafkaProperties.PREFIX + "." + kafka);
        }
    }

    private static String kebab(String camel) {
        return Character.toLowerCase(camel.charAt(0))
                + camel.substring(1).replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
    }
}
