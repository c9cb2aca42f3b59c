package io.jedge.runtime.backend.trt;

import io.jedge.sdk.DataType;
import static org.bytedeco.cuda.global.cudart.cudaEventCreate;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventElapsedTime;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaEventSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaGraphDestroy;
import static org.bytedeco.cuda.global.cudart.cudaGraphExecDestroy;
import static org.bytedeco.cuda.global.cudart.cudaGraphInstantiate;
import static org.bytedeco.cuda.global.cudart.cudaGraphLaunch;
import static org.bytedeco.cuda.global.cudart.cudaHostAlloc;
import static org.bytedeco.cuda.global.cudart.cudaHostAllocMapped;
import static org.bytedeco.cuda.global.cudart.cudaHostGetDevicePointer;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMallocHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDefault;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamBeginCapture;
import static org.bytedeco.cuda.global.cudart.cudaStreamCaptureModeThreadLocal;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamEndCapture;
import static org.bytedeco.cuda.global.cudart.cudaStreamNonBlocking;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import io.jedge.runtime.backend.NativeResource;
import io.jedge.runtime.backend.OutputChecks;
import io.jedge.runtime.backend.Staging;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUgraphExec_st;
import org.bytedeco.cuda.cudart.CUgraph_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.tensorrt.global.nvinfer.ExecutionContextAllocationStrategy;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

/**
 * One execution context with everything it runs on: a CUDA stream, four timing events, the
 * context's activation memory (user-managed, so jedge can free it), one buffer per IO tensor sized
 * for the profile's largest shape and, with CUDA graphs, the captured graph. Used by one thread at a
 * time (the session's pool guarantees it). Closing frees every CUDA resource it owns, in reverse
 * order of creation, after the call in flight ({@link NativeResource}).
 *
 * <p>Each IO tensor of a call takes the {@link IoPath} the policy gives it: pooled mapped memory is
 * bound as the tensor's address, pooled pinned memory is copied by DMA, other direct memory is copied
 * by CUDA from pageable memory, heap tensors are staged into this slot's own buffers.
 */
final class ExecutionSlot extends NativeResource {
    private final NativeEngine engine;
    private final int index;
    private final boolean mapped;
    private final boolean graphs;
    private final IExecutionContext context;
    private final List<AutoCloseable> owned = new ArrayList<>(); // in creation order
    private final CUstream_st stream = new CUstream_st();
    private final CUevent_st[] events = new CUevent_st[4];
    private final Map<String, IoBuffer> buffers = new LinkedHashMap<>();
    private final Map<String, Long> bound = new HashMap<>(); // address TensorRT holds per IO tensor
    private final Map<String, long[]> shapes = new HashMap<>(); // input shape TensorRT holds per input
    private final Map<String, long[]> outputShapes = new HashMap<>(); // output shapes for those input shapes
    private final List<IoTensor> outputs = new ArrayList<>();
    private final Dims64 dims = new Dims64();
    private final float[] millis = new float[1];
    private CUgraphExec_st graph; // instantiated on the second call (TensorRT wants one plain enqueue first)
    private int calls;

    /**
     * @param mapped use mapped (zero-copy) host memory as the tensors' addresses, for integrated GPUs
     * @param graphs capture the engine's work as a CUDA graph (fixed shapes only; the session checked)
     */
    ExecutionSlot(NativeEngine engine, int index, boolean mapped, boolean graphs) {
        this.engine = engine;
        this.index = index;
        this.mapped = mapped;
        this.graphs = graphs;
        boolean ok = false;
        try {
            Cuda.check(cudaSetDevice(engine.device), "cudaSetDevice(" + engine.device + ")");
            Cuda.check(cudaStreamCreateWithFlags(stream, cudaStreamNonBlocking), what("cudaStreamCreate"));
            owned.add(() -> cudaStreamDestroy(stream));
            for (int i = 0; i < events.length; i++) {
                CUevent_st ev = new CUevent_st();
                Cuda.check(cudaEventCreate(ev), what("cudaEventCreate"));
                events[i] = ev;
                owned.add(() -> cudaEventDestroy(ev));
            }
            RuntimeLogger log = NativeEngine.logger();
            log.begin();
            context = engine.engine.createExecutionContext(ExecutionContextAllocationStrategy.kUSER_MANAGED);
            if (context == null || context.isNull()) {
                throw new JedgeException(JedgeException.Code.RUN_FAILED, what("createExecutionContext") + " returned null: "
                        + log.errors());
            }
            // The context object itself cannot be deleted from Java (see NativeEngine); its activation
            // memory is the large part, and that is ours.
            if (engine.contextMemoryBytes > 0) {
                Pointer mem = deviceAlloc(engine.contextMemoryBytes, "context memory");
                context.setDeviceMemoryV2(mem, engine.contextMemoryBytes);
            }
            for (IoTensor in : engine.inputs) {
                setShape(in.name(), in.max());
                buffers.put(in.name(), allocate(in.name(), in.type(), in.maxBytes()));
            }
            try (PointerScope scope = new PointerScope()) {
                for (IoTensor out : engine.outputs) {
                    long[] max = NativeEngine.dims(context.getTensorShape(out.name()));
                    if (NativeEngine.isDynamic(max)) {
                        throw new JedgeException(JedgeException.Code.MODEL_LOAD_FAILED, "engine '" + engine.name + "': output '"
                                + out.name() + "' has a data-dependent shape " + Arrays.toString(max)
                                + ", which jedge does not support");
                    }
                    IoTensor sized = new IoTensor(out.name(), false, out.type(), out.shape(), max, max);
                    outputs.add(sized);
                    buffers.put(out.name(), allocate(out.name(), out.type(), sized.maxBytes()));
                }
            }
            for (IoBuffer b : buffers.values()) {
                bind(b.name, b.device.address());
            }
            owned.add(this::destroyGraph);
            ok = true;
        } finally {
            if (!ok) {
                freeNative();
            }
        }
    }

