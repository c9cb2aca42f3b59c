package io.jedge.sdk.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.sdk.DataType;
import io.jedge.sdk.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatentDiffusionPipelineTest {

    /** Records what was opened, closed and called, in order. */
    static final class Log {
        final List<String> events = new ArrayList<>();
        int live;
        int maxLive;

        void open(String what) {
            events.add("open " + what);
            live++;
            maxLive = Math.max(maxLive, live);
        }

        void close(String what) {
            events.add("close " + what);
            live--;
        }

        long count(String prefix) {
            return events.stream().filter(e -> e.startsWith(prefix)).count();
        }
    }

    /** A linear fake: eps = a x + b label + c t / 1000 + d (element index), per element. */
    static class LinearDenoiser implements Denoiser {
        final String name;
        final Log log;
        final double a;
        final double b;
        int extraChannels;
        DataType timestepType = DataType.INT64;
        final List<Tensor> labelsSeen = new ArrayList<>();
        final List<Tensor> timestepsSeen = new ArrayList<>();
        final List<float[]> inputsSeen = new ArrayList<>();

        LinearDenoiser(String name, Log log, double a, double b) {
            this.name = name;
            this.log = log;
            this.a = a;
            this.b = b;
            log.open(name);
        }

        double f(double x, long label, double t, int j) {
            return a * x + b * label + 0.03 * t / 1000 + 0.001 * (j % 7);
        }

        @Override
        public Tensor predict(Tensor latents, Tensor timesteps, Tensor classLabels) {
            log.events.add("call " + name);
            labelsSeen.add(classLabels);
            timestepsSeen.add(timesteps.type() == DataType.INT64
                    ? Tensor.ofLongs(timesteps.shape(), timesteps.longs().clone())
                    : Tensor.ofFloats(timesteps.shape(), timesteps.floats().clone()));
            inputsSeen.add(latents.floats().clone());
            long[] s = latents.shape();
            int batch = (int) s[0];
            int row = (int) (s[1] * s[2] * s[3]);
            int outRow = (int) ((s[1] + extraChannels) * s[2] * s[3]);
            float[] x = latents.floats();
            float[] out = new float[batch * outRow];
            for (int n = 0; n < batch; n++) {
                long label = classLabels == null ? 0 : classLabels.longs()[n];
                double t = timesteps.type() == DataType.INT64 ? timesteps.longs()[n] : timesteps.floats()[n];
                for (int j = 0; j < row; j++) {
                    out[n * outRow + j] = (float) f(x[n * row + j], label, t, j);
                }
                for (int j = row; j < outRow; j++) {
                    out[n * outRow + j] = 1e6f; // learned-variance channels: must be ignored
                }
            }
            return Tensor.ofFloats(new long[] {batch, s[1] + extraChannels, s[2], s[3]}, out);
        }

        @Override
        public DataType timestepType() {
            return timestepType;
        }

        @Override
        public void close() {
            log.close(name);
        }
    }

    /** Nearest-neighbour x2 upsampling of the first three channels, with tanh to land in [-1, 1]. */
    static final class FakeDecoder implements LatentDecoder {
        final Log log;
        Tensor seen;

        FakeDecoder(Log log) {
            this.log = log;
            log.open("decoder");
        }

        @Override
        public Tensor decode(Tensor latents) {
            log.events.add("call decoder");
            seen = Tensor.ofFloats(latents.shape(), latents.floats().clone());
            long[] s = latents.shape();
            int b = (int) s[0];
            int c = (int) s[1];
            int h = (int) s[2];
            int w = (int) s[3];
            float[] in = latents.floats();
            float[] out = new float[b * 3 * 4 * h * w];
            for (int n = 0; n < b; n++) {
                for (int ch = 0; ch < 3; ch++) {
                    for (int y = 0; y < 2 * h; y++) {
                        for (int x = 0; x < 2 * w; x++) {
                            float v = in[((n * c + ch) * h + y / 2) * w + x / 2];
                            out[((n * 3 + ch) * 2 * h + y) * 2 * w + x] = (float) Math.tanh(v);
                        }
                    }
                }
            }
            return Tensor.ofFloats(new long[] {b, 3, 2 * h, 2 * w}, out);
        }

        @Override
        public void close() {
            log.close("decoder");
        }
    }

    private static GenerationOptions.Builder small() {
        return GenerationOptions.builder().latentSize(4, 3, 5).steps(10).seed(5);
    }

    private static LatentDiffusionPipeline.Builder pipeline(Log log, List<LinearDenoiser> made, boolean elfatt) {
        LatentDiffusionPipeline.Builder b = LatentDiffusionPipeline.builder()
                .denoiser(DenoiserKind.VANILLA, () -> add(made, new LinearDenoiser("vanilla", log, 0.1, 0.01)))
                .decoder(() -> new FakeDecoder(log))
                .latentScalingFactor(0.5);
        if (elfatt) {
            b.denoiser(DenoiserKind.ELFATT_SD, () -> add(made, new LinearDenoiser("elfatt", log, 0.1, 0.01)));
        }
        return b;
    }

    private static LinearDenoiser add(List<LinearDenoiser> made, LinearDenoiser d) {
        made.add(d);
        return d;
    }

    @Test
    void guidanceRunsADoubledBatchConditionalFirstAndCombinesAsPublished() {
        Log log = new Log();
        List<LinearDenoiser> made = new ArrayList<>();
        double g = 3.0;
        GenerationOptions guided = small().classLabel(5).nullClass(10).guidanceScale(g).batchSize(2).build();
        GenerationResult r;
        try (LatentDiffusionPipeline p = pipeline(log, made, false).build()) {
            r = p.generate(guided);
        }
        LinearDenoiser d = made.get(0);
        assertArrayEquals(new long[] {5, 5, 10, 10}, d.labelsSeen.get(0).longs());
        float[] in = d.inputsSeen.get(0);
        int half = in.length / 2;
        assertArrayEquals(Arrays.copyOfRange(in, 0, half), Arrays.copyOfRange(in, half, in.length));

        // The same run with a denoiser that applies the guidance formula itself, on a single batch.
        Log log2 = new Log();
        LinearDenoiser ref = new LinearDenoiser("ref", log2, 0.1, 0.01) {
            @Override
            double f(double x, long label, double t, int j) {
                double cond = super.f(x, 5, t, j);
                double uncond = super.f(x, 10, t, j);
                return uncond + g * (cond - uncond);
            }
        };
        GenerationResult r2;
        try (LatentDiffusionPipeline p = LatentDiffusionPipeline.builder().denoiser(DenoiserKind.VANILLA, () -> ref)
                .decoder(() -> new FakeDecoder(log2)).latentScalingFactor(0.5).build()) {
            r2 = p.generate(small().classLabel(5).nullClass(10).batchSize(2).build());
        }
        assertArrayEquals(new long[] {5, 5}, ref.labelsSeen.get(0).longs());
        float[] a = r.latents().floats();
        float[] b = r2.latents().floats();
        for (int i = 0; i < a.length; i++) {
            assertEquals(b[i], a[i], 1e-5 * Math.max(1, Math.abs(b[i])), "latent " + i);
        }
        // Guidance changes the outcome, so the comparison above is not vacuous.
        Log log3 = new Log();
        try (LatentDiffusionPipeline p = pipeline(log3, new ArrayList<>(), false).build()) {
            float[] plain = p.generate(small().classLabel(5).nullClass(10).batchSize(2).build()).latents().floats();
            assertFalse(Arrays.equals(plain, a));
        }
    }

    @Test
    void unconditionalLabelsAreNullOrTheNullClass() {
        Log log = new Log();
        List<LinearDenoiser> made = new ArrayList<>();
        try (LatentDiffusionPipeline p = pipeline(log, made, false).build()) {
            p.generate(small().build());
            assertNull(made.get(0).labelsSeen.get(0));
            p.generate(small().unconditional().nullClass(1000).batchSize(3).build());
            assertArrayEquals(new long[] {1000, 1000, 1000}, made.get(0).labelsSeen.get(10).longs());
        }
    }

    @Test
    void elfattDenoiserRunsTheFirstFractionOfSteps() {
        Log log = new Log();
        List<LinearDenoiser> made = new ArrayList<>();
        try (LatentDiffusionPipeline p = pipeline(log, made, true).build()) {
            GenerationResult r = p.generate(small().build());
            List<String> calls = log.events.stream().filter(e -> e.startsWith("call")).toList();
            List<String> want = new ArrayList<>(List.of("call elfatt", "call elfatt"));
            for (int i = 0; i < 8; i++) {
                want.add("call vanilla");
            }
            want.add("call decoder");
            assertEquals(want, calls);
            assertEquals(2, r.elfattSteps());
            assertEquals(8, r.vanillaSteps());
            assertEquals(0, p.generate(small().elfattFraction(0).build()).elfattSteps());
            assertEquals(5, p.generate(small().elfattFraction(0.5).build()).elfattSteps());
        }
        Log log2 = new Log();
        try (LatentDiffusionPipeline p = pipeline(log2, new ArrayList<>(), false).build()) {
            GenerationResult r = p.generate(small().build());
            assertEquals(0, r.elfattSteps());
            assertEquals(10, r.vanillaSteps());
            assertEquals(0, log2.count("call elfatt"));
        }
    }

    @Test
    void oneAtATimeKeepsAtMostOneModelOpenAndOpensTheDecoderLast() {
        Log log = new Log();
        try (LatentDiffusionPipeline p = pipeline(log, new ArrayList<>(), true).residency(Residency.ONE_AT_A_TIME).build()) {
            p.generate(small().build());
            assertEquals(1, log.maxLive);
            assertEquals(0, log.live);
            List<String> lifecycle = log.events.stream().filter(e -> !e.startsWith("call")).toList();
            assertEquals(List.of("open elfatt", "close elfatt", "open vanilla", "close vanilla", "open decoder",
                    "close decoder"), lifecycle);
            p.generate(small().build());
            assertEquals(2, log.count("open decoder"));
        }
    }

    @Test
    void keepLoadedOpensEachModelOnceAndClosesThemWithThePipeline() {
        Log log = new Log();
        LatentDiffusionPipeline p = pipeline(log, new ArrayList<>(), true).build();
        p.generate(small().build());
        p.generate(small().build());
        assertEquals(1, log.count("open vanilla"));
        assertEquals(1, log.count("open elfatt"));
        assertEquals(1, log.count("open decoder"));
        assertEquals(3, log.live);
        p.close();
        p.close();
        assertEquals(0, log.live);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.generate(small().build()));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void sameSeedSameImageAndEachImageIndependentOfTheBatch() {
        for (SchedulerKind kind : SchedulerKind.values()) {
            Log log = new Log();
            try (LatentDiffusionPipeline p = pipeline(log, new ArrayList<>(), false).build()) {
                GenerationOptions.Builder o = small().scheduler(kind);
                GenerationResult a = p.generate(o.build());
                GenerationResult b = p.generate(o.build());
                assertArrayEquals(a.image().floats(), b.image().floats(), kind.toString());
                GenerationResult c = p.generate(o.seed(6).build());
                assertFalse(Arrays.equals(a.latents().floats(), c.latents().floats()), kind.toString());
                GenerationResult two = p.generate(o.seed(5).batchSize(2).build());
                assertArrayEquals(a.latents().floats(), two.latents().sliceBatch(0, 1).floats(), kind.toString());
                assertFalse(Arrays.equals(two.latents().sliceBatch(0, 1).floats(), two.latents().sliceBatch(1, 2).floats()));
            }
        }
    }

    @Test
    void learnedVarianceChannelsAreIgnoredAndFloatTimestepsAreSupported() {
        Log log = new Log();
        List<LinearDenoiser> made = new ArrayList<>();
        GenerationResult plain;
        try (LatentDiffusionPipeline p = pipeline(log, made, false).build()) {
            plain = p.generate(small().build());
        }
        Log log2 = new Log();
        LinearDenoiser sigma = new LinearDenoiser("sigma", log2, 0.1, 0.01);
        sigma.extraChannels = 4;
        sigma.timestepType = DataType.FLOAT32;
        try (LatentDiffusionPipeline p = LatentDiffusionPipeline.builder().denoiser(DenoiserKind.VANILLA, () -> sigma)
                .decoder(() -> new FakeDecoder(log2)).latentScalingFactor(0.5).build()) {
            GenerationResult r = p.generate(small().build());
            assertArrayEquals(plain.latents().floats(), r.latents().floats());
        }
        Tensor t0 = sigma.timestepsSeen.get(0);
        assertEquals(DataType.FLOAT32, t0.type());
        long[] ts = small().build().scheduler().create(NoiseSchedule.defaultLinear(), 10).timesteps();
        assertEquals((float) ts[0], t0.floats()[0]);
        assertEquals(ts[9], made.get(0).timestepsSeen.get(9).longs()[0]);
    }

    @Test
    void decoderGetsLatentsDividedByTheScalingFactor() {
        Log log = new Log();
        FakeDecoder[] dec = new FakeDecoder[1];
        try (LatentDiffusionPipeline p = LatentDiffusionPipeline.builder()
                .denoiser(DenoiserKind.VANILLA, () -> new LinearDenoiser("v", log, 0.1, 0.01))
                .decoder(() -> dec[0] = new FakeDecoder(log)).latentScalingFactor(0.25).build()) {
            GenerationResult r = p.generate(small().build());
            float[] l = r.latents().floats();
            float[] seen = dec[0].seen.floats();
            for (int i = 0; i < l.length; i++) {
                assertEquals(l[i] / 0.25f, seen[i], 1e-6f * Math.max(1, Math.abs(seen[i])));
            }
            assertArrayEquals(new long[] {1, 3, 6, 10}, r.image().shape());
            assertEquals(PixelRange.MINUS_ONE_TO_ONE, r.pixelRange());
        }
    }

    @Test
    void progressIsReportedAfterEveryStep() {
        Log log = new Log();
        List<Progress> seen = new ArrayList<>();
        try (LatentDiffusionPipeline p = pipeline(log, new ArrayList<>(), true).build()) {
            GenerationOptions o = small().scheduler(SchedulerKind.DDIM).build();
            p.generate(o, seen::add, null);
            long[] ts = o.scheduler().create(p.noiseSchedule(), 10).timesteps();
            assertEquals(10, seen.size());
            for (int i = 0; i < 10; i++) {
                Progress pr = seen.get(i);
                assertEquals(i + 1, pr.step());
                assertEquals(10, pr.totalSteps());
                assertEquals(ts[i], pr.timestep());
                assertEquals(i < 2 ? DenoiserKind.ELFATT_SD : DenoiserKind.VANILLA, pr.denoiser());
                assertFalse(pr.elapsed().isNegative());
            }
            assertTrue(seen.get(9).remaining().isZero());
        }
    }

    @Test
    void cancellationStopsBeforeTheNextStepAndNeverDecodes() {
        Log log = new Log();
        CancellationSignal cancel = new CancellationSignal();
        try (LatentDiffusionPipeline p = pipeline(log, new ArrayList<>(), false).build()) {
            CancellationException e = assertThrows(CancellationException.class,
                    () -> p.generate(small().build(), pr -> {
                        if (pr.step() == 3) {
                            cancel.cancel();
                        }
                    }, cancel));
            assertTrue(e.getMessage().contains("step 4"), e.getMessage());
            assertEquals(3, log.count("call vanilla"));
            assertEquals(0, log.count("open decoder"));
        }
    }

    @Test
    void asyncMatchesSyncAndCancellingTheFutureStopsTheLoop() throws Exception {
        Log log = new Log();
        try (LatentDiffusionPipeline p = pipeline(log, new ArrayList<>(), false).build()) {
            GenerationOptions o = small().build();
            GenerationResult async = p.generateAsync(o, null).get(60, TimeUnit.SECONDS);
            assertArrayEquals(p.generate(o).image().floats(), async.image().floats());

            AtomicReference<CompletableFuture<GenerationResult>> ref = new AtomicReference<>();
            Thread[] worker = new Thread[1];
            Object started = new Object();
            CompletableFuture<GenerationResult> f;
            synchronized (started) {
                f = p.generateAsync(o, pr -> {
                    if (pr.step() == 2) {
                        synchronized (started) {
                            ref.get().cancel(true);
                        }
                    }
                }, r -> {
                    worker[0] = new Thread(r);
                    worker[0].start();
                });
                ref.set(f);
            }
            worker[0].join(60_000);
            assertFalse(worker[0].isAlive());
            assertTrue(f.isCancelled());
            assertThrows(CancellationException.class, f::join);
            // 10 + 10 calls from the first two runs, then 2 before the cancel.
            assertEquals(22, log.count("call vanilla"));
            assertEquals(2, log.count("call decoder"));
        }
    }

    @Test
    void badModelOutputsAndOptionsAreReportedWithTheirValues() {
        Log log = new Log();
        Denoiser wrong = (latents, t, labels) -> Tensor.zeros(1, 3, 3, 5);
        try (LatentDiffusionPipeline p = LatentDiffusionPipeline.builder().denoiser(DenoiserKind.VANILLA, () -> wrong)
                .decoder(() -> new FakeDecoder(log)).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.generate(small().build()));
            assertTrue(e.getMessage().contains("FLOAT32[1, 3, 3, 5]") && e.getMessage().contains("4 or 8"), e.getMessage());
        }
        IllegalArgumentException g = assertThrows(IllegalArgumentException.class,
                () -> small().guidanceScale(4).build());
        assertTrue(g.getMessage().contains("class label"), g.getMessage());
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class,
                () -> small().classLabel(3).guidanceScale(4).build());
        assertTrue(n.getMessage().contains("null class"), n.getMessage());
        assertThrows(IllegalArgumentException.class, () -> small().elfattFraction(1.5).build());
        assertThrows(IllegalArgumentException.class, () -> small().steps(0).build());
        assertThrows(IllegalStateException.class, () -> LatentDiffusionPipeline.builder().decoder(() -> new FakeDecoder(log)).build());
        assertThrows(IllegalArgumentException.class, () -> LatentDiffusionPipeline.builder().latentScalingFactor(0)
                .denoiser(DenoiserKind.VANILLA, () -> wrong).decoder(() -> new FakeDecoder(log)).build());
    }

    @Test
    void anOracleDenoiserThroughThePipelineYieldsTheTargetImage(@TempDir Path dir) throws Exception {
        NoiseSchedule schedule = NoiseSchedule.scaledLinear(1000, 0.00085, 0.012);
        int n = 4 * 3 * 5;
        float[] target = new float[n];
        for (int i = 0; i < n; i++) {
            target[i] = (float) Math.sin(i * 0.37) * 0.9f;
        }
        Denoiser oracle = (latents, t, labels) -> {
            float[] x = latents.floats();
            float[] eps = new float[x.length];
            for (int k = 0; k < x.length; k++) {
                double a = schedule.alphaCumprod((int) t.longs()[k / n]);
                eps[k] = (float) ((x[k] - Math.sqrt(a) * target[k % n]) / Math.sqrt(1 - a));
            }
            return Tensor.ofFloats(latents.shape(), eps);
        };
        Log log = new Log();
        try (LatentDiffusionPipeline p = LatentDiffusionPipeline.builder().denoiser(DenoiserKind.VANILLA, () -> oracle)
                .decoder(() -> new FakeDecoder(log)).noiseSchedule(schedule).latentScalingFactor(1.0).build()) {
            GenerationResult r = p.generate(small().steps(20).scheduler(SchedulerKind.EULER_ANCESTRAL).build());
            float[] got = r.latents().floats();
            for (int i = 0; i < n; i++) {
                assertEquals(target[i], got[i], 1e-3, "latent " + i);
            }
            Path png = dir.resolve("out.png");
            r.writePng(0, png);
            BufferedImage back = ImageIO.read(png.toFile());
            assertEquals(10, back.getWidth());
            assertEquals(6, back.getHeight());
            // Pixel (x=1, y=0) is latent channel 0 at (0, 0) through tanh, mapped from [-1, 1].
            int red = (back.getRGB(1, 0) >> 16) & 0xff;
            assertEquals(Math.round((Math.tanh(target[0]) / 2 + 0.5) * 255), red, 1.0);
            int blue = back.getRGB(9, 5) & 0xff;
            assertEquals(Math.round((Math.tanh(target[2 * 15 + 2 * 5 + 4]) / 2 + 0.5) * 255), blue, 1.0);
        }
    }
}
