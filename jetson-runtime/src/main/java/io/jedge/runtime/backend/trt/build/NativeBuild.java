package io.jedge.runtime.backend.trt.build;

import io.jedge.sdk.AtomicFiles;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;

import io.jedge.runtime.backend.trt.build.ProfilePlan.InputProfile;
import io.jedge.runtime.backend.trt.build.ProfilePlan.NetworkInput;
import io.jedge.runtime.backend.trt.TrtPlatform;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.bundle.Fingerprint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.global.nvinfer.BuilderFlag;
import org.bytedeco.tensorrt.global.nvinfer.ProfilingVerbosity;
import org.bytedeco.tensorrt.global.nvinfer.MemoryPoolType;
import org.bytedeco.tensorrt.global.nvinfer.NetworkDefinitionCreationFlag;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.global.nvonnxparser;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IBuilder;
import org.bytedeco.tensorrt.nvinfer.IBuilderConfig;
import org.bytedeco.tensorrt.nvinfer.IHostMemory;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IOptimizationProfile;
import org.bytedeco.tensorrt.nvinfer.ITensor;
import org.bytedeco.tensorrt.nvinfer.ITimingCache;
import org.bytedeco.tensorrt.nvonnxparser.IParser;
import org.bytedeco.tensorrt.nvonnxparser.IParserError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native half of {@link TrtEngineBuilder}; only reached once TensorRT has loaded.
 *
 * <p>The 10.6-1.5.11 presets give TensorRT-created objects no deallocator
 * (bytedeco/javacpp-presets#1699), so {@code deallocate()} on them frees nothing today. The
 * builder and its logger are therefore created once and kept; the per-build network, parser,
 * config and plan are released with {@code deallocate()}, which frees them once the presets do.
 * {@code IProgressMonitor} exists in these classes but is not a virtual (Java-overridable)
 * class, so progress is reported as elapsed time.
 */
final class NativeBuild {
    private static final Logger LOG = LoggerFactory.getLogger(TrtEngineBuilder.class);
    private static final Object LOCK = new Object();
    private static BuildLogger logger;
    private static IBuilder builder;
    private static volatile Optional<String> parserReason;

    private NativeBuild() {
    }

    static Optional<String> parserUnavailableReason() {
        Optional<String> r = parserReason;
        if (r == null) {
            try {
                Loader.load(nvonnxparser.class);
                r = Optional.empty();
            } catch (Throwable t) {
                r = Optional.of("TensorRT unavailable: the TensorRT ONNX parser (libnvonnxparser.so.10) could not load ("
                        + String.valueOf(t.getMessage()).replaceAll("\\s+", " ") + "); it ships with TensorRT "
                        + "(on Jetson: apt install nvidia-tensorrt)");
            }
            parserReason = r;
        }
        return r;
    }

    static EnginePlan build(Path onnx, TrtBuildOptions options, Consumer<String> progress) {
        String model = onnx.getFileName().toString();
        String onnxSha = sha256(onnx);
        synchronized (LOCK) {
            Cuda.check(cudaSetDevice(options.device()), "cudaSetDevice(" + options.device() + ")");
            TrtPlatform platform = TrtPlatform.current(options.device());
            IBuilder b = builder();
            logger.begin();
            INetworkDefinition network = null;
            IParser parser = null;
            IBuilderConfig config = null;
            try (PointerScope scope = new PointerScope()) {
                long t0 = System.nanoTime();
                network = b.createNetworkV2(1 << NetworkDefinitionCreationFlag.kSTRONGLY_TYPED.value);
                parser = nvonnxparser.createParser(network, logger);
                // From the file, so that external-data weights next to the model are found.
                if (!parser.parseFromFile(onnx.toAbsolutePath().toString(), ILogger.Severity.kWARNING.value)) {
                    List<ParserIssue> issues = new ArrayList<>();
                    for (int i = 0; i < parser.getNbErrors(); i++) {
                        IParserError e = parser.getError(i);
                        issues.add(new ParserIssue(e.node(), e.nodeName(), e.nodeOperator(), e.code().intern().name(), e.desc()));
                    }
                    throw new TrtBuildException(TrtBuildException.Stage.PARSE, ParserIssue.message(model, issues),
                            issues.stream().map(ParserIssue::describe).toList());
                }
                Duration parseTime = Duration.ofNanos(System.nanoTime() - t0);
                List<NetworkInput> inputs = new ArrayList<>();
                List<String> inputText = new ArrayList<>();
                for (int i = 0; i < network.getNbInputs(); i++) {
                    ITensor t = network.getInput(i);
                    long[] d = dims(t.getDimensions());
                    inputs.add(new NetworkInput(t.getName(), d));
                    inputText.add(t.getName() + ProfilePlan.text(d) + " " + t.getType().intern().name());
                }
                List<String> outputText = new ArrayList<>();
                for (int i = 0; i < network.getNbOutputs(); i++) {
                    ITensor t = network.getOutput(i);
                    outputText.add(t.getName() + ProfilePlan.text(dims(t.getDimensions())) + " " + t.getType().intern().name());
                }
                List<InputProfile> profile = ProfilePlan.plan(model, inputs, options);
                LOG.info("{}: parsed {} layers in {} ms; inputs {}, outputs {}", model, network.getNbLayers(),
                        parseTime.toMillis(), inputText, outputText);

                config = b.createBuilderConfig();
                config.setMemoryPoolLimit(MemoryPoolType.kWORKSPACE, options.workspaceMiB() << 20);
                config.setBuilderOptimizationLevel(options.optimizationLevel());
                if (options.detailedLayers()) {
                    config.setProfilingVerbosity(ProfilingVerbosity.kDETAILED);
                }
                if (options.tf32()) {
                    config.setFlag(BuilderFlag.kTF32);
                } else {
                    config.clearFlag(BuilderFlag.kTF32);
                }
                if (!profile.isEmpty()) {
                    IOptimizationProfile p = b.createOptimizationProfile();
                    for (InputProfile ip : profile) {
                        boolean ok = p.setDimensions(ip.name(), OptProfileSelector.kMIN, toDims(ip.min()))
                                && p.setDimensions(ip.name(), OptProfileSelector.kOPT, toDims(ip.opt()))
                                && p.setDimensions(ip.name(), OptProfileSelector.kMAX, toDims(ip.max()));
                        if (!ok) {
                            throw new TrtBuildException(TrtBuildException.Stage.CONFIGURE, model + ": TensorRT refused the "
                                    + "profile " + ProfilePlan.text(ip.min()) + ".." + ProfilePlan.text(ip.max()) + " for input '"
                                    + ip.name() + "'", logger.errors());
                        }
                    }
                    if (config.addOptimizationProfile(p) < 0) {
                        throw new TrtBuildException(TrtBuildException.Stage.CONFIGURE, model + ": TensorRT refused the "
                                + "optimization profile for batch " + options.batchSpec(), logger.errors());
                    }
                }
                boolean cacheHit = attachTimingCache(config, options.timingCache());

                LOG.info("{}: building a strongly typed engine, batch {}, workspace {} MiB, TF32 {}, level {}", model,
                        options.batchSpec(), options.workspaceMiB(), options.tf32() ? "on" : "off", options.optimizationLevel());
                long t1 = System.nanoTime();
                IHostMemory plan;
                ScheduledExecutorService ticker = startTicker(model, t1, options.progressInterval(), progress);
                try {
                    plan = b.buildSerializedNetwork(network, config);
                } finally {
                    ticker.shutdownNow();
                }
                Duration buildTime = Duration.ofNanos(System.nanoTime() - t1);
                if (plan == null || plan.isNull() || plan.size() == 0) {
                    List<String> errors = logger.errors();
                    throw new TrtBuildException(TrtBuildException.Stage.BUILD, "TensorRT could not build an engine from "
                            + model + (errors.isEmpty() ? " (no error was logged)" : ": " + String.join("; ", errors)), errors);
                }
                byte[] bytes = copy(plan, model);
                plan.deallocate();
                saveTimingCache(config, options.timingCache());
                LOG.info("{}: engine built in {} s, {} bytes", model, String.format(java.util.Locale.ROOT, "%.1f",
                        buildTime.toMillis() / 1000.0), bytes.length);

                Map<String, String> buildOptions = new java.util.LinkedHashMap<>(options.asFingerprintOptions());
                buildOptions.put("onnxSha256", onnxSha);
                buildOptions.put("onnxParser", TrtPlatform.tensorRtVersion(nvonnxparser.getNvOnnxParserVersion()));
                Fingerprint fp = platform.toFingerprint(options.l4t(), options.jetpack(), buildOptions);
                return new EnginePlan(bytes, fp, parseTime, buildTime, network.getNbLayers(), inputText, outputText, cacheHit,
                        logger.warnings());
            } finally {
                release(parser, config, network); // parser first: it refers to the network
            }
        }
    }

    private static IBuilder builder() {
        if (builder == null) {
            logger = new BuildLogger();
            long t = System.nanoTime();
            IBuilder b = nvinfer.createInferBuilder(logger);
            if (b == null || b.isNull()) {
                throw new JedgeException(JedgeException.Code.BACKEND_UNAVAILABLE,
                        "createInferBuilder returned null: " + String.join("; ", logger.errors()));
            }
            builder = b;
            LOG.info("TensorRT builder created in {} ms", (System.nanoTime() - t) / 1_000_000);
        }
        return builder;
    }

    /** Loads the cache file if there is one; true when it was accepted. */
    private static boolean attachTimingCache(IBuilderConfig config, Path file) {
        if (file == null) {
            return false;
        }
        byte[] saved = null;
        if (Files.isRegularFile(file)) {
            try {
                saved = Files.readAllBytes(file);
            } catch (IOException e) {
                LOG.warn("timing cache {} cannot be read ({}); starting an empty one", file, e.getMessage());
            }
        }
        if (saved != null && saved.length > 0) {
            ITimingCache cache;
            try (BytePointer blob = new BytePointer(saved)) {
                cache = config.createTimingCache(blob, saved.length);
            }
            if (cache != null && !cache.isNull() && config.setTimingCache(cache, false)) {
                LOG.info("timing cache {} loaded ({} bytes)", file, saved.length);
                return true;
            }
            LOG.warn("timing cache {} was made for another GPU or TensorRT version; starting an empty one", file);
        }
        ITimingCache empty = config.createTimingCache((Pointer) null, 0);
        if (empty == null || empty.isNull() || !config.setTimingCache(empty, false)) {
            LOG.warn("TensorRT refused an empty timing cache; building without one");
        }
        return false;
    }

    private static void saveTimingCache(IBuilderConfig config, Path file) {
        if (file == null) {
            return;
        }
        ITimingCache cache = config.getTimingCache();
        if (cache == null || cache.isNull()) {
            return;
        }
        IHostMemory mem = cache.serialize();
        if (mem == null || mem.isNull()) {
            LOG.warn("timing cache could not be serialized; {} is unchanged", file);
            return;
        }
        try {
            byte[] bytes = copy(mem, "timing cache");
            AtomicFiles.write(file, bytes);
            LOG.info("timing cache saved to {} ({} bytes)", file, bytes.length);
        } catch (IOException e) {
            LOG.warn("timing cache could not be written to {}: {}", file, e.getMessage());
        } finally {
            mem.deallocate();
        }
    }

    private static ScheduledExecutorService startTicker(String model, long start, Duration every, Consumer<String> progress) {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trt-build-progress");
            t.setDaemon(true);
            return t;
        });
        long ms = every.toMillis();
        s.scheduleAtFixedRate(() -> {
            String line = model + ": building engine, " + (System.nanoTime() - start) / 1_000_000_000L + " s elapsed";
            LOG.info("{}", line);
            try {
                progress.accept(line);
            } catch (RuntimeException e) {
                LOG.debug("progress listener failed", e);
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
        return s;
    }

    private static byte[] copy(IHostMemory mem, String what) {
        long size = mem.size();
        if (size > Integer.MAX_VALUE - 16) {
            throw new TrtBuildException(TrtBuildException.Stage.BUILD, what + ": " + size + " bytes, more than a Java array holds",
                    List.of());
        }
        byte[] out = new byte[(int) size];
        new BytePointer(mem.data()).capacity(size).get(out);
        return out;
    }

    private static void release(Pointer... pointers) {
        for (Pointer p : pointers) {
            if (p != null && !p.isNull()) {
                p.deallocate();
            }
        }
    }

    static long[] dims(Dims64 d) {
        long[] out = new long[d.nbDims()];
        for (int i = 0; i < out.length; i++) {
            out[i] = d.d(i);
        }
        return out;
    }

    private static Dims64 toDims(long[] v) {
        Dims64 d = new Dims64(); // attached to the caller's PointerScope
        d.nbDims(v.length);
        for (int i = 0; i < v.length; i++) {
            d.d(i, v[i]);
        }
        return d;
    }

    private static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new JedgeException(JedgeException.Code.MODEL_LOAD_FAILED, "cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** CUDA status check, like the runtime's. */
    static final class Cuda {
        private Cuda() {
        }

        static void check(int status, String what) {
            if (status != 0) {
                throw new JedgeException(JedgeException.Code.RUN_FAILED, what + " failed: CUDA error " + status + " ("
                        + org.bytedeco.cuda.global.cudart.cudaGetErrorString(status).getString() + ")");
            }
        }
    }
}
