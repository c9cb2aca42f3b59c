package io.jedge.sdk;

import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.BundleException;
import io.jedge.sdk.bundle.Task;
import io.jedge.sdk.diffusion.ImageGenerator;
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
        if (bundle.manifest().task() == Task.LATENT_DIFFUSION) {
            throw new IllegalArgumentException("bundle " + bundle.dir() + ": task latent-diffusion (denoiser + decoder), expected a"
                    + " single-model bundle; open it with Jedge.loadGenerator (on the command line: jedge generate)");
        }
        return runtime().open(bundle, options);
    }

    public static ImageGenerator loadGenerator(Path bundleDir) throws BundleException {
        return loadGenerator(bundleDir, LoadOptions.defaults());
    }

    /**
     * Opens a latent-diffusion bundle: chooses its denoiser variants and decoder for this device
     * ({@code options}: backend, threads, precision floor, minimum fidelity, forced variant and
     * simulated device apply; batching options do not) and returns the generator. The models open
     * on the first generation.
     *
     * @throws BundleException when the bundle is damaged, invalid or not a latent-diffusion bundle
     * @throws JedgeException  when no backend can run an admissible denoiser or decoder
     */
    public static ImageGenerator loadGenerator(Path bundleDir, LoadOptions options) throws BundleException {
        Bundle bundle = Bundle.load(bundleDir);
        if (bundle.manifest().task() != Task.LATENT_DIFFUSION) {
            throw new BundleException(bundle.manifestFile(), "field 'task': " + bundle.manifest().task().id()
                    + ", expected latent-diffusion for an image generator (use Jedge.load for other bundles)");
        }
        return runtime().openGenerator(bundle, options);
    }

    private static ModelRuntime runtime() {
        for (ModelRuntime r : ServiceLoader.load(ModelRuntime.class, Jedge.class.getClassLoader())) {
            return r;
        }
        throw new JedgeException(JedgeException.Code.BACKEND_UNAVAILABLE,
                "no jedge runtime on the class path; add the io.jedge:jedge-jetson-runtime dependency");
    }
}
