package io.fluxgate.compat.boot;

import io.fluxgate.kafka.embedded.EmbeddedKafka;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The one application context (and embedded broker) the app's tests share: every class extending this has the same
 * configuration, so Spring's test context cache starts the app once. The broker stops when the test JVM exits (the
 * cached context outlives each class).
 */
@SpringBootTest
@AutoConfigureWebTestClient
abstract class CompatContext {

    static final EmbeddedKafka KAFKA = new EmbeddedKafka().start();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(KAFKA::close, "embedded-kafka-stop"));
    }

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("app.kafka.bootstrap-servers", KAFKA::bootstrapServers);
        registry.add("spring.kafka.bootstrap-servers", KAFKA::bootstrapServers);
    }
}
