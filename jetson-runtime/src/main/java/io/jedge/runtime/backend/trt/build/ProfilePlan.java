package io.jedge.runtime.backend.trt.build;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The optimization profile for a network's inputs: the first dimension of every input whose batch
 * is dynamic gets {@code MIN/OPT/MAX}; other dimensions must be static, since the runtime sizes
 * buffers from the profile and jedge only varies the batch.
 */
final class ProfilePlan {
    /** A network input as the parser declared it ({@code -1} = dynamic). */
    record NetworkInput(String name, long[] dims) {
    }

    /** The shapes of one dynamic input in the profile. */
    record InputProfile(String name, long[] min, long[] opt, long[] max) {
    }

    private ProfilePlan() {
    }

    /** The profile entries; empty when every input is static and the batch range is a single value. */
    static List<InputProfile> plan(String model, List<NetworkInput> inputs, TrtBuildOptions options) {
        List<InputProfile> out = new ArrayList<>();
        for (NetworkInput in : inputs) {
            long[] d = in.dims();
            for (int i = 1; i < d.length; i++) {
                if (d[i] < 0) {
                    throw new IllegalArgumentException(model + ": input '" + in.name() + "' has shape " + text(d)
                            + ", dynamic in dimension " + i + "; expected only the batch (dimension 0) to be dynamic "
                            + "(export the model with static image sizes)");
                }
            }
            if (d.length == 0 || d[0] >= 0) {
                continue;
            }
            out.add(new InputProfile(in.name(), withBatch(d, options.batchMin()), withBatch(d, options.batchOpt()),
                    withBatch(d, options.batchMax())));
        }
        boolean range = options.batchMin() != options.batchMax() || options.batchMax() != 1;
        if (out.isEmpty() && range) {
            List<String> shapes = inputs.stream().map(i -> i.name() + text(i.dims())).toList();
            throw new IllegalArgumentException(model + ": batch " + options.batchSpec()
                    + " needs a dynamic batch dimension, but every input is static " + shapes
                    + "; export the model with a dynamic batch axis or build with --batch 1");
        }
        return out;
    }

    private static long[] withBatch(long[] dims, long batch) {
        long[] d = dims.clone();
        d[0] = batch;
        return d;
    }

    static String text(long[] dims) {
        return Arrays.toString(dims).replace(" ", "").replace("-1", "?");
    }
}
