package io.jedge.sdk.diffusion;

/** The sampling algorithms {@link SchedulerConfig} can build. */
public enum SchedulerKind {
    /** Song et al.'s DDIM; deterministic at eta 0, adds noise for eta &gt; 0. */
    DDIM,
    /** Karras et al.'s discrete Euler method in sigma space (diffusers' EulerDiscrete, no churn). */
    EULER,
    /** Euler with ancestral sampling (k-diffusion's sample_euler_ancestral, eta 1): adds fresh noise each step. */
    EULER_ANCESTRAL,
    /**
     * Lu et al.'s DPM-Solver++(2M): second-order multistep on the data prediction, first order at the
     * first and the last step.
     */
    DPM_SOLVER_PP_2M;

    /** The short id used on the command line and in bundle.json: {@code ddim}, {@code euler}, {@code euler-a}, {@code dpm++2m}. */
    public String id() {
        return switch (this) {
            case DDIM -> "ddim";
            case EULER -> "euler";
            case EULER_ANCESTRAL -> "euler-a";
            case DPM_SOLVER_PP_2M -> "dpm++2m";
        };
    }

    /** Parses an {@link #id()} (or the constant's name, any case). */
    public static SchedulerKind parse(String s) {
        String k = s == null ? "" : s.trim().toLowerCase(java.util.Locale.ROOT);
        for (SchedulerKind kind : values()) {
            if (kind.id().equals(k) || kind.name().equalsIgnoreCase(k.replace('-', '_'))) {
                return kind;
            }
        }
        if (k.equals("euler-ancestral")) {
            return EULER_ANCESTRAL;
        }
        throw new IllegalArgumentException("scheduler '" + s + "', expected one of ddim, euler, euler-a, dpm++2m");
    }
}
