package io.jedge.runtime.backend;

import io.jedge.sdk.JedgeException;
import io.jedge.sdk.bundle.VariantFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** The backends on the class path, found with {@link ServiceLoader}. */
public final class Backends {
    private Backends() {
    }

    public static List<Backend> all() {
        List<Backend> out = new ArrayList<>();
        for (Backend b : ServiceLoader.load(Backend.class, Backends.class.getClassLoader())) {
            out.add(b);
        }
        return out;
    }

    public static Optional<Backend> byName(String name) {
        return all().stream().filter(b -> b.name().equals(name)).findFirst();
    }

    /** The first usable backend for {@code format}, or an exception that says why none is. */
    public static Backend forFormat(VariantFormat format) {
        List<String> reasons = new ArrayList<>();
        for (Backend b : all()) {
            if (b.supports(format)) {
                Optional<String> why = b.unavailableReason();
                if (why.isEmpty()) {
                    return b;
                }
                reasons.add(b.name() + ": " + why.get());
            }
        }
        throw new JedgeException(JedgeException.Code.BACKEND_UNAVAILABLE, "no usable backend for " + format.id()
                + (reasons.isEmpty() ? " on the class path" : " (" + String.join("; ", reasons) + ")"));
    }
}
