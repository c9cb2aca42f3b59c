package io.jedge.sdk.spi;

import io.jedge.sdk.JedgeModel;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.bundle.Bundle;

/** Implemented by jetson-runtime and found with {@link java.util.ServiceLoader}; apps never call it. */
public interface ModelRuntime {
    JedgeModel open(Bundle bundle, LoadOptions options);
}
