package io.fluxgate.examples.dashboard;

import java.time.Duration;
import java.util.List;

import io.fluxgate.breaker.CircuitBreaker;
import io.fluxgate.breaker.CircuitBreakerConfig;
import io.fluxgate.heartbeat.StallWatchdog;
import io.fluxgate.kafka.KafkaSink;
import io.fluxgate.kafka.KafkaSource;
import io.fluxgate.kafka.KafkaSourceOptions;
import io.fluxgate.kafka.StartPosition;
import io.fluxgate.metrics.StageMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The dashboard's parts, wired from {@link DashboardProperties}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DashboardProperties.class)
class DashboardConfiguration {

    static final String BREAKER_NAME = "kafka";

    @Bean(destroyMethod = "close")
    KafkaCluster kafkaCluster(DashboardProperties props) {
        return KafkaCluster.start(props.kafka());
    }

    @Bean
    CircuitBreaker kafkaBreaker(DashboardProperties props, MeterRegistry registry) {
        DashboardProperties.Breaker b = props.breaker();
        CircuitBreakerConfig config;
        try {
            config = CircuitBreakerConfig.builder()
                    .failureRateThreshold(b.failureRateThreshold())
                    .slidingWindow(b.slidingWindowSize(), b.minimumNumberOfCalls(),
                            CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                    .waitDurationInOpenState(b.waitInOpenState())
                    .slowCallDurationThreshold(b.slowCallThreshold())
                    // a full queue is this service's own backpressure, not a sign that Kafka is failing
                    .ignoreExceptions(FramePublisher.OverloadedException.class)
                    .writableStackTraceEnabled(false)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fluxgate.breaker: " + e.getMessage(), e);
        }
        return CircuitBreaker.builder().name(BREAKER_NAME).config(config).meterRegistry(registry).build();
    }

    @Bean
    BreakerStatus breakerStatus(CircuitBreaker kafkaBreaker) {
        return new BreakerStatus(kafkaBreaker);
    }

    @Bean(destroyMethod = "close")
    FramePublisher framePublisher(KafkaCluster kafka, DashboardProperties props, MeterRegistry registry) {
        KafkaSink.Builder<FramePublisher.Outgoing, String, byte[]> sink = KafkaSink.builder(
                        (FramePublisher.Outgoing o) -> o.line().uid(), new StringSerializer(),
                        (FramePublisher.Outgoing o) -> o.line().value(), new ByteArraySerializer())
                .bootstrapServers(kafka.bootstrapServers())
                .topic(props.kafka().topic());
        // No producer client meters (sink.metrics): reactor-kafka tags them with reactor_kafka_id, the source's
        // consumer meters of the same names lack it, and Prometheus refuses one name with two tag-key sets. The
        // "publish" stage meters and the breaker's cover the write side.
        props.kafka().producer().forEach(sink::property);
        return new FramePublisher(StageMetrics.builder().name("publish").meterRegistry(registry).build(sink.build()), props.events().queueCapacity());
    }

    @Bean
    StallWatchdog parseWatchdog(DashboardProperties props, MeterRegistry registry) {
        return StallWatchdog.builder().name("parse").stallAfter(props.watchdog().stallAfter()).meterRegistry(registry).build();
    }

    @Bean
    StallWatchdog windowsWatchdog(DashboardProperties props, MeterRegistry registry) {
        DashboardProperties.Windows w = props.windows();
        // a window keeps its frames until the watermark passes its end: up to size + lateness (+ one idle tick on a
        // quiet stream) without any output is normal
        Duration stallAfter = props.watchdog().stallAfter().plus(w.size()).plus(w.lateness()).plus(w.idleFlush());
        return StallWatchdog.builder().name("windows").stallAfter(stallAfter).meterRegistry(registry).build();
    }

    @Bean
    StallWatchdogHealthIndicator stallWatchdog(StallWatchdog parseWatchdog, StallWatchdog windowsWatchdog) {
        return new StallWatchdogHealthIndicator(List.of(parseWatchdog, windowsWatchdog));
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    WindowsPipeline windowsPipeline(KafkaCluster kafka, DashboardProperties props, StallWatchdog parseWatchdog,
                                    StallWatchdog windowsWatchdog, MeterRegistry registry) {
        KafkaSourceOptions.Builder<byte[], byte[]> options = KafkaSourceOptions
                .builder(new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .bootstrapServers(kafka.bootstrapServers())
                .topics(props.kafka().topic())
                .groupId(props.kafka().groupId())
                .startPosition(StartPosition.EARLIEST)
                .meterRegistry(registry);
        props.kafka().consumer().forEach(options::property);
        return new WindowsPipeline(KafkaSource.create(options.build()), props.windows(), parseWatchdog,
                windowsWatchdog, registry);
    }

    @Bean
    EventsHandler eventsHandler(FramePublisher publisher, BreakerStatus breakerStatus, DashboardProperties props,
                                MeterRegistry registry) {
        return new EventsHandler(publisher, breakerStatus, props.events(), registry);
    }

    @Bean
    StreamHandler streamHandler(WindowsPipeline windows, BreakerStatus breakerStatus, DashboardProperties props) {
        return new StreamHandler(windows, breakerStatus, props.windows().keepAlive());
    }

    @Bean
    RouterFunction<ServerResponse> dashboardRoutes(EventsHandler events, StreamHandler stream) {
        return RouterFunctions.route()
                .POST("/events", events::post)
                .GET("/windows/stream", stream::windows)
                .GET("/breaker", stream::breaker)
                .build();
    }
}
