package io.jedge.sdk.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** With a denoiser that knows x0 and so returns the exact noise, every sampler lands on x0. */
class SchedulerOracleTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        NoiseSchedule[] schedules = {NoiseSchedule.defaultLinear(), NoiseSchedule.scaledLinear(1000, 0.00085, 0.012),
                NoiseSchedule.cosine(1000)};
        for (SchedulerKind kind : SchedulerKind.values()) {
            for (NoiseSchedule schedule : schedules) {
                for (PredictionType p : PredictionType.values()) {
                    for (TimestepSpacing spacing : TimestepSpacing.values()) {
                        for (int steps : new int[] {1, 10, 25}) {
                            out.add(Arguments.of(kind, schedule, p, spacing, steps));
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} {3} {4} steps")
    @MethodSource("cases")
    void recoversTheCleanSample(SchedulerKind kind, NoiseSchedule schedule, PredictionType p, TimestepSpacing spacing,
                                int steps) {
        SchedulerConfig config = SchedulerConfig.builder().kind(kind).predictionType(p).spacing(spacing).build();
        Scheduler s = config.create(schedule, steps);
        int n = 64;
        float[] x0 = new float[n];
        new GaussianNoise(11).fill(x0);
        float[] x = new float[n];
        new GaussianNoise(12).fill(x);
        for (int i = 0; i < n; i++) {
            x[i] *= (float) s.initNoiseSigma();
        }
        GaussianNoise noise = new GaussianNoise(13);
        float[] in = new float[n];
        float[] out = new float[n];
        long[] ts = s.timesteps();
        for (int i = 0; i < s.steps(); i++) {
            s.scaleModelInput(x, i, in);
            double a = schedule.alphaCumprod((int) ts[i]);
            for (int j = 0; j < n; j++) {
                double eps = (in[j] - Math.sqrt(a) * x0[j]) / Math.sqrt(1 - a);
                out[j] = (float) (p == PredictionType.EPSILON ? eps : Math.sqrt(a) * eps - Math.sqrt(1 - a) * x0[j]);
            }
            s.step(out, i, x, noise);
        }
        // A float32 model output limits x - sigma * eps to about sigma * |eps| * 2^-24, which matters
        // for one Euler step from the cosine schedule's sigma of about 2e4.
        double tol = 2e-3 + 2e-7 * s.initNoiseSigma();
        for (int j = 0; j < n; j++) {
            assertEquals(x0[j], x[j], tol, "element " + j);
        }
    }
}
