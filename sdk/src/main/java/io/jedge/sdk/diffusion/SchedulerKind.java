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
}
