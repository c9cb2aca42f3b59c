package io.jedge.runtime.device;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An L4T (Linux for Tegra) release such as {@code 36.4.3}.
 *
 * @param major the release series (32, 35, 36, 38, ...)
 * @param minor the first revision number
 * @param patch the second revision number (0 when the revision has one number)
 * @param raw the text it was parsed from, kept for support reports
 * @param source where it came from, {@code /etc/nv_tegra_release} or {@code dpkg nvidia-l4t-core}
 */
public record L4tVersion(int major, int minor, int patch, String raw, String source) implements Comparable<L4tVersion> {
    private static final Pattern RELEASE_LINE = Pattern.compile("^#\\s*R(\\d+)\\s*\\(release\\),\\s*REVISION:\\s*(\\d+)(?:\\.(\\d+))?");
    private static final Pattern PACKAGE_VERSION = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?(?:[-+~].*)?$");

    public L4tVersion {
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(source, "source");
    }

    /** Parses line 1 of {@code /etc/nv_tegra_release}; later lines (R36+) are ignored. */
    public static Optional<L4tVersion> parseReleaseFile(String text) {
        String first = text.lines().findFirst().orElse("").trim();
        Matcher m = RELEASE_LINE.matcher(first);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new L4tVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)), first, "/etc/nv_tegra_release"));
    }

    /** Parses a package version such as {@code 36.4.4-20250616085344} (the part before '-'). */
    public static Optional<L4tVersion> parsePackageVersion(String version) {
        String v = version.trim();
        Matcher m = PACKAGE_VERSION.matcher(v);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new L4tVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)), v, "dpkg nvidia-l4t-core"));
    }

    @Override
    public int compareTo(L4tVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    /** {@code major.minor.patch}. */
    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
