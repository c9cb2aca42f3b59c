package io.jedge.runtime.backend.trt;

import io.jedge.runtime.backend.InferenceSession;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TensorRT engine ready to run. Thread-safe: up to {@link TrtSessionOptions#maxContexts()}
 * calls run in parallel, each on its own execution context, CUDA stream and buffers; further
 * callers wait for a free context. Contexts are created on demand (the first when the session
 * opens) and kept until {@link #close()}, which waits for running calls and then frees every
 * CUDA resource the session allocated.
 *
 * <p>Each call's input shapes may differ, within the engine's optimization profile. On an
 * integrated GPU (Jetson) the IO buffers are mapped host memory that the GPU reads and writes
 * directly; on a discrete GPU they are pinned host buffers copied on the context's stream.
 *
 * <pre>{@code
 * try (TrtInferenceSession s = new TrtBackend().openEngine(plan, variant.builtFor(), TrtSessionOptions.defaults())) {
 *     Tensor logits = s.run(Map.of("pixels", pixels)).get("logits");
 *     RunTiming t = s.lastTiming().orElseThrow(); // GPU time from CUDA events
 * }
 * }</pre>
 */
public final class TrtInferenceSession implements InferenceSession {
    private static final Logger LOG = LoggerFactory.getLogger(TrtInferenceSession.class);
    private static final long CLOSE_WAIT_SECONDS = 30;

    private final NativeEngine engine;
    private final TrtPlatform platform;
    private final TrtSessionOptions options;
    private final EngineCompatibility compatibility;
    private final boolean zeroCopy;
    private final List<TensorSpec> inputSpecs;
    private final List<TensorSpec> outputSpecs;
    private final List<IoTensor> outputs;
    private final Semaphore permits;
    private final ConcurrentLinkedQueue<ExecutionSlot> idle = new ConcurrentLinkedQueue<>();
    private final List<ExecutionSlot> all = new ArrayList<>();
    private volatile boolean closed;
    private volatile RunTiming lastTiming;
    private volatile Consumer<RunTiming> timingListener;

    TrtInferenceSession(NativeEngine engine, TrtPlatform platform, TrtSessionOptions options,
            EngineCompatibility compatibility) {
        this.engine = engine;
        this.platform = platform;
        this.options = options;
        this.compatibility = compatibility;
        this.zeroCopy = platform.integrated();
        this.permits = new Semaphore(options.maxContexts(), true);
        ExecutionSlot first = new ExecutionSlot(engine, 0, zeroCopy); // proves the engine runs here, sizes outputs
        all.add(first);
        idle.add(first);
        this.outputs = first.outputs();
        this.inputSpecs = engine.inputs.stream().map(IoTensor::spec).toList();
        this.outputSpecs = outputs.stream().map(IoTensor::spec).toList();
        LOG.info("opened TensorRT engine '{}' on {} ({} I/O, up to {} contexts, {} MiB activation memory each)", engine.name,
                platform.describe(), zeroCopy ? "zero-copy mapped" : "pinned", options.maxContexts(),
                engine.contextMemoryBytes >> 20);
    }

    @Override
    public String backendName() {
        return TrtBackend.NAME;
    }

    @Override
    public List<TensorSpec> inputs() {
        return inputSpecs;
    }

    @Override
    public List<TensorSpec> outputs() {
        return outputSpecs;
    }

    /** Smallest and largest accepted shape of each input, from optimization profile 0. */
    public Map<String, long[][]> inputRanges() {
        Map<String, long[][]> out = new java.util.LinkedHashMap<>();
        for (IoTensor t : engine.inputs) {
            out.put(t.name(), new long[][] {t.min(), t.max()});
        }
        return out;
    }

    /** The platform the session runs on. */
    public TrtPlatform platform() {
        return platform;
    }

    /** The fingerprint comparison made when opening; empty when the engine came without one. */
    public Optional<EngineCompatibility> compatibility() {
        return Optional.ofNullable(compatibility);
    }

    /** True when IO uses mapped host memory (integrated GPU) instead of copies. */
    public boolean zeroCopy() {
        return zeroCopy;
    }

    /** Activation memory each context allocates, in bytes. */
    public long contextMemoryBytes() {
        return engine.contextMemoryBytes;
    }

    /** The timing of the most recently finished call on any thread. */
    public Optional<RunTiming> lastTiming() {
        return Optional.ofNullable(lastTiming);
    }

    /** Called after every successful call, on the calling thread; null removes it. */
    public void timingListener(Consumer<RunTiming> listener) {
        this.timingListener = listener;
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> feeds, Set<String> outputNames) {
        long start = System.nanoTime();
        ensureOpen();
        IoValidation.validateInputs("engine '" + engine.name + "'", engine.inputs, feeds);
        List<IoTensor> wanted = IoValidation.selectOutputs("engine '" + engine.name + "'", outputs, outputNames);
        ExecutionSlot slot = acquire();
        try {
            return slot.run(feeds, wanted, start, t -> {
                lastTiming = t;
                Consumer<RunTiming> l = timingListener;
                if (l != null) {
                    l.accept(t);
                }
            });
        } finally {
            idle.add(slot);
            permits.release();
        }
    }

    private ExecutionSlot acquire() {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JedgeException(JedgeException.Code.UNAVAILABLE, "interrupted waiting for a free TensorRT context of '"
                    + engine.name + "'", e);
        }
        if (closed) {
            permits.release();
            throw new IllegalStateException("TensorRT session for '" + engine.name + "' is closed");
        }
        ExecutionSlot slot = idle.poll();
        if (slot != null) {
            return slot;
        }
        try {
            synchronized (all) {
                slot = new ExecutionSlot(engine, all.size(), zeroCopy);
                all.add(slot);
            }
            LOG.debug("engine '{}': context {} created", engine.name, all.size() - 1);
            return slot;
        } catch (RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("TensorRT session for '" + engine.name + "' is closed");
        }
    }

    /** Waits for running calls (up to 30 s), then frees every context's buffers, stream and events. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean drained = false;
        try {
            drained = permits.tryAcquire(options.maxContexts(), CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (all) {
            if (drained) {
                all.forEach(ExecutionSlot::close);
            } else {
                // a call still holds a context: freeing its buffers under it could crash the JVM
                LOG.warn("TensorRT session '{}' closed while calls were still running after {} s; their contexts are "
                        + "left allocated", engine.name, CLOSE_WAIT_SECONDS);
                idle.forEach(ExecutionSlot::close);
            }
            all.clear();
            idle.clear();
        }
    }
}
