package io.jedge.runtime.model;

import io.jedge.runtime.backend.trt.build.EngineCache;
import io.jedge.runtime.backend.trt.build.TrtBuildOptions;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Role;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.bundle.VariantFormat;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code Jedge.load} on a device with TensorRT: builds the engines this device lacks from the
 * bundle's admissible ONNX variants before the variant choice, as jetson-inference does on first
 * run. Only variants converted for TensorRT ({@code tensorrtReady}: Attention lowered, scales
 * folded) are built unasked, since TensorRT 10.6 mis-fuses Q/K-side attention scaling and the
 * choice would then prefer a fast engine with other numbers; {@code jedge build-engines} builds
 * from any. Anything that goes wrong is logged and the load goes on with what the bundle has.
 */
final class EnginesOnLoad {
    private static final Logger LOG = LoggerFactory.getLogger(EnginesOnLoad.class);

    private EnginesOnLoad() {
    }

    static Bundle ensure(Bundle bundle, LoadOptions o) {
        if (!o.buildEngines() || o.simulate() != null || o.variant() != null || o.backend().equals("ort-cpu")) {
            return bundle;
        }
        Predicate<Variant> admissible = v -> v.role() == Role.MODEL && v.format() == VariantFormat.ONNX
                && v.precision().ordinal() <= o.precisionFloor().ordinal()
                && "true".equals(v.attributes().get("tensorrtReady"));
        Optional<Variant> first = bundle.manifest().variants().stream().filter(admissible).findFirst();
        if (first.isEmpty()) {
            return bundle;
        }
        Optional<String> why = EngineCache.unavailableReason();
        if (why.isPresent()) {
            LOG.debug("no engines built on load: {}", why.get());
            return bundle;
        }
        try {
            int[] b = EngineCache.defaultBatch(first.get());
            EngineCache.Result r = new EngineCache(TrtBuildOptions.builder().batch(b[0], b[1], b[2]).build(), LOG::info)
                    .ensure(bundle, admissible);
            return r.bundle();
        } catch (RuntimeException e) { // never fail a load over an engine: ONNX Runtime still runs the bundle
            LOG.warn("engines not built on load ({}); continuing with the bundle's variants", e.getMessage());
            return bundle;
        }
    }
}
