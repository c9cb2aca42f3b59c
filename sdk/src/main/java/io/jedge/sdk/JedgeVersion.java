package io.jedge.sdk;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The jedge version this build carries (written into the sdk jar by the Maven build). */
public final class JedgeVersion {
    private static final String RESOURCE = "/io/jedge/sdk/version.properties";

    private JedgeVersion() {
    }

    /** The version, for example {@code 0.1.0-SNAPSHOT}; "unknown" when the sdk was not built by Maven. */
    public static String get() {
        try (InputStream in = JedgeVersion.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isBlank() && !v.startsWith("${")) {
                    return v.trim();
                }
            }
        } catch (IOException e) {
            // fall through to the manifest
        }
        String v = JedgeVersion.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }
}
