package io.fluxgate.aggregate.internal;

/** A part of the several-sources form: the value with the name of its source and its key. Not API. */
public record Tagged<K, T>(String part, K key, T value) {
}
