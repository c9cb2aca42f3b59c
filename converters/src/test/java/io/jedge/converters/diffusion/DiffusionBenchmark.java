package io.jedge.converters.diffusion;

import io.jedge.converters.attention.ElfattSdOptions;
import io.jedge.converters.models.DitConfig;
import io.jedge.sdk.Jedge;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.diffusion.DenoiserKind;
import io.jedge.sdk.diffusion.GenerationOptions;
import io.jedge.sdk.diffusion.GenerationResult;
import io.jedge.sdk.diffusion.ImageGenerator;
import io.jedge.sdk.diffusion.Progress;
import io.jedge.sdk.diffusion.SchedulerKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Seconds per denoising step and per image, and peak resident memory, of vanilla vs ELFATT-SD
 * generation on ONNX Runtime CPU, at 256 and 4096 denoiser tokens (a seeded DiT with patch 2 at
 * latent 32 and 128; the same small width and depth for both, so the 4096-token case runs on two
 * cores). Each (tokens, mode) runs in its own JVM so its peak RSS (VmHWM) is its own.
 *
 * <p>Modes: {@code vanilla} (every step vanilla), {@code elfatt} (every step ELFATT-SD, for the
 * per-step comparison) and {@code mix} (ELFATT-SD for the first 20% of the steps, as the
 * pipeline runs by default). Each child generates twice (class-conditional, guidance 4, so the
 * denoiser runs at batch 2); the first image opens the models, the second is the one reported.
 *
 * <pre>
 * java -cp ... io.jedge.converters.diffusion.DiffusionBenchmark OUT.md [WORKDIR]
 * </pre>
 */
public final class DiffusionBenchmark {
    private static final int HIDDEN = 128;
    private static final int DEPTH = 2;
    private static final int HEADS = 4;
    private static final int THREADS = 2;

    private record Case(int latent, int steps, ElfattSdOptions elfatt) {
        int tokens() {
            return (latent / 2) * (latent / 2);
        }
    }

    private static final List<Case> CASES = List.of(
            new Case(32, 20, ElfattSdOptions.builder().block(256).build()),
            new Case(128, 8, ElfattSdOptions.builder().block(256).agents(256).build()));
    private static final List<String> MODES = List.of("vanilla", "elfatt", "mix");

