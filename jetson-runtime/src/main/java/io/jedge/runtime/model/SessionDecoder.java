package io.jedge.runtime.model;

import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.NativeResource;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.diffusion.LatentDecoder;
import io.jedge.sdk.diffusion.PixelRange;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link LatentDecoder} over a one-input {@link InferenceSession} (latents in, image out). Owns
 * the session and closes it.
 */
public final class SessionDecoder extends NativeResource implements LatentDecoder {
    private final InferenceSession session;
    private final String name;
    private final String input;
    private final String output;
    private final PixelRange range;

    /** @throws IllegalArgumentException when the session does not have exactly one input */
    public SessionDecoder(InferenceSession session, String name, PixelRange range) {
        this.session = Objects.requireNonNull(session, "session");
        this.name = name;
        this.range = Objects.requireNonNull(range, "decoder pixel range");
        if (session.inputs().size() != 1) {
            throw new IllegalArgumentException("decoder " + name + ": inputs " + session.inputs().stream().map(s -> s.name()).toList()
                    + ", expected exactly one (latents float32[N,C,h,w])");
        }
        this.input = session.inputs().get(0).name();
        this.output = session.outputs().get(0).name();
    }

    @Override
    public Tensor decode(Tensor latents) {
        acquire();
        try {
            return session.run(Map.of(input, latents), Set.of(output)).get(output);
        } finally {
            release();
        }
    }

    @Override
    public PixelRange outputRange() {
        return range;
    }

    @Override
    protected String describe() {
        return "decoder " + name;
    }

    @Override
    protected void freeNative() {
        session.close();
    }
}
