package io.jedge.runtime.backend.trt;

import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.NativeResource;
import io.jedge.runtime.backend.OutputChecks;
import io.jedge.sdk.DataType;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TensorRT engine ready to run. Thread-safe: up to {@link TrtSessionOptions#maxContexts()}
 * calls run in parallel, each on its own execution context, CUDA stream and buffers; further
 * callers wait for a free context. Contexts are created on demand (the first when the session
 * opens) and kept until {@link #close()}. Closing follows {@link NativeResource}: calls already
 * running finish, later ones fail, and the last one out frees every CUDA resource the session
 * allocated, its host memory pool included.
 *
 * <p>Memory: {@link #allocate} hands out direct tensors in the session's {@link HostMemory} pool
 * (mapped memory on an integrated GPU, bound as the tensor address with no copy; pinned memory on a
 * discrete GPU, copied by DMA). Inputs from the pool and outputs into pooled tensors given to
 * {@link #runInto} skip every staging copy; other direct tensors are copied by CUDA, and heap
 * ({@code float[]}) tensors are converted on the calling thread, as before.
 *
 * <pre>{@code
 * try (TrtInferenceSession s = new TrtBackend().openEngine(plan, variant.builtFor(), TrtSessionOptions.defaults())) {
 *     Tensor pixels = s.allocate(DataType.FLOAT32, 16, 3, 224, 224);   // fill pixels.buffer()
 *     Tensor logits = s.allocate(DataType.FLOAT32, 16, 1000);
 *     s.runInto(Map.of("pixels", pixels), Map.of("logits", logits));  // reuse both for every call
 *     RunTiming t = s.lastTiming().orElseThrow(); // GPU time from CUDA events
 * }
 * }</pre>
 */
public final class TrtInferenceSession extends NativeResource implements InferenceSession {
    private static final Logger LOG = LoggerFactory.getLogger(TrtInferenceSession.class);
    /** Default cap on the session's pooled host memory. */
    static final long POOL_LIMIT_BYTES = 4L << 30;

    private final NativeEngine engine;
    private final TrtPlatform platform;
    private final TrtSessionOptions options;
    private final EngineCompatibility compatibility;
    private final HostMemory hostMemory;
    private final HostMemoryPool pool;
    private final List<TensorSpec> inputSpecs;
    private final List<TensorSpec> outputSpecs;
    private final List<IoTensor> outputs;
    /** Fair, so callers waiting for a context get one in arrival order instead of being overtaken by newcomers. */
    private final java.util.concurrent.BlockingQueue<ExecutionSlot> idle;
    private final List<ExecutionSlot> all = new ArrayList<>(); // guarded by itself
    private final ThreadLocal<RunTiming> threadTiming = new ThreadLocal<>();
    private volatile RunTiming lastTiming;
    private volatile Consumer<RunTiming> timingListener;

    TrtInferenceSession(NativeEngine engine, TrtPlatform platform, TrtSessionOptions options,
            EngineCompatibility compatibility) {
        this.engine = engine;
        this.platform = platform;
        this.options = options;
        this.idle = new java.util.concurrent.ArrayBlockingQueue<>(options.maxContexts(), true);
        this.compatibility = compatibility;
        this.hostMemory = HostMemory.forPlatform(platform.integrated());
        if (options.cudaGraphs()) {
            checkFixedShapes(engine.name, engine.inputs);
        }
        this.pool = new HostMemoryPool("engine '" + engine.name + "'", hostMemory, CudaHostAllocator.create(hostMemory),
                POOL_LIMIT_BYTES);
        ExecutionSlot first = newSlot(0); // proves the engine runs here, sizes outputs
        all.add(first);
        idle.add(first);
        this.outputs = first.outputs();
        this.inputSpecs = engine.inputs.stream().map(IoTensor::spec).toList();
        this.outputSpecs = outputs.stream().map(IoTensor::spec).toList();
        LOG.info("opened TensorRT engine '{}' on {} ({} host memory, up to {} contexts, {} MiB activation memory each{})",
                engine.name, platform.describe(), hostMemory, options.maxContexts(), engine.contextMemoryBytes >> 20,
                options.cudaGraphs() ? ", CUDA graphs" : "");
    }

    /** CUDA graphs replay fixed addresses and shapes: every input's profile must pin one shape. */
    static void checkFixedShapes(String engine, List<IoTensor> inputs) {
        for (IoTensor in : inputs) {
            if (!java.util.Arrays.equals(in.min(), in.max())) {
                throw new IllegalArgumentException("CUDA graphs need fixed shapes, but engine '" + engine + "' input '"
                        + in.name() + "' takes " + in.describe() + "; build the engine with one shape (--engine-batch N:N:N) "
                        + "or leave CUDA graphs off");
            }
        }
    }

    private ExecutionSlot newSlot(int index) {
        return new ExecutionSlot(engine, index, hostMemory == HostMemory.MAPPED, options.cudaGraphs());
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
        return hostMemory == HostMemory.MAPPED;
    }

    /** Which host memory {@link #allocate} hands out on this GPU. */
    public HostMemory hostMemory() {
        return hostMemory;
    }

    /**
     * The engine's layers as TensorRT describes them (JSON; read with {@link EngineLayers#parse}):
     * which kernel each layer runs and which ops it fused, when the plan was built with
     * {@code TrtBuildOptions.detailedLayers}, else names only.
     */
    public String layerInformation() {
        acquire();
        try {
            return engine.layerInformation();
        } finally {
            release();
        }
    }

    /** Activation memory each context allocates, in bytes. */
    public long contextMemoryBytes() {
        return engine.contextMemoryBytes;
    }

    /** Whether calls replay a captured CUDA graph. */
    public boolean cudaGraphs() {
        return options.cudaGraphs();
    }

    /**
     * A zero-filled direct tensor in this session's pinned or mapped host memory, which inputs and
     * {@link #runInto} outputs use without a staging copy. Valid until {@link #release} or until the
     * session closes; reuse it for many calls.
     */
    public Tensor allocate(DataType type, long... shape) {
        acquire();
        try {
            return pool.allocate(type, shape);
        } finally {
            release();
        }
    }

    /** Gives a tensor from {@link #allocate} back to the pool; it must not be used afterwards. */
    public void release(Tensor tensor) {
        pool.release(tensor);
    }

    /** Pooled host memory reserved and lent, in bytes: {@code {reserved, lent}}. */
    public long[] pooledBytes() {
        return new long[] {pool.reservedBytes(), pool.lentBytes()};
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
    public boolean reportsStageTimes() {
        return true;
    }

    @Override
    public Optional<double[]> stageTimes() {
        RunTiming t = threadTiming.get();
        return t == null ? Optional.empty() : Optional.of(new double[] {t.h2dMillis(), t.computeMillis(), t.d2hMillis()});
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> feeds, Set<String> outputNames) {
        long start = System.nanoTime();
        acquire();
        try {
            IoValidation.validateInputs("engine '" + engine.name + "'", engine.inputs, feeds);
            List<IoTensor> wanted = IoValidation.selectOutputs("engine '" + engine.name + "'", outputs, outputNames);
            return onSlot(feeds, wanted, null, start);
        } finally {
            release();
        }
    }

    @Override
    public void runInto(Map<String, Tensor> feeds, Map<String, Tensor> into) {
        long start = System.nanoTime();
        acquire();
        try {
            IoValidation.validateInputs("engine '" + engine.name + "'", engine.inputs, feeds);
            OutputChecks.check(outputSpecs, into, TrtBackend.NAME);
            onSlot(feeds, List.of(), into, start);
        } finally {
            release();
        }
    }

    private Map<String, Tensor> onSlot(Map<String, Tensor> feeds, List<IoTensor> wanted, Map<String, Tensor> into, long start) {
        ExecutionSlot slot = take();
        try {
            return slot.run(feeds, wanted, into, pool, start, t -> {
                lastTiming = t;
                threadTiming.set(t);
                Consumer<RunTiming> l = timingListener;
                if (l != null) {
                    l.accept(t);
                }
            });
        } finally {
            idle.add(slot);
        }
    }

    /** An idle context, a new one while fewer than maxContexts exist, else waits for one. */
    private ExecutionSlot take() {
        ExecutionSlot slot = idle.poll();
        if (slot != null) {
            return slot;
        }
        synchronized (all) {
            if (all.size() < options.maxContexts()) {
                slot = newSlot(all.size());
                all.add(slot);
                LOG.debug("engine '{}': context {} created", engine.name, all.size() - 1);
                return slot;
            }
        }
        try {
            return idle.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JedgeException(JedgeException.Code.UNAVAILABLE, "interrupted waiting for a free TensorRT context of '"
                    + engine.name + "'", e);
        }
    }

    @Override
    protected String describe() {
        return "TensorRT session for '" + engine.name + "'";
    }

    /** Runs after the last in-flight call: every context's buffers, stream, events and graph, then the pool. */
    @Override
    protected void freeNative() {
        synchronized (all) {
            all.forEach(ExecutionSlot::close);
            all.clear();
            idle.clear();
        }
        pool.close();
    }
}