    /** Outputs with their largest shapes, as sized by this context. */
    List<IoTensor> outputs() {
        return outputs;
    }

    /**
     * Runs one call; inputs and {@code into} were validated by the session.
     *
     * @param into caller-owned direct outputs to write (null: return heap tensors for {@code wanted})
     */
    Map<String, Tensor> run(Map<String, Tensor> feeds, List<IoTensor> wanted, Map<String, Tensor> into, HostMemoryPool pool,
            long startNanos, Consumer<RunTiming> timing) {
        acquire();
        try {
            return runAcquired(feeds, wanted, into, pool, startNanos, timing);
        } finally {
            release();
        }
    }

    private record Copy(long dst, long src, long bytes, String what) {
    }

    private Map<String, Tensor> runAcquired(Map<String, Tensor> feeds, List<IoTensor> wanted, Map<String, Tensor> into,
            HostMemoryPool pool, long startNanos, Consumer<RunTiming> timing) {
        RuntimeLogger log = NativeEngine.logger();
        log.begin();
        Cuda.check(cudaSetDevice(engine.device), "cudaSetDevice(" + engine.device + ")");
        boolean fixed = graphs;
        try (PointerScope scope = new PointerScope()) {
            long batch = -1;
            List<Copy> h2d = new ArrayList<>();
            List<Copy> d2h = new ArrayList<>();
            for (IoTensor in : engine.inputs) {
                Tensor t = feeds.get(in.name());
                if (batch < 0 && t.rank() > 0) {
                    batch = t.dim(0);
                }
                if (!graphs) { // with graphs the shapes are fixed and were set when the slot was made
                    setShape(in.name(), t.shape());
                }
                IoBuffer own = buffers.get(in.name());
                Optional<HostMemoryPool.Address> at = pool.find(t);
                long bytes = t.byteSize();
                boolean converted = IoValidation.converts(in.type(), t);
                switch (IoPath.choose(mapped, t.isDirect(), at.isPresent(), !t.isDirect() || converted, fixed)) {
                    case BIND -> bind(in.name(), at.get().device());
                    case DMA -> {
                        bind(in.name(), own.device.address());
                        h2d.add(new Copy(own.device.address(), at.get().host(), bytes, in.name()));
                    }
                    case PAGEABLE -> {
                        bind(in.name(), own.device.address());
                        h2d.add(new Copy(own.device.address(), new BytePointer(t.buffer()).address(), bytes, in.name()));
                    }
                    case STAGE -> {
                        bind(in.name(), own.device.address());
                        own.write(t);
                        if (!mapped) {
                            h2d.add(new Copy(own.device.address(), own.host.address(),
                                    (long) t.elementCount() * in.type().bytes(), in.name()));
                        }
                    }
                }
            }
            Map<String, long[]> outShapes = new LinkedHashMap<>();
            List<IoTensor> produce = into == null ? wanted : outputs.stream().filter(o -> into.containsKey(o.name())).toList();
            for (IoTensor out : produce) {
                long[] shape = outputShapes.computeIfAbsent(out.name(), n -> NativeEngine.dims(context.getTensorShape(n))).clone();
                long bytes = Tensor.elementCount(shape) * out.type().bytes();
                IoBuffer own = buffers.get(out.name());
                if (bytes > own.bytes) {
                    throw new JedgeException(JedgeException.Code.RUN_FAILED, "engine '" + engine.name + "': output '"
                            + out.name() + "' needs " + bytes + " bytes for shape " + Arrays.toString(shape)
                            + ", more than the " + own.bytes + " sized for the profile maximum");
                }
                Tensor dst = into == null ? null : into.get(out.name());
                if (dst == null && bytes > Staging.MAX_VIEW_BYTES) {
                    // refused before anything runs: a returned output is read through one direct view of the host buffer
                    throw new JedgeException(JedgeException.Code.RUN_FAILED, "engine '" + engine.name + "': output '"
                            + out.name() + "' needs " + bytes + " bytes for shape " + Arrays.toString(shape) + ", more than the "
                            + Staging.MAX_VIEW_BYTES + " one returned tensor can be read from; pass a smaller batch, or a direct"
                            + " tensor of your own through runInto");
                }
                outShapes.put(out.name(), shape);
                if (dst == null) {
                    bind(out.name(), own.device.address());
                    if (!mapped) {
                        d2h.add(new Copy(own.host.address(), own.device.address(), bytes, out.name()));
                    }
                    continue;
                }
                OutputChecks.checkShape(out.name(), dst, shape);
                Optional<HostMemoryPool.Address> at = pool.find(dst);
                switch (IoPath.choose(mapped, true, at.isPresent(), false, fixed)) {
                    case BIND -> bind(out.name(), at.get().device());
                    case DMA -> {
                        bind(out.name(), own.device.address());
                        d2h.add(new Copy(at.get().host(), own.device.address(), bytes, out.name()));
                    }
                    default -> {
                        bind(out.name(), own.device.address());
                        d2h.add(new Copy(new BytePointer(dst.buffer()).address(), own.device.address(), bytes, out.name()));
                    }
                }
            }
            // outputs not asked for still need a valid address: this slot's own buffers
            for (IoTensor out : outputs) {
                if (!outShapes.containsKey(out.name())) {
                    bind(out.name(), buffers.get(out.name()).device.address());
                }
            }
            record(0);
            copy(h2d, "H2D");
            record(1);
            compute(log);
            record(2);
            copy(d2h, "D2H");
            record(3);
            Cuda.check(cudaEventSynchronize(events[3]), what("cudaEventSynchronize"));
            calls++;
            Map<String, Tensor> result = new LinkedHashMap<>();
            for (IoTensor out : produce) {
                result.put(out.name(), into != null ? into.get(out.name())
                        : buffers.get(out.name()).read(outShapes.get(out.name())));
            }
            if (timing != null) {
                timing.accept(new RunTiming(System.nanoTime() - startNanos, elapsed(0, 1), elapsed(1, 2), elapsed(2, 3), batch));
            }
            return result;
        }
    }

