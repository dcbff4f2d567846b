package io.fluxgate.redis.internal;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;

/** Which Redis errors are worth a retry, and how to describe a failure. Not part of the API. */
public final class RedisErrors {

    private RedisErrors() {
    }

    /**
     * True for a lost or refused connection: a {@link RedisConnectionException}, an {@link IOException} (a reset
     * connection fails the commands in flight with one), or Lettuce's "connection closed" anywhere in the cause chain.
     * A command error of the server (wrong type, script error) is not retried.
     *
     * @param error the failure of a call
     * @return whether the same call may succeed on another attempt
     */
    public static boolean isTransient(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RedisConnectionException || t instanceof IOException) {
                return true;
            }
            if (t instanceof RedisException && t.getMessage() != null
                    && t.getMessage().toLowerCase(java.util.Locale.ROOT).contains("connection")
                    && t.getMessage().toLowerCase(java.util.Locale.ROOT).contains("closed")) {
                return true;
            }
        }
        return false;
    }

    /**
     * "no answer within PT2S" for a timeout, else "failed: " and the error.
     *
     * @param error the failure
     * @param timeout the call's timeout
     * @return a phrase for an exception message
     */
    public static String describe(Throwable error, java.time.Duration timeout) {
        return error instanceof TimeoutException ? "no answer within " + timeout
                : "failed (timeout " + timeout + "): " + error;
    }
}
