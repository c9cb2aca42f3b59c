package io.jedge.runtime.backend.trt;

import io.jedge.runtime.backend.Backend;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.bundle.Fingerprint;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.bundle.VariantFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs serialized TensorRT engines ({@link VariantFormat#TENSORRT_ENGINE}). Found through
 * {@link java.util.ServiceLoader}; constructing it loads nothing. TensorRT and CUDA are loaded
 * the first time {@link #unavailableReason()} or an {@code open} method is called, once per
 * process; where they are missing every {@code open} fails with {@code BACKEND_UNAVAILABLE} and
 * the same one-line reason.
 *
 * <p>On Jetson, run against JetPack's TensorRT and CUDA with the presets' {@code linux-arm64}
 * jars and {@code -Dorg.bytedeco.javacpp.platform.linkpath=/usr/lib/aarch64-linux-gnu:/usr/local/cuda/lib64}.
 */
public final class TrtBackend implements Backend {
    public static final String NAME = "tensorrt";
    private static final Logger LOG = LoggerFactory.getLogger(TrtBackend.class);

    private final Supplier<TrtAvailability.Result> probe;
    private volatile TrtAvailability.Result availability;

    public TrtBackend() {
        this(TrtAvailability::processWide);
    }

    TrtBackend(Supplier<TrtAvailability.Result> probe) {
        this.probe = probe;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean supports(VariantFormat format) {
        return format == VariantFormat.TENSORRT_ENGINE;
    }

    @Override
    public Optional<String> unavailableReason() {
        TrtAvailability.Result r = availability();
        return r.available() ? Optional.empty() : Optional.of(TrtAvailability.reason(r, TrtAvailability.isJetson()));
    }

    private TrtAvailability.Result availability() {
        TrtAvailability.Result r = availability;
        if (r == null) {
            r = probe.get();
            availability = r;
        }
        return r;
    }

    /**
     * Opens an engine without a recorded fingerprint: TensorRT's own version check is the only one
     * (a refused plan fails with {@code ENGINE_MISMATCH}). The CPU-thread and graph-optimisation
     * settings of {@link SessionOptions} do not apply to TensorRT; its defaults are used, with {@code cudaGraphs} as given.
     */
    @Override
    public InferenceSession open(Path file, SessionOptions options) {
        return openEngine(file, null, TrtSessionOptions.builder().cudaGraphs(options.cudaGraphs()).build());
    }

    @Override
    public InferenceSession open(Path file, Variant variant, SessionOptions options) {
        return openEngine(file, variant.builtFor(), TrtSessionOptions.builder().cudaGraphs(options.cudaGraphs()).build());
    }

    /** Opens an engine variant of a bundle, checking it against the platform it was built for. */
    public TrtInferenceSession openVariant(Path bundleDir, Variant variant, TrtSessionOptions options) {
        Objects.requireNonNull(variant, "variant");
        if (variant.format() != VariantFormat.TENSORRT_ENGINE) {
            throw new IllegalArgumentException("variant '" + variant.id() + "': format " + variant.format().id()
                    + ", expected " + VariantFormat.TENSORRT_ENGINE.id());
        }
        return openEngine(bundleDir.resolve(variant.file()), variant.builtFor(), options);
    }

    /**
     * Opens a serialized engine. When {@code builtFor} is given and not portable it is compared
     * with this platform first, and a blocking difference (or any, with
     * {@link TrtSessionOptions#strictDeviceMatch()}) fails with {@code ENGINE_MISMATCH} before the
     * engine is deserialized.
     *
     * @throws JedgeException {@code BACKEND_UNAVAILABLE}, {@code MODEL_LOAD_FAILED} or {@code ENGINE_MISMATCH}
     */
    public TrtInferenceSession openEngine(Path file, Fingerprint builtFor, TrtSessionOptions options) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        TrtAvailability.Result r = availability();
        if (!r.available()) {
            throw new JedgeException(JedgeException.Code.BACKEND_UNAVAILABLE, "cannot open TensorRT engine "
                    + file.getFileName() + ": " + TrtAvailability.reason(r, TrtAvailability.isJetson()));
        }
        if (!Files.isRegularFile(file)) {
            throw new JedgeException(JedgeException.Code.MODEL_LOAD_FAILED, "engine file " + file + " does not exist");
        }
        String name = file.getFileName().toString();
        TrtPlatform here = NativePlatform.query(options.device());
        EngineCompatibility compatibility = null;
        if (builtFor != null && !builtFor.isPortable()) {
            compatibility = EngineCompatibility.check(name, builtFor, here, null, null);
            if (!compatibility.compatible(options.strictDeviceMatch())) {
                throw new JedgeException(JedgeException.Code.ENGINE_MISMATCH, compatibility.message());
            }
            if (!compatibility.differences().isEmpty()) {
                LOG.warn("{}", compatibility.message());
            }
        }
        byte[] plan;
        try {
            plan = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new JedgeException(JedgeException.Code.MODEL_LOAD_FAILED, "cannot read engine file " + file + ": "
                    + e.getMessage(), e);
        }
        NativeEngine engine = NativeEngine.load(name, plan, options.device());
        return new TrtInferenceSession(engine, here, options, compatibility);
    }

    /** This machine's TensorRT platform (loads natives). */
    public TrtPlatform platform(int device) {
        TrtAvailability.Result r = availability();
        if (!r.available()) {
            throw new JedgeException(JedgeException.Code.BACKEND_UNAVAILABLE, TrtAvailability.reason(r, TrtAvailability.isJetson()));
        }
        return NativePlatform.query(device);
    }
}
