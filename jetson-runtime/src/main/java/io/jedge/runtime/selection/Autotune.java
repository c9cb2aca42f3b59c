package io.jedge.runtime.selection;

import io.jedge.runtime.backend.Backends;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SeededInputs;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.bench.LatencyBench;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Figure;
import io.jedge.sdk.bundle.Variant;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The opt-in on-device quick autotune: when no figures exist for this device and mode, measure
 * every admissible candidate briefly (batch 1 and its tuned batch) within a total time budget and
 * hand the figures to the selection, which ranks them above priors and below stored measurements.
 */
public final class Autotune {
    private static final Logger LOG = LoggerFactory.getLogger(Autotune.class);

    private Autotune() {
    }

    /**
     * @param candidates the admissible candidates of a first selection pass (their backends are known)
     * @param budget     total wall time; candidates not reached in it stay on priors
     * @return figures by variant id, measured here now
     */
    public static Map<String, List<Figure>> measure(Bundle bundle, List<Candidate> candidates, DeviceContext ctx, int threads,
            Duration budget) {
        Map<String, List<Figure>> out = new LinkedHashMap<>();
        List<Candidate> todo = candidates.stream().filter(Candidate::admissible).toList();
        if (todo.isEmpty()) {
            return out;
        }
        long deadline = System.nanoTime() + budget.toNanos();
        double perPoint = Math.max(0.05, budget.toMillis() / 1000.0 / (todo.size() * 2.0) * 0.6);
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        for (Candidate c : todo) {
            if (System.nanoTime() > deadline) {
                LOG.info("autotune: time budget {} spent; {} keeps its prior", budget, c.variant().id());
                continue;
            }
            Variant v = c.variant();
            List<Figure> figs = new ArrayList<>();
            try (InferenceSession s = Backends.byName(c.backend()).orElseThrow()
                    .open(bundle, v, SessionOptions.builder().threads(threads).build())) {
                for (int batch : new int[] {v.batchMin(), v.batchOpt()}) {
                    if (System.nanoTime() > deadline || (!figs.isEmpty() && batch == figs.get(0).batch())) {
                        continue;
                    }
                    LatencyBench.Stats st = LatencyBench.measure(s, SeededInputs.feed(s.inputs(), batch, 5), 1, perPoint, 3);
                    figs.add(new Figure(ctx.deviceId(), ctx.figureMode(), c.backend(), threads, batch, st.p50Ms(), st.p95Ms(),
                            st.throughputPerSec(), null, null, now, ctx.simulated()));
                }
            } catch (RuntimeException e) {
                LOG.warn("autotune: {} could not be measured ({}); it keeps its prior", v.id(), e.getMessage());
            }
            if (!figs.isEmpty()) {
                out.put(v.id(), figs);
            }
        }
        return out;
    }
}
