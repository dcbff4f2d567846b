package io.fluxgate.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxgate.jdbc.testing.PostgresExtension;
import io.fluxgate.jdbc.testing.PostgresTestSchema;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Proves the tests talk to a real PostgreSQL: rows go in through the driver's COPY and come back by query. */
@ExtendWith(PostgresExtension.class)
class PostgresSmokeTest {

    @Test
    void tenThousandRowsThroughCopyInAndBack(PostgresTestSchema db) {
        db.execute("CREATE TABLE smoke (id int8 PRIMARY KEY, name text NOT NULL)");
        int n = 10_000;
        Flux<ByteBuf> csv = Flux.range(0, n).buffer(1_000).map(ids -> {
            StringBuilder sb = new StringBuilder();
            ids.forEach(i -> sb.append(i).append(",name-").append(i).append('\n'));
            return Unpooled.copiedBuffer(sb, StandardCharsets.UTF_8);
        });

        Long copied = Mono.usingWhen(db.connectionFactory().create(),
                        c -> ((PostgresqlConnection) c).copyIn("COPY smoke (id, name) FROM STDIN (FORMAT csv)")
                                .fromMany(Flux.just(csv)).build(),
                        Connection::close)
                .block(Duration.ofSeconds(30));

        assertThat(copied).isEqualTo(n);
        assertThat(db.queryLong("SELECT count(*) FROM smoke")).isEqualTo(n);
        assertThat(db.queryLong("SELECT sum(id) FROM smoke")).isEqualTo((long) n * (n - 1) / 2);
        List<String> names = db.queryList("SELECT name FROM smoke WHERE id IN (0, 9999) ORDER BY id", String.class);
        assertThat(names).containsExactly("name-0", "name-9999");
        // the table really lives in the class's own schema
        assertThat(db.queryList("SELECT table_schema::text FROM information_schema.tables WHERE table_name = 'smoke'",
                String.class)).containsExactly(db.name());
    }

    @Test
    void settingsFollowLibpqEnvironment() {
        PostgresSettings d = PostgresSettings.fromEnvironment(java.util.Map.of());
        assertThat(d.host()).isEqualTo("127.0.0.1");
        assertThat(d.port()).isEqualTo(5432);
        assertThat(d.user()).isEqualTo("postgres");
        assertThat(d.password()).isNull();
        assertThat(d.database()).isEqualTo("postgres");

        PostgresSettings s = PostgresSettings.fromEnvironment(java.util.Map.of("PGHOST", "db.example", "PGPORT",
                "6543", "PGUSER", "app", "PGPASSWORD", "secret", "PGDATABASE", "events"));
        assertThat(s.toString()).isEqualTo("app@db.example:6543/events").doesNotContain("secret");
        assertThat(s.libpqEnvironment()).containsEntry("PGPASSWORD", "secret").containsEntry("PGPORT", "6543");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> PostgresSettings.fromEnvironment(java.util.Map.of("PGPORT", "x")))
                .withMessage("PGPORT must be a port number, was 'x'");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> PostgresSettings.fromEnvironment(java.util.Map.of("PGPORT", "70000")))
                .withMessage("port must be in 1..65535, was 70000");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> PostgresSettings.builder().user(" "))
                .withMessage("user must not be blank, was ' '");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> PostgresSettings.builder().connectTimeout(Duration.ofSeconds(-1)))
                .withMessage("connectTimeout must be positive, was PT-1S");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> PostgresSettings.builder().build().pool(0))
                .withMessage("maxSize must be >= 1, was 0");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> PostgresSettings.fromEnvironment(java.util.Map.of("PGHOST", "/var/run/postgresql")))
                .withMessageContaining("PGHOST=127.0.0.1");
    }
}