    private DiffusionBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(Path.of(args[1]), args[2], Integer.parseInt(args[3]));
            return;
        }
        Path out = Path.of(args.length > 0 ? args[0] : "diffusion-cpu.md");
        Path work = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("jedge-diffusion-bench");
        StringBuilder md = new StringBuilder();
        md.append("# Latent diffusion on ONNX Runtime CPU: vanilla vs ELFATT-SD\n\n");
        md.append("- date: ").append(LocalDate.now()).append('\n');
        md.append("- machine: ").append(cpuModel()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores visible (shared with other users), ").append(THREADS).append(" ONNX Runtime intra-op threads\n");
        md.append("- versions: Java ").append(System.getProperty("java.version")).append(", ONNX Runtime ")
                .append(ai.onnxruntime.OrtEnvironment.class.getPackage().getImplementationVersion()).append(", jedge commit ")
                .append(git("rev-parse", "--short", "HEAD")).append('\n');
        md.append("- command: `").append(System.getProperty("jedge.bench.command", "DiffusionBenchmark " + String.join(" ", args)))
                .append("`\n");
        md.append(String.format(Locale.ROOT, "- denoiser: seeded DiT, patch 2, hidden %d, depth %d, %d heads, 10 classes,"
                + " learn-sigma, FP32; decoder: seeded TAESD (8x upsampling); class-conditional, guidance 4 (denoiser batch 2),"
                + " Euler scheduler%n", HIDDEN, DEPTH, HEADS));
        md.append("- FP16: not measured — no FP16 converter on this branch's main when this was run\n");
        md.append("- each row is its own JVM; per-step is the median over the second image's steps (models already open);"
                + " per image is the second image, decoding included; peak RSS is the process's VmHWM (JVM included)\n\n");
        md.append("| tokens | latent | image | mode | ELFATT-SD block/agents | steps | s/step vanilla | s/step ELFATT-SD | s/image"
                + " (2nd) | s/image (1st, opens models) | decode s | peak RSS MiB | JVM baseline MiB |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        List<String> fidelity = new ArrayList<>();
        Map<Integer, Map<String, Map<String, String>>> all = new LinkedHashMap<>();
        for (Case c : CASES) {
            Path dir = work.resolve("t" + c.tokens());
            Files.createDirectories(dir);
            long t0 = System.nanoTime();
            DitConfig cfg = DitConfig.preset("tiny").withHidden(HIDDEN).withDepth(DEPTH).withHeads(HEADS).withClasses(10)
                    .withLatentSize(c.latent());
            Path bundle = TinyDiffusion.bundle(dir, cfg, c.elfatt());
            System.out.printf(Locale.ROOT, "built and converted %d tokens in %.1f s%n", c.tokens(), (System.nanoTime() - t0) / 1e9);
            Report r = Bundle.load(bundle).manifest().reports().get(0);
            fidelity.add(String.format(Locale.ROOT, "- %d tokens: predicted-noise cosine t=999 %.5f, t=500 %.5f, t=100 %.5f;"
                            + " whole output cosine %.5f (%s)", c.tokens(), r.metrics().get("noiseCosine_t999"),
                    r.metrics().get("noiseCosine_t500"), r.metrics().get("noiseCosine_t100"), r.metrics().get("cosine"),
                    String.join("; ", r.notes().subList(0, Math.min(1, r.notes().size())))));
            r.layers().forEach(l -> fidelity.add(String.format(Locale.ROOT, "  - %s attention output cosine %.4f (converted: %s)",
                    l.layer(), l.metrics().get("cosine"), l.metrics().get("converted") == 1.0)));
            for (String mode : MODES) {
                Map<String, String> res = runChild(bundle, mode, c.steps());
                all.computeIfAbsent(c.tokens(), k -> new LinkedHashMap<>()).put(mode, res);
                md.append(String.format(Locale.ROOT, "| %d | %d | %dx%d | %s | %d/%s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                        c.tokens(), c.latent(), 8 * c.latent(), 8 * c.latent(), mode, Math.min(256, c.tokens()),
                        c.elfatt().agents() == 0 ? "auto" : String.valueOf(c.elfatt().agents()), res.get("steps"),
                        res.getOrDefault("stepVanilla", "-"), res.getOrDefault("stepElfatt", "-"), res.get("imageWarm"),
                        res.get("imageCold"), res.get("decode"), res.get("peakMiB"), res.get("baseMiB")));
            }
        }
        md.append("\n## Speed-up per denoising step (vanilla / ELFATT-SD)\n\n");
        for (Map.Entry<Integer, Map<String, Map<String, String>>> e : all.entrySet()) {
            double v = Double.parseDouble(e.getValue().get("vanilla").get("stepVanilla"));
            double f = Double.parseDouble(e.getValue().get("elfatt").get("stepElfatt"));
            double iv = Double.parseDouble(e.getValue().get("vanilla").get("imageWarm"));
            double im = Double.parseDouble(e.getValue().get("mix").get("imageWarm"));
            md.append(String.format(Locale.ROOT, "- %d tokens: %.3f s vs %.3f s per step = **%.2fx**; per image with the default"
                    + " 20%% ELFATT-SD steps %.2f s vs %.2f s vanilla = %.2fx%n", e.getKey(), v, f, v / f, im, iv, iv / im));
        }
        md.append("\nTarget in issue 7: >= 1.5x faster per denoising step at 4096 tokens with ELFATT-SD.\n");
        md.append("\n## Fidelity (from the bundles' reports, seeded weights)\n\n").append(String.join("\n", fidelity)).append('\n');
        Files.writeString(out, md.toString());
        System.out.println(md);
    }

    private static Map<String, String> runChild(Path bundle, String mode, int steps) throws IOException, InterruptedException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx4g",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                DiffusionBenchmark.class.getName(), "--child", bundle.toString(), mode, String.valueOf(steps));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Map<String, String> res = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println("  [" + mode + "] " + line);
                if (line.startsWith("RESULT ")) {
                    for (String kv : line.substring(7).trim().split(" ")) {
                        int eq = kv.indexOf('=');
                        res.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
            }
        }
        int code = p.waitFor();
        if (code != 0 || res.isEmpty()) {
            throw new IllegalStateException("benchmark child " + mode + " on " + bundle + " exited " + code + " without a result");
        }
        return res;
    }

    private static void child(Path bundle, String mode, int steps) throws Exception {
        long base = vmHwmKiB();
        double fraction = switch (mode) {
            case "vanilla" -> 0.0;
            case "elfatt" -> 1.0;
            case "mix" -> 0.2;
            default -> throw new IllegalArgumentException("mode '" + mode + "', expected vanilla, elfatt or mix");
        };
        LoadOptions lo = LoadOptions.builder().threads(THREADS).watchPower(false).build();
        try (ImageGenerator g = Jedge.loadGenerator(bundle, lo)) {
            GenerationOptions o = g.options().classLabel(3).guidanceScale(4).steps(steps).seed(1)
                    .scheduler(SchedulerKind.EULER).elfattFraction(fraction).build();
            List<Progress> cold = new ArrayList<>();
            GenerationResult first = g.generate(o, cold::add);
            List<Progress> warm = new ArrayList<>();
            GenerationResult second = g.generate(o, warm::add);
            double stepsSeconds = warm.get(warm.size() - 1).elapsed().toNanos() / 1e9;
            double decode = second.elapsed().toNanos() / 1e9 - stepsSeconds;
            StringBuilder s = new StringBuilder("RESULT");
            s.append(" steps=").append(steps);
            median(warm, DenoiserKind.VANILLA).ifPresent(m -> s.append(String.format(Locale.ROOT, " stepVanilla=%.3f", m)));
            median(warm, DenoiserKind.ELFATT_SD).ifPresent(m -> s.append(String.format(Locale.ROOT, " stepElfatt=%.3f", m)));
            s.append(String.format(Locale.ROOT, " imageWarm=%.2f imageCold=%.2f decode=%.2f peakMiB=%d baseMiB=%d",
                    second.elapsed().toNanos() / 1e9, first.elapsed().toNanos() / 1e9, decode, vmHwmKiB() / 1024, base / 1024));
            s.append(" elfattSteps=").append(second.elfattSteps());
            System.out.println(s);
        }
    }

    private static java.util.OptionalDouble median(List<Progress> steps, DenoiserKind kind) {
        List<Double> d = new ArrayList<>();
        long prev = 0;
        for (Progress p : steps) {
            long now = p.elapsed().toNanos();
            if (p.denoiser() == kind) {
                d.add((now - prev) / 1e9);
            }
            prev = now;
        }
        if (d.isEmpty()) {
            return java.util.OptionalDouble.empty();
        }
        double[] a = d.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return java.util.OptionalDouble.of(a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2);
    }

    private static long vmHwmKiB() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmHWM:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return System.getProperty("os.arch");
    }

    private static String git(String... args) {
        try {
            List<String> cmd = new ArrayList<>(List.of("git"));
            cmd.addAll(Arrays.asList(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? s : "unknown";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }
}
