package io.jedge.sdk.diffusion;

import io.jedge.sdk.DataType;
import io.jedge.sdk.Tensor;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Latent diffusion, backend-neutral: seeded noise → scheduler loop over a {@link Denoiser} (with
 * classifier-free guidance) → {@link LatentDecoder} → image tensor.
 *
 * <p><b>Two denoisers.</b> With an {@link DenoiserKind#ELFATT_SD} denoiser registered, the first
 * {@link GenerationOptions#elfattSteps()} steps run it and the rest run the vanilla one (ELFATT-SD
 * uses the fast attention for the first 20% of the steps); without one, every step is vanilla.
 *
 * <p><b>Models are opened lazily.</b> The pipeline takes suppliers, calls one when the model is
 * first needed, owns what it returns and closes it as {@link Residency} says: kept open until
 * {@link #close()}, or one model open at a time (the decoder is opened only after the denoising
 * loop, when the denoisers are closed). The latents, model-input and prediction buffers are
 * allocated once per call and reused across steps.
 *
 * <p><b>Threads.</b> Calls are serialised: a second {@code generate} waits for the first. The async
 * variants run on a daemon thread the pipeline owns (or a given executor); cancelling the returned
 * future stops the loop before the next step.
 *
 * <pre>{@code
 * try (LatentDiffusionPipeline p = LatentDiffusionPipeline.builder()
 *         .denoiser(DenoiserKind.VANILLA, () -> openDenoiser("dit.onnx"))
 *         .denoiser(DenoiserKind.ELFATT_SD, () -> openDenoiser("dit-elfatt.onnx"))
 *         .decoder(() -> openDecoder("vae-decoder.onnx"))
 *         .latentScalingFactor(0.18215)
 *         .build()) {
 *     GenerationOptions o = GenerationOptions.builder()
 *             .classLabel(207).nullClass(1000).guidanceScale(4).steps(25).seed(1).build();
 *     GenerationResult r = p.generateAsync(o, pr -> System.out.println(pr.step() + "/" + pr.totalSteps())).join();
 *     r.writePng(0, Path.of("out.png"));
 * }
 * }</pre>
 */
public final class LatentDiffusionPipeline implements AutoCloseable {
    /** Stable Diffusion's (and DiT's sd-vae-ft) latent scaling factor. */
    public static final double SD_LATENT_SCALING_FACTOR = 0.18215;

    private static final Logger LOG = LoggerFactory.getLogger(LatentDiffusionPipeline.class);

    private final Map<DenoiserKind, Supplier<? extends Denoiser>> denoiserSources;
    private final Supplier<? extends LatentDecoder> decoderSource;
    private final NoiseSchedule schedule;
    private final double scalingFactor;
    private final Residency residency;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<DenoiserKind, Denoiser> openDenoisers = new EnumMap<>(DenoiserKind.class);
    private LatentDecoder openDecoder;
    private ExecutorService ownExecutor;
    private volatile boolean closed;

    private LatentDiffusionPipeline(Builder b) {
        this.denoiserSources = new EnumMap<>(b.denoisers);
        this.decoderSource = b.decoder;
        this.schedule = b.schedule;
        this.scalingFactor = b.scalingFactor;
        this.residency = b.residency;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The training noise schedule the schedulers run over. */
    public NoiseSchedule noiseSchedule() {
        return schedule;
    }

    /** Whether an ELFATT-SD denoiser is registered. */
    public boolean hasElfattDenoiser() {
        return denoiserSources.containsKey(DenoiserKind.ELFATT_SD);
    }

    /** Generates without progress reports or cancellation. */
    public GenerationResult generate(GenerationOptions options) {
        return generate(options, null, null);
    }

    /**
     * Generates {@code options.batchSize()} images on the calling thread.
     *
     * @param listener told after every step; may be {@code null}
     * @param cancel   checked before every step and before decoding; may be {@code null}
     * @throws CancellationException if cancelled or the thread is interrupted
     * @throws IllegalStateException if the pipeline is closed, a supplier gives {@code null}, or a
     *                               model returns a tensor of the wrong shape
     */
    public GenerationResult generate(GenerationOptions options, ProgressListener listener, CancellationSignal cancel) {
        Objects.requireNonNull(options, "generation options");
        lock.lock();
        try {
            ensureOpen();
            try {
                return run(options, listener, cancel);
            } finally {
                if (residency == Residency.ONE_AT_A_TIME) {
                    closeModels();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@link #generate} on the pipeline's own generation thread. */
    public CompletableFuture<GenerationResult> generateAsync(GenerationOptions options, ProgressListener listener) {
        Executor ex;
        synchronized (this) {
            ensureOpen();
            if (ownExecutor == null) {
                ownExecutor = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "jedge-diffusion");
                    t.setDaemon(true);
                    return t;
                });
            }
            ex = ownExecutor;
        }
        return generateAsync(options, listener, ex);
    }

    /**
     * {@link #generate} on {@code executor}. Cancelling the future (with or without interruption)
     * stops the generation before its next step.
     */
    public CompletableFuture<GenerationResult> generateAsync(GenerationOptions options, ProgressListener listener,
                                                             Executor executor) {
        Objects.requireNonNull(options, "generation options");
        Objects.requireNonNull(executor, "executor");
        CancellationSignal signal = new CancellationSignal();
        CompletableFuture<GenerationResult> future = new CompletableFuture<>();
        future.whenComplete((r, e) -> {
            if (future.isCancelled()) {
                signal.cancel();
            }
        });
        try {
            executor.execute(() -> {
                if (future.isDone()) {
                    return;
                }
                try {
                    future.complete(generate(options, listener, signal));
                } catch (Throwable t) {
                    future.completeExceptionally(t);
                }
            });
        } catch (RuntimeException e) {
            future.completeExceptionally(e);
        }
        return future;
    }

    private GenerationResult run(GenerationOptions o, ProgressListener listener, CancellationSignal cancel) {
        long start = System.nanoTime();
        Scheduler scheduler = o.scheduler().create(schedule, o.steps());
        long[] timesteps = scheduler.timesteps();
        int steps = timesteps.length;
        int batch = o.batchSize();
        int channels = o.latentChannels();
        int height = o.latentHeight();
        int width = o.latentWidth();
        int perImage = channels * height * width;
        boolean cfg = o.usesGuidance();
        int modelBatch = cfg ? 2 * batch : batch;
        int elfattSteps = hasElfattDenoiser() ? Math.min(o.elfattSteps(), steps) : 0;

        // Each image draws from its own stream of the seed, so an image does not depend on the batch size.
        GaussianNoise[] streams = new GaussianNoise[batch];
        float[] latents = new float[batch * perImage];
        float initSigma = (float) scheduler.initNoiseSigma();
        for (int b = 0; b < batch; b++) {
            streams[b] = GaussianNoise.forStream(o.seed(), b);
            streams[b].fill(latents, b * perImage, perImage);
        }
        for (int i = 0; i < latents.length; i++) {
            latents[i] *= initSigma;
        }
        NoiseSource stepNoise = out -> {
            for (int b = 0; b < batch; b++) {
                streams[b].fill(out, b * perImage, perImage);
            }
        };

        float[] modelInput = new float[modelBatch * perImage];
        float[] prediction = new float[batch * perImage];
        long[] inputShape = {modelBatch, channels, height, width};
        Tensor labels = labels(o, batch, modelBatch);
        long[] timestepLongs = new long[modelBatch];
        float[] timestepFloats = new float[modelBatch];
        int[] kindSteps = new int[DenoiserKind.values().length];

        for (int i = 0; i < steps; i++) {
            checkCancelled(cancel, "before step " + (i + 1) + " of " + steps);
            DenoiserKind kind = i < elfattSteps ? DenoiserKind.ELFATT_SD : DenoiserKind.VANILLA;
            Denoiser denoiser = denoiser(kind);
            float scale = (float) scheduler.modelInputScale(i);
            for (int k = 0; k < latents.length; k++) {
                modelInput[k] = latents[k] * scale;
            }
            if (cfg) {
                System.arraycopy(modelInput, 0, modelInput, latents.length, latents.length);
            }
            Tensor timestepTensor;
            long[] tShape = {modelBatch};
            if (denoiser.timestepType() == DataType.FLOAT32) {
                Arrays.fill(timestepFloats, timesteps[i]);
                timestepTensor = Tensor.ofFloats(tShape, timestepFloats);
            } else {
                Arrays.fill(timestepLongs, timesteps[i]);
                timestepTensor = Tensor.ofLongs(tShape, timestepLongs);
            }
            Tensor out = denoiser.predict(Tensor.ofFloats(inputShape, modelInput), timestepTensor, labels);
            int outChannels = checkPrediction(out, kind, modelBatch, channels, height, width);
            Guidance.combine(out.floats(), outChannels * height * width, perImage, batch, cfg ? o.guidanceScale() : 1.0,
                    cfg, prediction);
            scheduler.step(prediction, i, latents, stepNoise);
            kindSteps[kind.ordinal()]++;
            if (residency == Residency.ONE_AT_A_TIME && i == elfattSteps - 1) {
                closeDenoiser(DenoiserKind.ELFATT_SD);
            }
            if (listener != null || LOG.isDebugEnabled()) {
                long elapsed = System.nanoTime() - start;
                Progress p = new Progress(i + 1, steps, timesteps[i], kind, Duration.ofNanos(elapsed),
                        Duration.ofNanos(elapsed / (i + 1) * (steps - i - 1)));
                LOG.debug("step {}/{} t={} {} elapsed {}", p.step(), steps, p.timestep(), kind, p.elapsed());
                if (listener != null) {
                    listener.onStep(p);
                }
            }
        }

        checkCancelled(cancel, "before decoding");
        if (residency == Residency.ONE_AT_A_TIME) {
            closeDenoiser(DenoiserKind.ELFATT_SD);
            closeDenoiser(DenoiserKind.VANILLA);
        }
        long[] latentShape = {batch, channels, height, width};
        float[] unscaled = new float[latents.length];
        float inv = (float) (1.0 / scalingFactor);
        for (int k = 0; k < latents.length; k++) {
            unscaled[k] = latents[k] * inv;
        }
        LatentDecoder decoder = decoder();
        Tensor image = decoder.decode(Tensor.ofFloats(latentShape, unscaled));
        checkImage(image, batch);
        PixelRange range = Objects.requireNonNull(decoder.outputRange(), "decoder output range");
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        LOG.debug("generated {} image(s) {} in {}", batch, image, elapsed);
        return new GenerationResult(image, range, Tensor.ofFloats(latentShape, latents),
                kindSteps[DenoiserKind.ELFATT_SD.ordinal()], kindSteps[DenoiserKind.VANILLA.ordinal()], elapsed);
    }

    private static Tensor labels(GenerationOptions o, int batch, int modelBatch) {
        Long cond = o.conditionalLabel();
        if (cond == null) {
            return null;
        }
        long[] l = new long[modelBatch];
        Arrays.fill(l, 0, batch, cond);
        if (modelBatch > batch) {
            Arrays.fill(l, batch, modelBatch, o.nullClass());
        }
        return Tensor.ofLongs(new long[] {modelBatch}, l);
    }

    private static int checkPrediction(Tensor out, DenoiserKind kind, int batch, int channels, int height, int width) {
        long[] s = out == null ? null : out.shape();
        if (s == null || out.type() != DataType.FLOAT32 || s.length != 4 || s[0] != batch
                || (s[1] != channels && s[1] != 2L * channels) || s[2] != height || s[3] != width) {
            throw new IllegalStateException(kind + " denoiser output: " + out + ", expected FLOAT32[" + batch + ","
                    + channels + " or " + 2 * channels + "," + height + "," + width + "]");
        }
        return (int) s[1];
    }

    private static void checkImage(Tensor image, int batch) {
        if (image == null || image.type() != DataType.FLOAT32 || image.rank() != 4 || image.dim(0) != batch
                || image.dim(1) != 3) {
            throw new IllegalStateException("decoder output: " + image + ", expected FLOAT32[" + batch + ",3,H,W]");
        }
    }

    private static void checkCancelled(CancellationSignal cancel, String where) {
        if ((cancel != null && cancel.isCancelled()) || Thread.currentThread().isInterrupted()) {
            throw new CancellationException("generation cancelled " + where);
        }
    }

    private Denoiser denoiser(DenoiserKind kind) {
        Denoiser d = openDenoisers.get(kind);
        if (d == null) {
            if (residency == Residency.ONE_AT_A_TIME) {
                closeModels();
            }
            d = denoiserSources.get(kind).get();
            if (d == null) {
                throw new IllegalStateException(kind + " denoiser supplier returned null, expected a Denoiser");
            }
            openDenoisers.put(kind, d);
        }
        return d;
    }

    private LatentDecoder decoder() {
        if (openDecoder == null) {
            LatentDecoder d = decoderSource.get();
            if (d == null) {
                throw new IllegalStateException("decoder supplier returned null, expected a LatentDecoder");
            }
            openDecoder = d;
        }
        return openDecoder;
    }

    private void closeDenoiser(DenoiserKind kind) {
        Denoiser d = openDenoisers.remove(kind);
        if (d != null) {
            closeQuietly(d, kind + " denoiser");
        }
    }

    private void closeModels() {
        for (DenoiserKind k : DenoiserKind.values()) {
            closeDenoiser(k);
        }
        if (openDecoder != null) {
            LatentDecoder d = openDecoder;
            openDecoder = null;
            closeQuietly(d, "decoder");
        }
    }

    private static void closeQuietly(AutoCloseable c, String what) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("closing the {} failed", what, e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("LatentDiffusionPipeline is closed");
        }
    }

    /** Closes the open models and the generation thread; waits for a running generation. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (ownExecutor != null) {
                ownExecutor.shutdown();
            }
        }
        lock.lock();
        try {
            closeModels();
        } finally {
            lock.unlock();
        }
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private final Map<DenoiserKind, Supplier<? extends Denoiser>> denoisers = new EnumMap<>(DenoiserKind.class);
        private Supplier<? extends LatentDecoder> decoder;
        private NoiseSchedule schedule = NoiseSchedule.defaultLinear();
        private double scalingFactor = SD_LATENT_SCALING_FACTOR;
        private Residency residency = Residency.KEEP_LOADED;

        private Builder() {
        }

        /** Registers the denoiser of {@code kind}; {@link DenoiserKind#VANILLA} is required. */
        public Builder denoiser(DenoiserKind kind, Supplier<? extends Denoiser> source) {
            denoisers.put(Objects.requireNonNull(kind, "denoiser kind"), Objects.requireNonNull(source, kind + " denoiser supplier"));
            return this;
        }

        public Builder decoder(Supplier<? extends LatentDecoder> source) {
            this.decoder = Objects.requireNonNull(source, "decoder supplier");
            return this;
        }

        /** The training noise schedule; DiT's linear 1e-4..0.02 over 1000 steps by default. */
        public Builder noiseSchedule(NoiseSchedule schedule) {
            this.schedule = Objects.requireNonNull(schedule, "noise schedule");
            return this;
        }

        /** The latents are divided by this before decoding: SD/DiT VAE 0.18215 (default), TAESD 1.0. */
        public Builder latentScalingFactor(double factor) {
            this.scalingFactor = factor;
            return this;
        }

        public Builder residency(Residency residency) {
            this.residency = Objects.requireNonNull(residency, "residency");
            return this;
        }

        public LatentDiffusionPipeline build() {
            if (!denoisers.containsKey(DenoiserKind.VANILLA)) {
                throw new IllegalStateException("pipeline denoisers: " + denoisers.keySet() + ", expected a VANILLA one");
            }
            if (decoder == null) {
                throw new IllegalStateException("pipeline decoder: none, expected a LatentDecoder supplier");
            }
            if (!(scalingFactor > 0) || Double.isInfinite(scalingFactor)) {
                throw new IllegalArgumentException("latent scaling factor: " + scalingFactor + ", expected a finite value > 0");
            }
            return new LatentDiffusionPipeline(this);
        }
    }
}
