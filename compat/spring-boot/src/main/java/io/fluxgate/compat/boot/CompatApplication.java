package io.fluxgate.compat.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot WebFlux application with Fluxgate's Kafka pipeline as a bean ({@link Readings}) and a partner call
 * behind the starter's breaker, rate limiter and watchdog ({@link Quotes}, {@code application.yml}).
 */
@SpringBootApplication
public class CompatApplication {

    public static void main(String[] args) {
        SpringApplication.run(CompatApplication.class, args);
    }
}
