package io.jedge.sdk.diffusion;

/** Classifier-free guidance on a (conditional half, unconditional half) prediction batch. */
final class Guidance {
    private Guidance() {
    }

    /**
     * Writes the guided prediction of each of {@code batch} images into {@code out}.
     *
     * @param pred     the model output: {@code batch} rows (or {@code 2 batch} with guidance, conditional first)
     *                 of {@code rowLength} floats, of which the first {@code keep} are the prediction
     * @param guided   whether {@code pred} holds the doubled batch
     */
    static void combine(float[] pred, int rowLength, int keep, int batch, double scale, boolean guided, float[] out) {
        for (int b = 0; b < batch; b++) {
            int c = b * rowLength;
            int o = b * keep;
            if (!guided) {
                System.arraycopy(pred, c, out, o, keep);
                continue;
            }
            int u = (batch + b) * rowLength;
            for (int j = 0; j < keep; j++) {
                float uncond = pred[u + j];
                out[o + j] = (float) (uncond + scale * (pred[c + j] - uncond));
            }
        }
    }
}
