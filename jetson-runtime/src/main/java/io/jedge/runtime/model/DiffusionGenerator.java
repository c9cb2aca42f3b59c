package io.jedge.runtime.model;

import io.jedge.runtime.backend.Backends;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.selection.DeviceContext;
import io.jedge.runtime.selection.NoVariantException;
import io.jedge.runtime.selection.SelectionRequest;
import io.jedge.runtime.selection.VariantSelector;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.Selection;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.BundleManifest;
import io.jedge.sdk.bundle.Role;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.diffusion.DenoiserKind;
import io.jedge.sdk.diffusion.GenerationDefaults;
import io.jedge.sdk.diffusion.GenerationOptions;
import io.jedge.sdk.diffusion.GenerationResult;
import io.jedge.sdk.diffusion.ImageGenerator;
import io.jedge.sdk.diffusion.LatentDiffusionPipeline;
import io.jedge.sdk.diffusion.ProgressListener;
import io.jedge.sdk.diffusion.Residency;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's {@link ImageGenerator}: selects the vanilla and (where present and admissible) one
 * training-free denoiser variant (ELFATT-SD, ToMe or ELFATT-SD+ToMe, run as {@link DenoiserKind#ELFATT_SD}) and the decoder variant for the device, reads the bundle's
 * {@link GenerationDefaults}, and runs a {@link LatentDiffusionPipeline} whose model suppliers open
 * the chosen variants on their backends when first needed.
 *
 * <p>Residency: one model at a time on a Jetson (unified memory shared with everything else) or
 * where MemAvailable is below three times the chosen files' size; all kept loaded otherwise.
 */
public final class DiffusionGenerator implements ImageGenerator {
    private static final Logger LOG = LoggerFactory.getLogger(DiffusionGenerator.class);

    private final Bundle bundle;
    private final GenerationDefaults defaults;
    private final List<Selection> selections;
    private final Residency residency;
    private final LatentDiffusionPipeline pipeline;
    private final boolean elfatt;

    private DiffusionGenerator(Bundle bundle, GenerationDefaults defaults, List<Selection> selections, Residency residency,
            LatentDiffusionPipeline pipeline, boolean elfatt) {
        this.bundle = bundle;
        this.defaults = defaults;
        this.selections = List.copyOf(selections);
        this.residency = residency;
        this.pipeline = pipeline;
        this.elfatt = elfatt;
    }

    /**
     * @throws IllegalArgumentException when the bundle's pipeline defaults are missing or malformed
     * @throws NoVariantException       when no vanilla denoiser or no decoder can run here
     */
    public static DiffusionGenerator open(Bundle bundle, LoadOptions options, Environment env) {
        BundleManifest m = bundle.manifest();
        VariantSelector.requireKnownVariant(m, options.variant());
        GenerationDefaults defaults;
        try {
            defaults = GenerationDefaults.fromPipeline(m.pipeline());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(bundle.manifestFile() + ": " + e.getMessage(), e);
        }
        DeviceContext ctx = env.current();
        VariantSelector selector = new VariantSelector(env.backends());
        VariantSelector.Result vanilla = select(selector, m, ctx, options, Role.DENOISER, v -> !v.attention().trainingFree())
                .orElseThrow(() -> new NoVariantException("bundle '" + m.name() + "' has no vanilla denoiser variant"));
        Optional<VariantSelector.Result> fast = Optional.empty();
        try {
            // ELFATT-SD, ToMe and ELFATT-SD+ToMe variants compete for the early steps; --variant picks one by id
            fast = select(selector, m, ctx, options, Role.DENOISER, v -> v.attention().trainingFree());
        } catch (NoVariantException e) {
            LOG.info("no training-free (ELFATT-SD/ToMe) denoiser will run; every step is vanilla: {}", e.getMessage());
        }
        VariantSelector.Result decoder = select(selector, m, ctx, options, Role.DECODER, v -> true)
                .orElseThrow(() -> new NoVariantException("bundle '" + m.name() + "' has no decoder variant"));

        List<Selection> chosen = new ArrayList<>();
        chosen.add(vanilla.toSelection());
        fast.ifPresent(r -> chosen.add(r.toSelection()));
        chosen.add(decoder.toSelection());
        long bytes = chosen.stream().mapToLong(s -> m.variant(s.variantId()).orElseThrow().sizeBytes()).sum();
        Residency residency = residency(ctx, bytes);
        LOG.info("generator for '{}' on {}: {} ({})", m.name(), ctx.describe(),
                chosen.stream().map(s -> s.variantId() + "@" + s.backend()).toList(), residency);

        SessionOptions so = SessionOptions.builder().threads(options.threads()).build();
        LatentDiffusionPipeline.Builder b = LatentDiffusionPipeline.builder()
                .noiseSchedule(defaults.noiseSchedule())
                .latentScalingFactor(defaults.latentScalingFactor())
                .residency(residency);
        Variant vv = vanilla.chosen().variant();
        String vb = vanilla.chosen().backend();
        b.denoiser(DenoiserKind.VANILLA, () -> new SessionDenoiser(openSession(bundle, vv, vb, so), vv.id(), vv.batchMax()));
        fast.ifPresent(r -> {
            Variant fv = r.chosen().variant();
            b.denoiser(DenoiserKind.ELFATT_SD, () -> new SessionDenoiser(openSession(bundle, fv, r.chosen().backend(), so),
                    fv.id(), fv.batchMax()));
        });
        Variant dv = decoder.chosen().variant();
        String db = decoder.chosen().backend();
        b.decoder(() -> new SessionDecoder(openSession(bundle, dv, db, so), dv.id(), defaults.decoderRange()));
        return new DiffusionGenerator(bundle, defaults, chosen, residency, b.build(), fast.isPresent());
    }

    /**
     * Selects among the variants of {@code role} that pass {@code filter}; empty when there are none.
     * Engines compete with ONNX variants on equal terms: where TensorRT loads they win on the GPU
     * prior, elsewhere they are rejected and ONNX Runtime runs the ONNX variants.
     */
    static Optional<VariantSelector.Result> select(VariantSelector selector, BundleManifest m, DeviceContext ctx,
            LoadOptions o, Role role, Predicate<Variant> filter) {
        List<Variant> subset = m.variants().stream().filter(v -> v.role() == role && filter.test(v)).toList();
        if (subset.isEmpty()) {
            return Optional.empty();
        }
        // a forced variant applies to the group it belongs to; the other groups still choose
        String forced = subset.stream().anyMatch(v -> v.id().equals(o.variant())) ? o.variant() : null;
        BundleManifest view = new BundleManifest(m.schemaVersion(), m.name(), m.task(), m.inputs(), m.outputs(),
                m.preprocessing(), m.labels(), m.pipeline(), subset, m.reports(), m.createdBy(), m.createdAt());
        SelectionRequest req = new SelectionRequest(role, o.goal(), o.precisionFloor(), o.minFidelity(), o.backend(), forced, 0);
        VariantSelector.Result r = selector.select(view, ctx, req, Map.of());
        LOG.debug("{} selection:\n{}", role.id(), r.explain());
        return Optional.of(r);
    }

    static Residency residency(DeviceContext ctx, long modelBytes) {
        boolean jetson = ctx.family() == DeviceContext.Family.JETSON_ORIN || ctx.family() == DeviceContext.Family.JETSON_MAXWELL;
        boolean short_ = ctx.memAvailableBytes() > 0 && ctx.memAvailableBytes() < 3 * modelBytes;
        return jetson || short_ ? Residency.ONE_AT_A_TIME : Residency.KEEP_LOADED;
    }

    private static InferenceSession openSession(Bundle bundle, Variant v, String backend, SessionOptions so) {
        return Backends.byName(backend)
                .orElseThrow(() -> new JedgeException(JedgeException.Code.BACKEND_UNAVAILABLE, "backend " + backend + " vanished"))
                .open(bundle, v, so);
    }

    @Override
    public BundleManifest manifest() {
        return bundle.manifest();
    }

    @Override
    public GenerationDefaults defaults() {
        return defaults;
    }

    @Override
    public List<Selection> selections() {
        return selections;
    }

    @Override
    public boolean hasElfattDenoiser() {
        return elfatt;
    }

    @Override
    public Residency residency() {
        return residency;
    }

    @Override
    public GenerationResult generate(GenerationOptions options, ProgressListener listener) {
        return pipeline.generate(options, listener, null);
    }

    @Override
    public CompletableFuture<GenerationResult> generateAsync(GenerationOptions options, ProgressListener listener) {
        return pipeline.generateAsync(options, listener);
    }

    @Override
    public void close() {
        pipeline.close();
    }
}
