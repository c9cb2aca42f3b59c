package io.jedge.runtime.batching;

import io.jedge.sdk.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Test batch function: input "x" FLOAT32 [n, w] whose first column is a request id; outputs
 * "y" = 2x + 1 (same shape) and "sum" [n] = row sums. Records every batch it sees. Optionally its
 * first call blocks until {@link #release()}, so tests can fill the queue deterministically.
 */
final class RowFunction implements BatchFunction {
    final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch gate = new CountDownLatch(1);
    private final boolean gated;
    private final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    private final List<float[]> batchInputs = Collections.synchronizedList(new ArrayList<>());
    private final List<Float> ids = Collections.synchronizedList(new ArrayList<>());
    private volatile float failOnId = Float.NaN;

    RowFunction(boolean gated) {
        this.gated = gated;
    }

    static Map<String, Tensor> request(float id) {
        return Map.of("x", Tensor.ofFloats(new long[] {1, 2}, new float[] {id, id / 2}));
    }

    static Map<String, Tensor> request(float id, int rows, int width) {
        float[] data = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < width; c++) {
                data[r * width + c] = c == 0 ? id + r : id * 10 + c;
            }
        }
        return Map.of("x", Tensor.ofFloats(new long[] {rows, width}, data));
    }

    void failOn(float id) {
        failOnId = id;
    }

    void release() {
        gate.countDown();
    }

    void awaitEntered() throws InterruptedException {
        if (!entered.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("batch function was not called within 30 s");
        }
    }

    List<Integer> batchSizes() {
        synchronized (batchSizes) {
            return new ArrayList<>(batchSizes);
        }
    }

    List<Float> ids() {
        synchronized (ids) {
            return new ArrayList<>(ids);
        }
    }

    List<float[]> batchInputs() {
        synchronized (batchInputs) {
            return new ArrayList<>(batchInputs);
        }
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) throws Exception {
        if (gated && entered.getCount() > 0) {
            entered.countDown();
            if (!gate.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("gate was never released");
            }
        }
        entered.countDown();
        Tensor x = inputs.get("x");
        int n = (int) x.dim(0);
        int w = (int) x.dim(1);
        float[] in = x.floats();
        batchSizes.add(n);
        batchInputs.add(in.clone());
        boolean fail = false;
        for (int r = 0; r < n; r++) {
            ids.add(in[r * w]);
            fail |= in[r * w] == failOnId;
        }
        if (fail) {
            throw new IllegalStateException("row with id " + failOnId + " is poison");
        }
        return compute(x);
    }

    static Map<String, Tensor> compute(Tensor x) {
        int n = (int) x.dim(0);
        int w = (int) x.dim(1);
        float[] in = x.floats();
        float[] y = new float[in.length];
        float[] sum = new float[n];
        for (int i = 0; i < in.length; i++) {
            y[i] = 2 * in[i] + 1;
            sum[i / w] += in[i];
        }
        return Map.of("y", Tensor.ofFloats(x.shape(), y), "sum", Tensor.ofFloats(new long[] {n}, sum));
    }
}
