package io.fluxgate.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxgate.jdbc.internal.JsonSyntax;
import io.fluxgate.jdbc.testing.PostgresExtension;
import io.fluxgate.jdbc.testing.PostgresTestSchema;
import io.r2dbc.spi.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The pre-COPY JSON check accepts exactly what PostgreSQL's jsonb input accepts, on a set of tricky inputs. */
@ExtendWith(PostgresExtension.class)
class JsonSyntaxTest {

    static final List<String> INPUTS = List.of(
            "{}", "[]", "0", "-0", "1.5e-3", "1E+2", "-1", "true", "false", "null", "\"\"", "\"a\\\"b\"",
            "{\"a\":{\"b\":[1,{\"c\":null}]}}", " [ 1 , 2 ] ", "\"\\u00e9\\ud83c\\udf89\"", "\"\\/\\b\\f\\n\\r\\t\"",
            "[" + "[".repeat(300) + "]".repeat(300) + "]",
            // invalid
            "", " ", "{", "}", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{a:1}", "{\"a\":1,}", "01", "1.", ".5", "-",
            "1e", "+1", "NaN", "Infinity", "tru", "nul", "'single'", "\"unterminated", "\"bad \\x escape\"",
            "\"\\u12\"", "\"\\u0000\"", "\"\\ud83c\"", "\"\\udf89\"", "\"\\ud83c\\u0041\"", "\"tab\there\"",
            "[1] [2]", "{\"a\":1}}", "[1]]", "1 2", "[\"a\" \"b\"]", "{\"a\" 1}", "[" + "[".repeat(300) + "]".repeat(299));

    @Test
    void agreesWithPostgresql(PostgresTestSchema db) {
        List<String> disagreements = new ArrayList<>();
        Mono.usingWhen(db.connectionFactory().create(), c -> Flux.fromIterable(INPUTS).concatMap(json ->
                        accepts(c, json).doOnNext(pg -> {
                            boolean ours = JsonSyntax.check(json) == null;
                            if (ours != pg) {
                                disagreements.add(json + " postgres=" + pg + " ours=" + JsonSyntax.check(json));
                            }
                        })).then(), Connection::close)
                .block(Duration.ofSeconds(30));
        assertThat(disagreements).isEmpty();
        assertThat(INPUTS.stream().filter(j -> JsonSyntax.check(j) == null).count()).isEqualTo(17);
    }

    private static Mono<Boolean> accepts(Connection c, String json) {
        return Flux.from(c.createStatement("SELECT $1::jsonb IS NOT NULL").bind(0, json).execute())
                .concatMap(r -> r.map((row, m) -> true))
                .then(Mono.just(true))
                .onErrorReturn(false);
    }
}
