package io.jedge.runtime.backend.trt;

import io.jedge.runtime.backend.Float16;
import io.jedge.runtime.backend.Staging;
import io.jedge.sdk.DataType;
import io.jedge.sdk.Tensor;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Staging a 1x3x224x224 float32 tensor (heap and direct) into a float16 engine input, and reading a float16
 * output of the same size back into a float32 heap tensor: the old path (through heap arrays) against
 * {@link Staging}, on the CPU, into a direct buffer standing in for the pinned one. The project has no JMH
 * source set, so this is a plain main in the style of the other benchmarks: warm-up, then interleaved rounds,
 * the median of each round's CPU time per call (thread CPU time: the machine is shared), and the bytes each call
 * allocates. {@code check} as a third argument first compares the conversion with the previous one on all 2^32 floats.
 *
 * <pre>
 * mvn -o -q -pl jetson-runtime -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp jetson-runtime/target/test-classes:jetson-runtime/target/classes:$(cat /tmp/cp.txt) \
 *     io.jedge.runtime.backend.trt.StagingBenchmark [ROUNDS] [MILLIS_PER_ROUND] [check]
 * </pre>
 */
public final class StagingBenchmark {
    private static final long[] SHAPE = {1, 3, 224, 224};
    private static final int N = 3 * 224 * 224;
    private static volatile Object sink;

    private StagingBenchmark() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        long millis = args.length > 1 ? Long.parseLong(args[1]) : 400;
        if (args.length > 2 && args[2].equals("check")) {
            checkAllFloats();
        }
        float[] values = new float[N];
        for (int i = 0; i < N; i++) {
            values[i] = (float) Math.sin(0.0007 * i + 0.3) * 3;
        }
        Tensor heap = Tensor.ofFloats(SHAPE, values);
        Tensor direct = heap.toDirect();
        ByteBuffer pinned = ByteBuffer.allocateDirect(N * 2).order(ByteOrder.nativeOrder());
        short[] scratch = new short[1024];
        float[] scratchF = new float[1024];

        Map<String, Runnable> cases = new LinkedHashMap<>();
        cases.put("in  heap   old (arrays, branching fromFloat)", () -> oldWrite(heap, pinned, true));
        cases.put("in  heap   arrays, new fromFloat", () -> oldWrite(heap, pinned, false));
        cases.put("in  heap   chunked scratch, new fromFloat", () -> chunkedWrite(heap, pinned, scratch, scratchF));
        cases.put("in  heap   new (Staging.write)", () -> Staging.write("x", DataType.FLOAT16, heap, pinned));
        cases.put("in  direct old (arrays, branching fromFloat)", () -> oldWrite(direct, pinned, true));
        cases.put("in  direct arrays, new fromFloat", () -> oldWrite(direct, pinned, false));
        cases.put("in  direct chunked scratch, new fromFloat", () -> chunkedWrite(direct, pinned, scratch, scratchF));
        cases.put("in  direct new (Staging.write)", () -> Staging.write("x", DataType.FLOAT16, direct, pinned));
        Staging.write("x", DataType.FLOAT16, heap, pinned);
        cases.put("out fp16   old (get short[] -> float[])", () -> sink = oldRead(pinned));
        cases.put("out fp16   new (Staging.read)", () -> sink = Staging.read("y", DataType.FLOAT16, SHAPE, pinned));

