package io.fluxgate.examples.dashboard;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;

/**
 * The live dashboard: {@code POST /events} (NDJSON frames to Kafka through a circuit breaker),
 * {@code GET /windows/stream} (unique users per minute as Server-Sent Events), a chart at {@code /}, and
 * {@code /actuator/prometheus} and {@code /actuator/health}. Run with {@code bin/dashboard}; settings are
 * {@link DashboardProperties}.
 */
@SpringBootApplication
public class DashboardApplication {

    private static final Logger log = LoggerFactory.getLogger(DashboardApplication.class);

    public static void main(String[] args) {
        SpringApplication.run(DashboardApplication.class, args);
    }

    /** One line a person running it can act on: where to point the browser. */
    @Bean
    ApplicationListener<WebServerInitializedEvent> announce(KafkaCluster kafka, DashboardProperties props) {
        return e -> log.info("Fluxgate dashboard at http://localhost:{}/ (Kafka: {} at {}, topic {})",
                e.getWebServer().getPort(), kafka.embedded() ? "embedded broker" : "cluster", kafka.bootstrapServers(),
                props.kafka().topic());
    }
}
