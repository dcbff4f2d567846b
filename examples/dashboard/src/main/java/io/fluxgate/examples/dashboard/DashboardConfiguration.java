package io.fluxgate.examples.dashboard;

import io.fluxgate.kafka.KafkaSink;
import io.fluxgate.kafka.KafkaSource;
import io.fluxgate.kafka.KafkaSourceOptions;
import io.fluxgate.kafka.StartPosition;
import io.fluxgate.metrics.StageMetrics;
import io.fluxgate.spring.boot.autoconfigure.FluxgateCircuitBreakers;
import io.fluxgate.spring.boot.autoconfigure.FluxgateWatchdogProperties;
import io.fluxgate.spring.boot.autoconfigure.FluxgateWatchdogs;
import io.fluxgate.spring.boot.autoconfigure.StallWatchdogCustomizer;
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

/**
 * The dashboard's parts, wired from {@link DashboardProperties}; the breaker and the stall watchdogs (with their
 * meters and health) come from the Fluxgate starter's {@code fluxgate.circuitbreaker.*} and {@code fluxgate.watchdog.*}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DashboardProperties.class)
class DashboardConfiguration {

    static final String BREAKER_NAME = "kafka";
    static final String PARSE_STAGE = "parse";
    static final String WINDOWS_STAGE = "windows";

    @Bean(destroyMethod = "close")
    KafkaCluster kafkaCluster(DashboardProperties props) {
        return KafkaCluster.start(props.kafka());
    }

    /**
     * The breaker in front of Kafka: {@code fluxgate.circuitbreaker.instances.kafka.*} (application.properties), built
     * by the starter with the meter registry and in the {@code circuitBreakers} health component.
     */
    @Bean
    BreakerStatus breakerStatus(FluxgateCircuitBreakers breakers) {
        return new BreakerStatus(breakers.breaker(BREAKER_NAME).circuitBreaker());
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

    /**
     * The windows stage legitimately holds records until their window closes: up to size + lateness (+ one idle tick
     * on a quiet stream) without output is normal, so its watchdog gets that on top of the configured stall-after.
     */
    @Bean
    StallWatchdogCustomizer windowsStallAfter(DashboardProperties props, FluxgateWatchdogProperties watchdogs) {
        DashboardProperties.Windows w = props.windows();
        return StallWatchdogCustomizer.of(WINDOWS_STAGE, b -> b.stallAfter(watchdogs.stallAfter(WINDOWS_STAGE)
                .plus(w.size()).plus(w.lateness()).plus(w.idleFlush())));
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    WindowsPipeline windowsPipeline(KafkaCluster kafka, DashboardProperties props, FluxgateWatchdogs watchdogs,
                                    MeterRegistry registry) {
        KafkaSourceOptions.Builder<byte[], byte[]> options = KafkaSourceOptions
                .builder(new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .bootstrapServers(kafka.bootstrapServers())
                .topics(props.kafka().topic())
                .groupId(props.kafka().groupId())
                .startPosition(StartPosition.EARLIEST)
                .meterRegistry(registry);
        props.kafka().consumer().forEach(options::property);
        return new WindowsPipeline(KafkaSource.create(options.build()), props.windows(),
                watchdogs.watchdog(PARSE_STAGE), watchdogs.watchdog(WINDOWS_STAGE), registry);
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
