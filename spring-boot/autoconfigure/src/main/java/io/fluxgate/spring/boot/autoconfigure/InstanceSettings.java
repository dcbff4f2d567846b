package io.fluxgate.spring.boot.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * What every named configuration and instance of a kind has: the configuration it inherits from. A setting left
 * unset on an instance comes from its {@code base-config}, then from {@code configs.default}, then from the
 * operator's own default ({@code DEFAULT_*} in core).
 */
public abstract class InstanceSettings {

    /**
     * Name of the entry under {@code configs} whose settings this one inherits; {@code default} when unset.
     */
    private @Nullable String baseConfig;

    /** Creates settings with nothing set. */
    protected InstanceSettings() {
    }

    /**
     * The configuration inherited from.
     *
     * @return the name under {@code configs}, or null for {@code default}
     */
    public @Nullable String getBaseConfig() {
        return baseConfig;
    }

    /**
     * Sets the configuration inherited from.
     *
     * @param baseConfig a name under {@code configs}, or null for {@code default}
     */
    public void setBaseConfig(@Nullable String baseConfig) {
        this.baseConfig = baseConfig;
    }
}
