package io.jedge.converters.bundle;

import io.jedge.sdk.JedgeVersion;

/** The jedge version written into the bundles this converter makes. */
public final class Version {
    private Version() {
    }

    public static String get() {
        return JedgeVersion.get();
    }
}
