package io.fluxgate.examples;

import java.io.PrintWriter;
import java.util.concurrent.CompletionException;
import picocli.CommandLine;

/**
 * The command-line conventions the example apps share: a bad flag is one line on stderr naming the app and exit
 * code {@link #USAGE}; a failure while running is one line, the most telling message of its exception chain, and
 * exit code {@link #FAILED}.
 */
public final class Cli {

    /** Exit code of a run that failed. */
    public static final int FAILED = 1;
    /** Exit code of bad flags. */
    public static final int USAGE = 2;

    private Cli() {
    }

    /** A picocli command line over {@code app}, writing to {@code out}/{@code err}, with the shared error handling. */
    public static CommandLine commandLine(Object app, String name, PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(app);
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setParameterExceptionHandler((ex, args) -> {
            // one line, so that scripts and people see exactly what was wrong
            ex.getCommandLine().getErr().println(name + ": " + ex.getMessage() + " (see --help)");
            return USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> {
            c.getErr().println(name + ": failed: " + describe(ex));
            return FAILED;
        });
        return cmd;
    }

    /**
     * The most telling message of an exception chain: wrappers without a message of their own (completion and
     * Reactor wrappers) are skipped, and the root cause's message is added when it says something more.
     */
    public static String describe(Throwable ex) {
        Throwable t = ex;
        while (t.getCause() != null && t.getCause() != t
                && (t.getMessage() == null || t instanceof CompletionException
                || t.getClass().getName().startsWith("reactor.core.Exceptions"))) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.toString() : t.getMessage();
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != t && root.getMessage() != null && !message.contains(root.getMessage())) {
            message += ": " + root.getMessage();
        }
        return message;
    }
}
