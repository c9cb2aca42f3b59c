package io.jedge.runtime.model;

import io.jedge.runtime.backend.Backends;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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

    private final Bundle bundle;
    private final LoadOptions options;
    private final Environment env;
    private final AtomicReference<Active> active = new AtomicReference<>();
    private final List<Selection> history = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ExecutorService async;
    private final AutoCloseable watch;
    private final Predictor predictor = new ModelPredictor();

    /** A session in use, counted so a swap can close it once it is idle. */
    private static final class Active {
        final InferenceSession session;
        final Selection selection;
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicBoolean retired = new AtomicBoolean();
        final AtomicBoolean closedOnce = new AtomicBoolean();

        Active(InferenceSession session, Selection selection) {
            this.session = session;
            this.selection = selection;
        }

        void release() {
            if (inFlight.decrementAndGet() == 0 && retired.get()) {
                closeOnce();
            }
        }

        void retire() {
            retired.set(true);
            if (inFlight.get() == 0) {
                closeOnce();
            }
        }

        private void closeOnce() {
            if (closedOnce.compareAndSet(false, true)) {
                session.close();
            }
        }
    }

    private RuntimeModel(Bundle bundle, LoadOptions options, Environment env) {
        this.bundle = bundle;
        this.options = options;
        this.env = env;
        this.async = Executors.newFixedThreadPool(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())), r -> {
            Thread t = new Thread(r, "jedge-" + bundle.manifest().name());
            t.setDaemon(true);
            return t;
        });
        AutoCloseable w = null;
        if (options.watchPower()) {
            w = env.onChange(this::reselect);
        }
        this.watch = w;
    }

    public static RuntimeModel open(Bundle bundle, LoadOptions options, Environment env) {
        RuntimeModel m = new RuntimeModel(bundle, options, env);
        try {
            m.reselect(env.current());
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
        VariantSelector.Result r = new VariantSelector(env.backends()).select(bundle.manifest(), ctx, request(), Map.of());
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
                .open(bundle.resolve(v), SessionOptions.builder().threads(options.threads()).build());
        Active next = new Active(session, s);
        Active old = active.getAndSet(next);
        history.add(s);
        if (old != null) {
            old.retire();
        }
    }

    private SelectionRequest request() {
        return new SelectionRequest(Role.MODEL, options.goal(), options.precisionFloor(), options.minFidelity(),
                options.backend(), options.variant(), options.maxBatch());
    }

    private Active acquire() {
        while (true) {
            if (closed.get()) {
                throw new IllegalStateException("model '" + bundle.manifest().name() + "' is closed");
            }
            Active a = active.get();
            a.inFlight.incrementAndGet();
            if (active.get() == a && !a.retired.get()) {
                return a;
            }
            a.release();
        }
    }

    private final class ModelPredictor implements Predictor {
        @Override
        public Map<String, Tensor> run(Map<String, Tensor> inputs) {
            Active a = acquire();
            try {
                return a.session.run(inputs);
            } finally {
                a.release();
            }
        }

        @Override
        public CompletableFuture<Map<String, Tensor>> runAsync(Map<String, Tensor> inputs) {
            return CompletableFuture.supplyAsync(() -> run(inputs), async);
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
            async.shutdown();
            Active a = active.getAndSet(null);
            if (a != null) {
                a.retire();
            }
        }
    }
}
