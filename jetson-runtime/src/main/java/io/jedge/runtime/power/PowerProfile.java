package io.jedge.runtime.power;

import io.jedge.runtime.device.JetsonModule;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A module's power modes, from {@code power-profiles/<id>.json}. Modules with a "super" conf list
 * both sets; {@link ProfileMode#superConf()} tells them apart, since the same name (for example
 * {@code 15W}) can carry different caps in each.
 *
 * @param schemaVersion the file's schema version
 * @param id the profile id, equal to {@link JetsonModule#profileId()}
 * @param module the module it describes
 * @param displayName a human-readable name
 * @param soc the SoC, for example {@code tegra234}
 * @param cudaArch the integrated GPU's compute capability
 * @param modes every mode, non-super first
 */
public record PowerProfile(int schemaVersion, String id, JetsonModule module, String displayName, String soc,
        String cudaArch, List<ProfileMode> modes) {

    public PowerProfile {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(module, "module");
        modes = List.copyOf(modes);
    }

    /** Modes of one conf. */
    public List<ProfileMode> modes(boolean superConf) {
        return modes.stream().filter(m -> m.superConf() == superConf).toList();
    }

    public boolean hasSuperConf() {
        return modes.stream().anyMatch(ProfileMode::superConf);
    }

    /** A mode by name (ignoring case) in one conf. */
    public Optional<ProfileMode> mode(String name, boolean superConf) {
        return modes.stream().filter(m -> m.superConf() == superConf && m.name().equalsIgnoreCase(name)).findFirst();
    }

    /**
     * Which conf the given mode names belong to: the one whose name set is closer to them (Jaccard
     * similarity, since the non-super names can be a subset of the super ones); on a tie (or no
     * names), {@code preferSuper}. This catches a non-super conf on a super DTB and the reverse,
     * both of which occur on real devices.
     */
    public boolean matchSuperConf(Collection<String> confModeNames, boolean preferSuper) {
        if (!hasSuperConf()) {
            return false;
        }
        double sup = similarity(confModeNames, true);
        double non = similarity(confModeNames, false);
        return sup == non ? preferSuper : sup > non;
    }

    private double similarity(Collection<String> names, boolean superConf) {
        java.util.Set<String> a = new java.util.HashSet<>();
        names.forEach(n -> a.add(n.toUpperCase(java.util.Locale.ROOT)));
        java.util.Set<String> b = new java.util.HashSet<>();
        modes(superConf).forEach(m -> b.add(m.name().toUpperCase(java.util.Locale.ROOT)));
        java.util.Set<String> union = new java.util.HashSet<>(a);
        union.addAll(b);
        a.retainAll(b);
        return union.isEmpty() ? 0 : (double) a.size() / union.size();
    }
}
