package io.jedge.runtime.model;

import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.NativeResource;
import io.jedge.sdk.DataType;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.TensorSpec;
import io.jedge.sdk.diffusion.Denoiser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link Denoiser} over an {@link InferenceSession}. The session's inputs are matched by role: the
 * rank-4 float input is the latents, the rank-1 input named like a timestep (or the first other
 * rank-1 input) the timesteps — its element type is {@link #timestepType()} — and a remaining
 * int64 rank-1 input the class labels (optional). The first output is the prediction. Batches
 * larger than {@code maxBatch} are run in slices. Owns the session and closes it.
 */
public final class SessionDenoiser extends NativeResource implements Denoiser {
    private final InferenceSession session;
    private final String name;
    private final String latentsInput;
    private final String timestepInput;
    private final String classInput;
    private final String output;
    private final DataType timestepType;
    private final int maxBatch;

    /**
     * @param name     what to call it in messages (e.g. the variant id)
     * @param maxBatch largest batch one run may take (0: unbounded)
     * @throws IllegalArgumentException when the session's inputs do not look like a denoiser's
     */
    public SessionDenoiser(InferenceSession session, String name, int maxBatch) {
        this.session = Objects.requireNonNull(session, "session");
        this.name = name;
        this.maxBatch = maxBatch;
        String lat = null;
        String ts = null;
        String cls = null;
        List<TensorSpec> rank1 = new ArrayList<>();
        for (TensorSpec s : session.inputs()) {
            if (s.shape().size() == 4 && s.dataType().equals("float32") && lat == null) {
                lat = s.name();
            } else if (s.shape().size() == 1) {
                rank1.add(s);
            } else {
                throw new IllegalArgumentException("denoiser " + name + ": input '" + s.name() + "' " + s.dataType() + s.shape()
                        + ", expected latents float32[N,C,H,W], timesteps [N] and optional class labels int64[N]");
            }
        }
        TensorSpec tsSpec = rank1.stream().filter(s -> lower(s.name()).contains("time") || lower(s.name()).equals("t")).findFirst()
                .orElse(rank1.stream().filter(s -> !lower(s.name()).contains("class") && !lower(s.name()).contains("label"))
                        .findFirst().orElse(null));
        if (lat == null || tsSpec == null) {
            throw new IllegalArgumentException("denoiser " + name + ": inputs " + describe(session.inputs())
                    + ", expected latents float32[N,C,H,W] and timesteps [N]");
        }
        ts = tsSpec.name();
        for (TensorSpec s : rank1) {
            if (s != tsSpec) {
                if (cls != null || !s.dataType().equals("int64")) {
                    throw new IllegalArgumentException("denoiser " + name + ": input '" + s.name() + "' " + s.dataType() + s.shape()
                            + ", expected class labels int64[N] (and at most one such input)");
                }
                cls = s.name();
            }
        }
        this.timestepType = switch (tsSpec.dataType()) {
            case "float32" -> DataType.FLOAT32;
            case "int64" -> DataType.INT64;
            default -> throw new IllegalArgumentException("denoiser " + name + ": input '" + ts + "' is " + tsSpec.dataType()
                    + ", expected float32 or int64 timesteps");
        };
        this.latentsInput = lat;
        this.timestepInput = ts;
        this.classInput = cls;
        this.output = session.outputs().get(0).name();
    }

    private static String lower(String s) {
        return s.toLowerCase(java.util.Locale.ROOT);
    }

    private static String describe(List<TensorSpec> specs) {
        return specs.stream().map(s -> s.name() + ":" + s.dataType() + s.shape()).toList().toString();
    }

    /** Whether the model takes class labels. */
    public boolean conditional() {
        return classInput != null;
    }

    @Override
    public DataType timestepType() {
        return timestepType;
    }

    @Override
    public Tensor predict(Tensor latents, Tensor timesteps, Tensor classLabels) {
        acquire();
        try {
            return predictAcquired(latents, timesteps, classLabels);
        } finally {
            release();
        }
    }

    private Tensor predictAcquired(Tensor latents, Tensor timesteps, Tensor classLabels) {
        if (classInput != null && classLabels == null) {
            throw new IllegalArgumentException("denoiser " + name + " is class-conditional (input '" + classInput
                    + "'), got no class labels; generate with a class or set the null class");
        }
        if (classInput == null && classLabels != null) {
            throw new IllegalArgumentException("denoiser " + name + " has no class input, got class labels "
                    + classLabels + "; generate unconditionally without a null class");
        }
        int rows = (int) latents.dim(0);
        if (maxBatch <= 0 || rows <= maxBatch) {
            return run(latents, timesteps, classLabels);
        }
        List<Tensor> parts = new ArrayList<>();
        for (int from = 0; from < rows; from += maxBatch) {
            int to = Math.min(rows, from + maxBatch);
            parts.add(run(latents.sliceBatch(from, to), timesteps.sliceBatch(from, to),
                    classLabels == null ? null : classLabels.sliceBatch(from, to)));
        }
        return Tensor.concatBatch(parts);
    }

    private Tensor run(Tensor latents, Tensor timesteps, Tensor classLabels) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put(latentsInput, latents);
        in.put(timestepInput, timesteps);
        if (classInput != null) {
            in.put(classInput, classLabels);
        }
        return session.run(in, Set.of(output)).get(output);
    }

    @Override
    protected String describe() {
        return "denoiser " + name;
    }

    @Override
    protected void freeNative() {
        session.close();
    }

    @Override
    public String toString() {
        return "SessionDenoiser[" + name + " on " + session.backendName() + ", timesteps " + timestepType
                + (classInput != null ? ", class input '" + classInput + "'" : ", unconditional") + "]";
    }
}