        checkSameBits(heap, direct, pinned);
        for (Runnable r : cases.values()) { // warm-up: every case compiled before any is timed
            timeFor(r, 1500);
        }
        Map<String, List<Double>> ns = new LinkedHashMap<>();
        cases.keySet().forEach(k -> ns.put(k, new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            List<String> order = new ArrayList<>(cases.keySet());
            if (round % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            for (String k : order) {
                ns.get(k).add(timeFor(cases.get(k), millis));
            }
        }
        System.out.printf(Locale.ROOT, "elements %d, rounds %d x %d ms, %s %s, %d cores%n", N, rounds, millis,
                System.getProperty("java.vm.name"), System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%-50s %12s %12s %12s %14s%n", "case", "median cpu us", "min cpu us", "max cpu us", "alloc B/call");
        for (Map.Entry<String, List<Double>> e : ns.entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "%-50s %12.1f %12.1f %12.1f %14d%n", e.getKey(), v[v.length / 2] / 1e3, v[0] / 1e3,
                    v[v.length - 1] / 1e3, allocated(cases.get(e.getKey())));
            System.out.println("RAW " + e.getKey() + " cpu ns/call " + Arrays.toString(v));
        }
    }

    /**
     * The staging before this change (ExecutionSlot.IoBuffer.write), with a bulk put standing in for JavaCPP's;
     * {@code legacy}: with the branching conversion it used.
     */
    private static void oldWrite(Tensor t, ByteBuffer dst, boolean legacy) {
        float[] f = t.isDirect() ? t.toFloatArray() : t.floats();
        short[] h = new short[f.length];
        if (legacy) {
            for (int i = 0; i < f.length; i++) {
                h[i] = legacyFromFloat(f[i]);
            }
        } else {
            for (int i = 0; i < f.length; i++) {
                h[i] = Float16.fromFloat(f[i]);
            }
        }
        dst.asShortBuffer().put(h);
    }

    /** Float16.fromFloat before this change: a branch on the dropped mantissa bits decides the rounding. */
    static short legacyFromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) {
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            mant |= 0x800000;
            int shift = 14 - e;
            int half = mant >>> shift;
            int rem = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >>> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
            half++;
        }
        return (short) (sign | half);
    }

    /** With {@code check}: every float's conversion against {@link #legacyFromFloat}, all 2^32 bit patterns. */
    private static void checkAllFloats() {
        long bad = 0;
        for (long b = 0; b <= 0xffffffffL; b++) {
            float f = Float.intBitsToFloat((int) b);
            if (Float16.fromFloat(f) != legacyFromFloat(f) && bad++ < 10) {
                System.out.printf(Locale.ROOT, "MISMATCH %08x: new %04x, old %04x%n", b, Float16.fromFloat(f) & 0xffff,
                        legacyFromFloat(f) & 0xffff);
            }
        }
        System.out.println("all 2^32 floats: " + bad + " conversions differ from the previous fromFloat");
    }

    private static Tensor oldRead(ByteBuffer src) {
        short[] h = new short[N];
        src.asShortBuffer().get(h);
        float[] a = new float[N];
        for (int i = 0; i < N; i++) {
            a[i] = Float16.toFloat(h[i]);
        }
        return Tensor.ofFloats(SHAPE, a);
    }

    /** The alternative to per-element buffer calls: bulk moves through small reused arrays. */
    private static void chunkedWrite(Tensor t, ByteBuffer dst, short[] h, float[] f) {
        ShortBuffer out = dst.asShortBuffer();
        if (!t.isDirect()) {
            float[] a = t.floats();
            for (int from = 0; from < a.length; from += h.length) {
                int n = Math.min(h.length, a.length - from);
                for (int i = 0; i < n; i++) {
                    h[i] = Float16.fromFloat(a[from + i]);
                }
                out.put(h, 0, n);
            }
            return;
        }
        FloatBuffer in = t.buffer().asFloatBuffer();
        while (in.hasRemaining()) {
            int n = Math.min(f.length, in.remaining());
            in.get(f, 0, n);
            for (int i = 0; i < n; i++) {
                h[i] = Float16.fromFloat(f[i]);
            }
            out.put(h, 0, n);
        }
    }

    private static void checkSameBits(Tensor heap, Tensor direct, ByteBuffer pinned) {
        ByteBuffer want = ByteBuffer.allocateDirect(N * 2).order(ByteOrder.nativeOrder());
        oldWrite(heap, want, true);
        for (Tensor t : List.of(heap, direct)) {
            Staging.write("x", DataType.FLOAT16, t, pinned);
            if (!pinned.duplicate().clear().equals(want.duplicate().clear())) {
                throw new IllegalStateException("new staging differs from the old one for a " + (t.isDirect() ? "direct" : "heap")
                        + " tensor");
            }
        }
    }

    /** Mean CPU ns of this thread per call over about {@code millis} ms of CPU time (other users share the cores). */
    private static double timeFor(Runnable r, long millis) {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long start = mx.getCurrentThreadCpuTime();
        long end = start + millis * 1_000_000;
        long calls = 0;
        long now;
        do {
            r.run();
            calls++;
            now = mx.getCurrentThreadCpuTime();
        } while (now < end);
        return (double) (now - start) / calls;
    }

    private static long allocated(Runnable r) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(id);
        for (int i = 0; i < 10; i++) {
            r.run();
        }
        return (mx.getThreadAllocatedBytes(id) - before) / 10;
    }
}
