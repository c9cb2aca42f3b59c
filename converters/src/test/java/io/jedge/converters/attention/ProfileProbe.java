package io.jedge.converters.attention;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.jedge.converters.models.SeededWeights;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Scratch: ORT profile of one layer. args: grid batch form(elfatt|vanilla|mha) */
public final class ProfileProbe {
    public static void main(String[] a) throws Exception {
        int grid = Integer.parseInt(a[0]);
        int batch = Integer.parseInt(a[1]);
        TokenLayout l = new TokenLayout(Integer.parseInt(a[3]), grid, grid, 192, 4);
        AttentionEmitter e = switch (a[2]) {
            case "vanilla" -> new VanillaAttention();
            case "mha" -> new FusedAttention(AttentionForm.CONTRIB_MHA);
            default -> new ElfattAttention(ElfattOptions.builder().softmaxForm(AttentionForm.valueOf(a[2])).build());
        };
        Path dir = Files.createTempDirectory("prof");
        Path f = dir.resolve("m.onnx");
        LayerGraphs.oneLayer(e, l, new SeededWeights(1)).save(f);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setIntraOpNumThreads(2);
        so.enableProfiling(dir.resolve("p").toString());
        float[] x = new float[batch * l.tokens() * 192];
        try (OrtSession s = env.createSession(f.toString(), so);
                OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {batch, l.tokens(), 192})) {
            for (int i = 0; i < 6; i++) {
                s.run(Map.of("x", t)).close();
            }
            System.out.println(s.endProfiling());
        }
    }
}
