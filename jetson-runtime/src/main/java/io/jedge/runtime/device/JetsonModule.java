package io.jedge.runtime.device;

import java.util.List;
import java.util.Optional;

/**
 * A Jetson module (the compute module, not the carrier board), or {@link #NOT_JETSON} for any
 * other host. Identified from the device-tree {@code compatible} tokens: the model string varies
 * between carriers and releases and is only for display.
 */
public enum JetsonModule {
    JETSON_NANO("Jetson Nano 4GB", "tegra210", "jetson-nano", List.of("p3448-0000", "p3448-0002")),
    JETSON_NANO_2GB("Jetson Nano 2GB", "tegra210", null, List.of("p3448-0003")),
    ORIN_NANO_4GB("Jetson Orin Nano 4GB", "tegra234", "orin-nano-4gb", List.of("p3767-0004")),
    /** Includes the devkit SKU p3767-0005, which nvpower.sh maps to the p3767-0003 conf. */
    ORIN_NANO_8GB("Jetson Orin Nano 8GB", "tegra234", "orin-nano-8gb", List.of("p3767-0003", "p3767-0005")),
    ORIN_NX_8GB("Jetson Orin NX 8GB", "tegra234", "orin-nx-8gb", List.of("p3767-0001")),
    ORIN_NX_16GB("Jetson Orin NX 16GB", "tegra234", "orin-nx-16gb", List.of("p3767-0000")),
    AGX_ORIN_32GB("Jetson AGX Orin 32GB", "tegra234", "agx-orin-32gb", List.of("p3701-0004")),
    AGX_ORIN_64GB("Jetson AGX Orin 64GB", "tegra234", "agx-orin-64gb", List.of("p3701-0005")),
    /** The devkit module p3701-0000; it uses the same nvpmodel conf as the 64GB module. */
    AGX_ORIN_DEVKIT("Jetson AGX Orin (devkit module)", "tegra234", "agx-orin-64gb", List.of("p3701-0000")),
    AGX_ORIN_INDUSTRIAL("Jetson AGX Orin Industrial", "tegra234", null, List.of("p3701-0008")),
    /** A Tegra SoC whose module SKU is not in this table. */
    UNKNOWN_JETSON("unknown Jetson module", null, null, List.of()),
    NOT_JETSON("not a Jetson", null, null, List.of());

    private final String displayName;
    private final String soc;
    private final String profileId;
    private final List<String> skus;

    JetsonModule(String displayName, String soc, String profileId, List<String> skus) {
        this.displayName = displayName;
        this.soc = soc;
        this.profileId = profileId;
        this.skus = skus;
    }

    public String displayName() {
        return displayName;
    }

    /** The SoC, for example {@code tegra234}; empty for {@link #UNKNOWN_JETSON} and {@link #NOT_JETSON}. */
    public Optional<String> soc() {
        return Optional.ofNullable(soc);
    }

    /**
     * The id of this module's power profile, the JSON file {@code power-profiles/<id>.json}; empty
     * where no profile is shipped.
     */
    public Optional<String> profileId() {
        return Optional.ofNullable(profileId);
    }

    /** Device-tree SKU part numbers ({@code pNNNN-NNNN}) of this module. */
    public List<String> skus() {
        return skus;
    }

    public boolean isJetson() {
        return this != NOT_JETSON;
    }

    /**
     * The module named by the most specific SKU found in the {@code compatible} tokens, for
     * example {@code nvidia,p3768-0000+p3767-0005-super} gives {@link #ORIN_NANO_8GB}. Empty when
     * no token names a known SKU.
     */
    public static Optional<JetsonModule> fromCompatible(List<String> tokens) {
        for (String token : tokens) {
            String t = token.trim().toLowerCase(java.util.Locale.ROOT);
            if (t.endsWith("-super")) {
                t = t.substring(0, t.length() - "-super".length());
            }
            // "carrier+module": the module is after the '+'.
            String[] parts = t.replace("nvidia,", "").split("\\+");
            for (int i = parts.length - 1; i >= 0; i--) {
                String part = parts[i];
                for (JetsonModule m : values()) {
                    for (String sku : m.skus) {
                        if (part.equals(sku) || part.startsWith(sku + "-")) {
                            return Optional.of(m);
                        }
                    }
                }
            }
        }
        for (String token : tokens) {
            String t = token.trim().toLowerCase(java.util.Locale.ROOT);
            if (t.equals("nvidia,jetson-nano") || t.contains("p3448")) {
                return Optional.of(JETSON_NANO);
            }
        }
        return Optional.empty();
    }
}
