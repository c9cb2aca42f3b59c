package io.jedge.sdk;

import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.BundleException;
import io.jedge.sdk.spi.ModelRuntime;
import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * Entry point of the app API: load a bundle and get a {@link JedgeModel}.
 *
 * <pre>{@code
 * try (JedgeModel m = Jedge.load(Path.of("vit.bundle"), LoadOptions.builder().goal(Goal.THROUGHPUT).build())) {
 *     var top5 = m.imageClassifier().classify(Path.of("cat.jpg"), 5);
 * }
 * }</pre>
 */
public final class Jedge {
    private Jedge() {
    }

    public static JedgeModel load(Path bundleDir) throws BundleException {
        return load(bundleDir, LoadOptions.defaults());
    }

    /**
     * Validates the bundle, chooses a variant for this device (and power mode) and opens it.
     *
     * @throws BundleException when the bundle is damaged or invalid (the message names file and field)
     * @throws JedgeException  when no backend can run any admissible variant
     */
    public static JedgeModel load(Path bundleDir, LoadOptions options) throws BundleException {
        Bundle bundle = Bundle.load(bundleDir);
        return runtime().open(bundle, options);
    }

    private static ModelRuntime runtime() {
        for (ModelRuntime r : ServiceLoader.load(ModelRuntime.class, Jedge.class.getClassLoader())) {
            return r;
        }
        throw new JedgeException(JedgeException.Code.BACKEND_UNAVAILABLE,
                "no jedge runtime on the class path; add the io.jedge:jedge-jetson-runtime dependency");
    }
}
