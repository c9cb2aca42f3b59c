package io.jedge.runtime.model;

import io.jedge.runtime.backend.Backends;
import io.jedge.runtime.batching.BatcherOptions;
import io.jedge.runtime.batching.DynamicBatcher;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.NativeResource;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.Staging;
import io.jedge.runtime.selection.Autotune;
import io.jedge.runtime.selection.DeviceContext;
import io.jedge.runtime.selection.SelectionRequest;
import io.jedge.runtime.selection.VariantSelector;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.JedgeModel;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.Predictor;
import io.jedge.sdk.Selection;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.BundleManifest;
import io.jedge.sdk.bundle.Role;
import io.jedge.sdk.bundle.Variant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded bundle. Requests go to the active variant; {@link #reselect(DeviceContext)} swaps in
 * another without failing in-flight requests: they finish on the old session, which closes when
 * the last of them returns.
 */
public final class RuntimeModel implements JedgeModel {
    private static final Logger LOG = LoggerFactory.getLogger(RuntimeModel.class);
    /** Total time an opt-in autotune may spend measuring candidates. */
    static final java.time.Duration AUTOTUNE_BUDGET = java.time.Duration.ofSeconds(10);

    private final Bundle bundle;
    private final LoadOptions options;
    private final Environment env;
    private final AtomicReference<Active> active = new AtomicReference<>();
    private final List<Selection> history = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile DynamicBatcher batcher;
    private final AutoCloseable watch;
    private final Predictor predictor = new ModelPredictor();

    /** A session in use, counted so a swap can close it once it is idle. */
    /** The variant in use; retired by {@link #close()}, its session closed after its last in-flight call. */
    private static final class Active extends NativeResource {
        final InferenceSession session;
        final Selection selection;

        Active(InferenceSession session, Selection selection) {
            this.session = session;
            this.selection = selection;
        }

        void retire() {
            close();
        }

        void done() {
            release();
        }

        boolean tryUse() {
            return tryAcquire();
        }

        @Override
        protected String describe() {
            return "variant " + selection.variantId() + " on " + selection.backend();
        }

        @Override
        protected void freeNative() {
            session.close();
        }
    }

    private RuntimeModel(Bundle bundle, LoadOptions options, Environment env) {
        this.bundle = bundle;
        this.options = options;
        this.env = env;
        AutoCloseable w = null;
        if (options.watchPower()) {
            w = env.onChange(this::reselect);
        }
        this.watch = w;
    }

    public static RuntimeModel open(Bundle bundle, LoadOptions options, Environment env) {
        VariantSelector.requireKnownVariant(bundle.manifest(), options.variant());
        RuntimeModel m = new RuntimeModel(EnginesOnLoad.ensure(bundle, options), options, env);
        try {
            m.reselect(env.current());
            m.batcher = DynamicBatcher.start(m::runBatch, BatcherOptions.builder().name(bundle.manifest().name())
                    .maxBatch(m.maxBatch()).maxDelay(options.maxDelay()).queueCapacity(options.queueCapacity())
                    .blockTimeout(options.queueWait()).directStaging(true).build()); // runBatch only hands inputs to the session
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return m;
    }

    /** Chooses again for {@code ctx}; swaps variants when the choice changes. */
    public synchronized void reselect(DeviceContext ctx) {
        if (closed.get()) {
            return;
        }
        VariantSelector selector = new VariantSelector(env.backends());
        VariantSelector.Result r = selector.select(bundle.manifest(), ctx, request(), Map.of());
        if (options.autotune() && r.chosen().source().equals("prior") && !ctx.simulated()) {
            // nothing measured here yet: measure the candidates briefly and choose again
            Map<String, List<io.jedge.sdk.bundle.Figure>> tuned = Autotune.measure(bundle, r.candidates(), ctx, options.threads(),
                    AUTOTUNE_BUDGET);
            if (!tuned.isEmpty()) {
                r = selector.select(bundle.manifest(), ctx, request(), tuned);
            }
        }
        Selection s = r.toSelection();
        LOG.info("selected {}\n{}", s, r.explain());
        Active current = active.get();
        if (current != null && current.selection.variantId().equals(s.variantId())
                && current.selection.backend().equals(s.backend())) {
            if (!history.get(history.size() - 1).equals(s)) {
                history.add(s); // same session; the reason or batch changed
            }
            return;
        }
        Variant v = r.chosen().variant();
        InferenceSession session = Backends.byName(s.backend())
                .orElseThrow(() -> new JedgeException(JedgeException.Code.BACKEND_UNAVAILABLE, "backend " + s.backend() + " vanished"))
                .open(bundle, v, SessionOptions.builder().threads(options.threads()).build());
        Active next = new Active(session, s);
        Active old = active.getAndSet(next);
        history.add(s);
        if (old != null) {
            old.retire();
        }
    }

    /** The batcher's ceiling: the caller's, else the chosen batch or the variant's tuned one, within its range. */
    private int maxBatch() {
        if (options.maxBatch() > 0) {
            return options.maxBatch();
        }
        Variant v = bundle.manifest().variant(active.get().selection.variantId()).orElseThrow();
        return Math.max(1, Math.min(v.batchMax(), Math.max(active.get().selection.batch(), v.batchOpt())));
    }

    /**
     * Rows {@code [from, to)} of {@code t}: a view of a direct tensor (no copy; the whole request is kept unmodified
     * until answered anyway, as an unsplit one is), a copy of a heap one.
     */
    private static Tensor rows(Tensor t, int from, int to) {
        return t.isDirect() ? t.viewBatch(from, to) : t.sliceBatch(from, to);
    }

    /** One batch on whatever variant is active now, split if it exceeds that variant's range. */
    private Map<String, Tensor> runBatch(Map<String, Tensor> inputs) {
        Active a = acquire();
        try {
            int rows = (int) inputs.values().iterator().next().dim(0);
            int max = bundle.manifest().variant(a.selection.variantId()).map(Variant::batchMax).orElse(rows);
            if (rows <= max) {
                return a.session.run(inputs);
            }
            List<Map<String, Tensor>> parts = new ArrayList<>();
            for (int from = 0; from < rows; from += max) {
                int to = Math.min(rows, from + max);
                Map<String, Tensor> chunk = new java.util.LinkedHashMap<>();
                for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                    chunk.put(e.getKey(), rows(e.getValue(), from, to));
                }
                parts.add(a.session.run(chunk));
            }
            Map<String, Tensor> out = new java.util.LinkedHashMap<>();
            for (String name : parts.get(0).keySet()) {
                out.put(name, Tensor.concatBatch(parts.stream().map(p -> p.get(name)).toList()));
            }
            return out;
        } finally {
            a.done();
        }
    }

    /** Checks a request against the bundle's inputs before it is queued, so a bad one fails alone and at once. */
    private void validate(Map<String, Tensor> inputs) {
        for (io.jedge.sdk.bundle.TensorSpec spec : bundle.manifest().inputs()) {
            Tensor t = inputs.get(spec.name());
            long[] want = spec.shapeArray();
            if (t == null) {
                throw new IllegalArgumentException("input '" + spec.name() + "' is missing; the model's inputs are "
                        + bundle.manifest().inputs().stream().map(io.jedge.sdk.bundle.TensorSpec::name).toList());
            }
            long[] have = t.shape();
            // the backends' own rule (float32 for a float16 input, int64 for an int32 one, converted), so a request the
            // backend would take is never refused here, nor one it would refuse queued
            java.util.Optional<io.jedge.sdk.DataType> type = io.jedge.sdk.DataType.fromSpecName(spec.dataType());
            boolean ok = have.length == want.length && type.map(d -> Staging.accepts(d, t)).orElse(false);
            for (int i = 0; ok && i < want.length; i++) {
                ok = want[i] < 0 || want[i] == have[i];
            }
            if (!ok) {
                throw new IllegalArgumentException("input '" + spec.name() + "': " + Staging.describe(t) + ", expected "
                        + spec.dataType() + spec.shape() + type.map(d -> " (" + Staging.acceptedText(d) + ")").orElse(""));
            }
            if (t.type() == io.jedge.sdk.DataType.FLOAT32) {
                // NaN or Inf only ever gives garbage out ("NaN% class 0"): refuse it here, counting them
                long bad = 0;
                if (t.isDirect()) { // read in place: a copy per request would undo the zero-copy path
                    java.nio.FloatBuffer fb = t.buffer().asFloatBuffer();
                    for (int i = 0, n = fb.limit(); i < n; i++) {
                        bad += Float.isFinite(fb.get(i)) ? 0 : 1;
                    }
                } else {
                    for (float f : t.floats()) {
                        bad += Float.isFinite(f) ? 0 : 1;
                    }
                }
                if (bad > 0) {
                    throw new IllegalArgumentException("input '" + spec.name() + "' holds " + bad + " NaN or infinite value(s) of "
                            + t.elementCount() + "; fix the data before running it");
                }
            }
        }
        for (String name : inputs.keySet()) {
            if (bundle.manifest().inputs().stream().noneMatch(s -> s.name().equals(name))) {
                throw new IllegalArgumentException("input '" + name + "' is not an input of the model; its inputs are "
                        + bundle.manifest().inputs().stream().map(io.jedge.sdk.bundle.TensorSpec::name).toList());
            }
        }
    }

    private SelectionRequest request() {
        return new SelectionRequest(Role.MODEL, options.goal(), options.precisionFloor(), options.minFidelity(),
                options.backend(), options.variant(), options.maxBatch());
    }

    private Active acquire() {
        while (true) {
            Active a = active.get();
            if (a == null) {
                throw new IllegalStateException("model '" + bundle.manifest().name() + "' is closed");
            }
            if (a.tryUse()) {
                if (active.get() == a) {
                    return a;
                }
                a.done();
            }
        }
    }

    private final class ModelPredictor implements Predictor {
        @Override
        public Map<String, Tensor> run(Map<String, Tensor> inputs) {
            try {
                return runAsync(inputs).join();
            } catch (java.util.concurrent.CompletionException e) {
                Throwable c = e.getCause();
                if (c instanceof io.jedge.runtime.batching.BatchFailedException && c.getCause() != null) {
                    c = c.getCause();
                }
                if (c instanceof RuntimeException r) {
                    throw r;
                }
                throw new JedgeException(JedgeException.Code.RUN_FAILED, c.getMessage(), c);
            }
        }

        @Override
        public CompletableFuture<Map<String, Tensor>> runAsync(Map<String, Tensor> inputs) {
            if (closed.get()) {
                return CompletableFuture.failedFuture(new IllegalStateException("model '" + bundle.manifest().name() + "' is closed"));
            }
            validate(inputs);
            int rows = (int) inputs.values().iterator().next().dim(0);
            int cap = batcher.options().maxBatch();
            if (rows <= cap) {
                return submit(inputs);
            }
            // a request larger than the batcher takes runs as parts of its size, joined in order
            List<CompletableFuture<Map<String, Tensor>>> parts = new ArrayList<>();
            for (int start = 0; start < rows; start += cap) {
                int from = start;
                int to = Math.min(rows, from + cap);
                Map<String, Tensor> part = new LinkedHashMap<>();
                inputs.forEach((k, t) -> part.put(k, rows(t, from, to)));
                parts.add(submit(part));
            }
            return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(done -> {
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (String name : parts.get(0).join().keySet()) {
                    out.put(name, Tensor.concatBatch(parts.stream().map(f -> f.join().get(name)).toList()));
                }
                return out;
            });
        }

        @Override
        public void runInto(Map<String, Tensor> inputs, Map<String, Tensor> outputs) {
            if (closed.get()) {
                throw new IllegalStateException("model '" + bundle.manifest().name() + "' is closed");
            }
            validate(inputs);
            Active a = acquire();
            try {
                a.session.runInto(inputs, outputs); // alone, on the active variant: the app's buffers are bound as they are
            } finally {
                a.done();
            }
        }

        /** The batcher's full-queue rejection becomes a failed future: the Predictor contract never throws it. */
        private CompletableFuture<Map<String, Tensor>> submit(Map<String, Tensor> inputs) {
            try {
                return batcher.submit(inputs);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return CompletableFuture.failedFuture(new JedgeException(JedgeException.Code.UNAVAILABLE,
                        "model '" + bundle.manifest().name() + "' cannot take the request: " + e.getMessage()
                                + "; retry later or load with a larger LoadOptions.queueCapacity", e));
            }
        }

        @Override
        public Selection selection() {
            return history.get(history.size() - 1);
        }
    }

    @Override
    public BundleManifest manifest() {
        return bundle.manifest();
    }

    @Override
    public Predictor predictor() {
        return predictor;
    }

    @Override
    public List<Selection> selectionHistory() {
        return new ArrayList<>(history);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (watch != null) {
                try {
                    watch.close();
                } catch (Exception e) {
                    LOG.warn("stopping the power watcher: {}", e.toString());
                }
            }
            if (batcher != null) {
                batcher.close(); // answers every queued request before the session goes
            }
            Active a = active.getAndSet(null);
            if (a != null) {
                a.retire();
            }
        }
    }
}
