package io.fluxgate.examples.uniqueusers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CommandLineTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return UniqueUsersApp.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void helpDocumentsEveryFlag() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("--bootstrap-servers", "--input-topic", "--output-topic", "--group-id",
                "--window", "--lateness", "--idle-flush", "--mode", "--generate", "--input-file", "--partitions",
                "--output-file", "--postgres", "--threads", "--role", "--consumer-property");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "--no-such-flag",
        "--window=abc",
        "--window=90ms",
        "--window=0s",
        "--lateness=-5s",
        "--lateness=1500ms",
        "--mode=fuzzy",
        "--partitions=0",
        "--partitions=x",
        "--generate=-1",
        "--threads=0",
        "--input-file=/no/such/file.jsonl",
        "--input-topic=bad topic",
        "--idle-flush=0s",
        "--role=boss",
        "--role=worker",
        "--role=combiner",
        "--consumer-property=no-value",
    })
    void badFlagsGetOneLineAndExitCode2(String flag) {
        assertThat(run(flag)).isEqualTo(2);
        String message = err.toString();
        assertThat(message.lines()).hasSize(1);
        assertThat(message).startsWith("unique-users: ");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void scaleOutRolesRefuseWhatTheyDoNotDo() {
        assertThat(run("--role=worker", "--bootstrap-servers=127.0.0.1:1", "--output-file=out.jsonl")).isEqualTo(2);
        assertThat(err.toString()).contains("--role worker writes partial counts only");
        assertThat(run("--role=combiner", "--bootstrap-servers=127.0.0.1:1", "--generate=10")).isEqualTo(2);
        assertThat(err.toString()).contains("--role combiner does not load input");
        assertThat(run("--role=worker")).isEqualTo(2);
        assertThat(err.toString()).contains("needs --bootstrap-servers");
    }

    @Test
    void repeatedSameWindowIsRejected() {
        assertThat(run("--window=1m", "--window=60s")).isEqualTo(2);
        assertThat(err.toString()).contains("--window sizes must differ");
    }

    @Test
    void durationsReadTheWayPeopleWriteThem() {
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(DurationConverter.parse("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(DurationConverter.parse("1H")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationConverter.parse("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(DurationConverter.parse("PT90S")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DurationConverter.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(DurationConverter.format(Duration.ofHours(1))).isEqualTo("1h");
    }
}
