package io.jedge.runtime.device;

import java.util.Map;
import java.util.Optional;

/**
 * The JetPack release an L4T version belongs to, with the CUDA and TensorRT versions that release
 * ships. New point releases appear faster than any table is updated, so an unknown L4T falls back
 * to its major series ({@code 36.x} gives "6.x") and says so through {@link #exact()}.
 *
 * @param version the JetPack label, for example {@code 6.2} or {@code 6.x}
 * @param exact whether the L4T version was in the table, rather than matched by series
 * @param shippedCuda CUDA version this release ships, if known
 * @param shippedTensorRt TensorRT version this release ships, if known
 * @param note a caveat about the mapping, if any
 */
public record JetPackRelease(String version, boolean exact, Optional<String> shippedCuda,
        Optional<String> shippedTensorRt, Optional<String> note) {

    private record Row(String jetpack, String cuda, String trt, String note) {
    }

    private static final Map<String, Row> TABLE = Map.ofEntries(
            Map.entry("32.6.1", new Row("4.6", "10.2", "8.0.1", null)),
            Map.entry("32.7.1", new Row("4.6.1", "10.2", "8.2.1", null)),
            Map.entry("32.7.2", new Row("4.6.2", "10.2", "8.2.1", null)),
            Map.entry("32.7.3", new Row("4.6.3", "10.2", "8.2.1", null)),
            Map.entry("32.7.4", new Row("4.6.4", "10.2", "8.2.1", null)),
            Map.entry("32.7.5", new Row("4.6.5", "10.2", "8.2.1", null)),
            Map.entry("32.7.6", new Row("4.6.6", "10.2", "8.2.1", null)),
            Map.entry("35.2.1", new Row("5.1", "11.4", "8.5.2", null)),
            Map.entry("35.3.1", new Row("5.1.1", "11.4", "8.5.2", null)),
            Map.entry("35.4.1", new Row("5.1.2", "11.4", "8.5.2", null)),
            Map.entry("35.5.0", new Row("5.1.3", "11.4", "8.5.2", null)),
            Map.entry("35.6.0", new Row("5.1.4", "11.4", "8.5.2", null)),
            Map.entry("35.6.1", new Row("5.1.5", "11.4", "8.5.2", null)),
            Map.entry("35.6.2", new Row("5.1.5", "11.4", "8.5.2", null)),
            Map.entry("35.6.3", new Row("5.1.5", "11.4", "8.5.2", null)),
            Map.entry("35.6.4", new Row("5.1.6", "11.4", "8.5.2", null)),
            Map.entry("36.2.0", new Row("6.0 DP", "12.2", "8.6.2", null)),
            Map.entry("36.3.0", new Row("6.0", "12.2", "8.6.2", null)),
            Map.entry("36.4.0", new Row("6.1", "12.6", "10.3", null)),
            Map.entry("36.4.2", new Row("6.1 rev1", "12.6", "10.3", null)),
            Map.entry("36.4.3", new Row("6.2", "12.6", "10.3", null)),
            Map.entry("36.4.4", new Row("6.2.1", "12.6", "10.3", null)),
            Map.entry("36.4.7", new Row("6.2.1", "12.6", "10.3", "36.4.7 is a security rebuild of 6.2.1")),
            Map.entry("36.5.0", new Row("6.2.2", "12.6", "10.3", "sources disagree between 6.2.2 and 6.2.1")),
            Map.entry("38.4.0", new Row("7.1", "13.0", "10.13", null)));

    /** The release for {@code l4t}: an exact table entry, else the major-series fallback. */
    public static Optional<JetPackRelease> forL4t(L4tVersion l4t) {
        Row row = TABLE.get(l4t.toString());
        if (row != null) {
            return Optional.of(new JetPackRelease(row.jetpack, true, Optional.of(row.cuda), Optional.of(row.trt),
                    Optional.ofNullable(row.note)));
        }
        if (l4t.major() == 38 && l4t.minor() == 2) {
            return Optional.of(new JetPackRelease("7.0", true, Optional.of("13.0"), Optional.of("10.13"), Optional.empty()));
        }
        String series = switch (l4t.major()) {
            case 32 -> "4.x";
            case 35 -> "5.x";
            case 36 -> "6.x";
            case 38 -> "7.x";
            case 39 -> "7.2";
            default -> null;
        };
        if (series == null) {
            return Optional.empty();
        }
        return Optional.of(new JetPackRelease(series, false, Optional.empty(), Optional.empty(),
                Optional.of("L4T " + l4t + " is not in the release table; matched by series R" + l4t.major())));
    }
}