    private void copy(List<Copy> copies, String direction) {
        for (Copy c : copies) {
            // cudaMemcpyDefault: unified addressing tells pinned, mapped, pageable and device memory apart
            Cuda.check(cudaMemcpyAsync(Addresses.at(c.dst()), Addresses.at(c.src()), c.bytes(), cudaMemcpyDefault, stream),
                    what("cudaMemcpyAsync(" + direction + " '" + c.what() + "')"));
        }
    }

    private void compute(RuntimeLogger log) {
        if (graphs && calls > 0) {
            if (graph == null) {
                capture(log);
            }
            Cuda.check(cudaGraphLaunch(graph, stream), what("cudaGraphLaunch"));
            return;
        }
        if (!context.enqueueV3(stream)) {
            cudaStreamSynchronize(stream);
            throw new JedgeException(JedgeException.Code.RUN_FAILED, "engine '" + engine.name + "': enqueueV3 failed"
                    + (log.errors().isEmpty() ? "" : ": " + log.errors()));
        }
    }

    private CUgraph_st captured;

    private void capture(RuntimeLogger log) {
        Cuda.check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), what("cudaStreamBeginCapture"));
        boolean enqueued = context.enqueueV3(stream);
        CUgraph_st g = new CUgraph_st();
        int end = cudaStreamEndCapture(stream, g); // always end the capture, even after a failed enqueue
        if (!enqueued || end != 0) {
            if (!g.isNull()) {
                cudaGraphDestroy(g);
            }
            throw new JedgeException(JedgeException.Code.RUN_FAILED, "engine '" + engine.name + "': CUDA graph capture failed"
                    + (end != 0 ? " (" + Cuda.describe(end) + ")" : "") + (log.errors().isEmpty() ? "" : ": " + log.errors())
                    + "; run without CUDA graphs (TrtSessionOptions.cudaGraphs(false))");
        }
        captured = g;
        CUgraphExec_st exec = new CUgraphExec_st();
        Cuda.check(cudaGraphInstantiate(exec, g, 0L), what("cudaGraphInstantiate"));
        graph = exec;
    }

    private void destroyGraph() {
        if (graph != null) {
            cudaGraphExecDestroy(graph);
            graph = null;
        }
        if (captured != null) {
            cudaGraphDestroy(captured);
            captured = null;
        }
    }

    /** Points TensorRT at {@code address} for tensor {@code name}, only when it changed. */
    private void bind(String name, long address) {
        Long now = bound.get(name);
        if (now != null && now == address) {
            return;
        }
        if (!context.setTensorAddress(name, Addresses.at(address))) {
            throw new JedgeException(JedgeException.Code.RUN_FAILED, what("setTensorAddress('" + name + "')")
                    + " failed: " + NativeEngine.logger().errors());
        }
        bound.put(name, address);
    }

    private void record(int i) {
        Cuda.check(cudaEventRecord(events[i], stream), what("cudaEventRecord"));
    }

    private double elapsed(int from, int to) {
        Cuda.check(cudaEventElapsedTime(millis, events[from], events[to]), what("cudaEventElapsedTime"));
        return millis[0];
    }

    /** Sets an input's shape, only when it changed: the JNI call and TensorRT's shape inference cost a few µs per call. */
    private void setShape(String name, long[] shape) {
        if (Arrays.equals(shapes.get(name), shape)) {
            return;
        }
        outputShapes.clear(); // output shapes follow the inputs: query them again
        dims.nbDims(shape.length);
        for (int i = 0; i < shape.length; i++) {
            dims.d(i, shape[i]);
        }
        if (!context.setInputShape(name, dims)) {
            throw new JedgeException(JedgeException.Code.RUN_FAILED, "engine '" + engine.name + "': setInputShape('" + name
                    + "', " + Arrays.toString(shape) + ") failed: " + NativeEngine.logger().errors());
        }
        shapes.put(name, shape.clone());
    }

    private Pointer deviceAlloc(long bytes, String what) {
        Pointer p = new Pointer();
        int err = cudaMalloc(p, bytes);
        if (err != 0) {
            throw new JedgeException(JedgeException.Code.RUN_FAILED, "engine '" + engine.name + "', context " + index
                    + ": cannot allocate " + bytes + " bytes of GPU memory for " + what + ": " + Cuda.describe(err)
                    + "; use fewer contexts (TrtSessionOptions.maxContexts) or a smaller batch profile");
        }
        owned.add(() -> cudaFree(p));
        return p;
    }

    private IoBuffer allocate(String name, DataType type, long bytes) {
        long size = Math.max(bytes, 256); // TensorRT wants a valid address even for empty tensors
        Pointer host = new Pointer();
        Pointer device;
        if (mapped) {
            Cuda.check(cudaHostAlloc(host, size, cudaHostAllocMapped), what("cudaHostAlloc(mapped '" + name + "')"));
            owned.add(() -> cudaFreeHost(host));
            device = new Pointer();
            Cuda.check(cudaHostGetDevicePointer(device, host, 0), what("cudaHostGetDevicePointer('" + name + "')"));
        } else {
            Cuda.check(cudaMallocHost(host, size), what("cudaMallocHost('" + name + "')"));
            owned.add(() -> cudaFreeHost(host));
            device = deviceAlloc(size, "tensor '" + name + "'");
        }
        return new IoBuffer(name, type, size, host, device);
    }

    private String what(String call) {
        return "engine '" + engine.name + "', context " + index + ": " + call;
    }

    @Override
    protected String describe() {
        return "TensorRT context " + index + " of engine '" + engine.name + "'";
    }

    @Override
    protected void freeNative() {
        if (!stream.isNull()) {
            cudaStreamSynchronize(stream); // nothing may still read the buffers we are about to free
        }
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                // keep freeing the rest; CUDA calls here only return status codes
            }
        }
        owned.clear();
        dims.close();
    }

    /** A host buffer (pinned or mapped) and the device address TensorRT reads or writes. */
    private static final class IoBuffer {
        final String name;
        final long bytes;
        final Pointer host;
        final Pointer device;
        private final DataType type;
        private final ByteBuffer staging; // native-order view of host, capped at what one buffer addresses

        IoBuffer(String name, DataType type, long bytes, Pointer host, Pointer device) {
            this.name = name;
            this.type = type;
            this.bytes = bytes;
            this.host = host;
            this.device = device;
            long view = Math.min(bytes, Staging.MAX_VIEW_BYTES);
            this.staging = new BytePointer(host).capacity(view).limit(view).asByteBuffer();
        }

        /** Converts a heap tensor, or a direct one of another type (float32 for float16, int64 for int32), into this buffer. */
        void write(Tensor t) {
            Staging.write(name, type, t, staging);
        }

        Tensor read(long[] shape) {
            return Staging.read(name, type, shape, staging);
        }
    }
}
