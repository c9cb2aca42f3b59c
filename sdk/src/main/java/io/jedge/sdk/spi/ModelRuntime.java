package io.jedge.sdk.spi;

import io.jedge.sdk.JedgeModel;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.bundle.Bundle;

/** Implemented by jetson-runtime and found with {@link java.util.ServiceLoader}; apps never call it. */
public interface ModelRuntime {
    JedgeModel open(Bundle bundle, LoadOptions options);

    /** Opens a latent-diffusion bundle; runtimes without diffusion support keep this default. */
    default io.jedge.sdk.diffusion.ImageGenerator openGenerator(Bundle bundle, LoadOptions options) {
        throw new io.jedge.sdk.JedgeException(io.jedge.sdk.JedgeException.Code.BACKEND_UNAVAILABLE,
                getClass().getName() + " cannot open latent-diffusion bundles");
    }
}
