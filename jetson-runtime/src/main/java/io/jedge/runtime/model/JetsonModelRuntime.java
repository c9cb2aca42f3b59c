package io.jedge.runtime.model;

import io.jedge.sdk.JedgeModel;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.diffusion.ImageGenerator;
import io.jedge.sdk.spi.ModelRuntime;

/** The {@link ModelRuntime} found by {@code Jedge.load}: detects the device and opens a {@link RuntimeModel}. */
public final class JetsonModelRuntime implements ModelRuntime {
    @Override
    public JedgeModel open(Bundle bundle, LoadOptions options) {
        return RuntimeModel.open(bundle, options, Environment.detect(options));
    }

    @Override
    public ImageGenerator openGenerator(Bundle bundle, LoadOptions options) {
        return DiffusionGenerator.open(bundle, options, Environment.detect(options));
    }
}
