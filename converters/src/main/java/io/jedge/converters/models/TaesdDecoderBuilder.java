package io.jedge.converters.models;

import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds TAESD's decoder (madebyollin/taesd {@code taesd.py}) as an ONNX graph, opset 17, dynamic batch.
 *
 * <h2>Structure</h2>
 * A PyTorch {@code nn.Sequential}, whose indices are the weight names:
 * <pre>
 *  0 Clamp: tanh(x/3)·3          1 conv3×3(C→64)   2 ReLU
 *  3 4 5 Block                   6 Upsample ×2 (nearest)   7 conv3×3(64→64, no bias)
 *  8 9 10 Block                 11 Upsample ×2            12 conv3×3(64→64, no bias)
 * 13 14 15 Block                16 Upsample ×2            17 conv3×3(64→64, no bias)
 * 18 Block                      19 conv3×3(64→3)
 * </pre>
 * where {@code Block(x) = ReLU(conv.4(ReLU(conv.2(ReLU(conv.0(x))))) + x)} (64→64, so the skip is
 * the identity and has no weights). Weight names in {@code taesd_decoder.pth}: {@code 1.weight},
 * {@code 1.bias}, {@code 3.conv.0.weight}, {@code 3.conv.0.bias}, {@code 3.conv.2.*}, {@code 3.conv.4.*},
 * …, {@code 7.weight}, …, {@code 19.weight}, {@code 19.bias}; {@link #weightShapes(TaesdDecoderConfig)}
 * lists them all. Also read: the same names under a {@code decoder.} prefix, and diffusers'
 * {@code AutoencoderTiny} names ({@code decoder.layers.N…}, where N is the index above minus one
 * because diffusers applies the clamp outside its Sequential). The naming is detected from the
 * weights.
 *
 * <h2>Inputs and output</h2>
 * Input {@code latents} float32 [N, C, h, w] — the raw SD latent: TAESD's latent scaling factor is
 * {@value TaesdDecoderConfig#LATENT_SCALING_FACTOR} (SD's KL VAE instead wants latents / 0.18215).
 * Output {@code image} float32 [N, 3, 8h, 8w], RGB in [0, 1] (TAESD's output is only roughly in
 * that range, so it is clipped unless {@link TaesdDecoderConfig#clampOutput()} is off).
 *
 * <h2>From the PyTorch checkpoint</h2>
 * <pre>
 * import torch; from safetensors.torch import save_file
 * sd = torch.load("taesd_decoder.pth", map_location="cpu", weights_only=True)
 * save_file({k: v.float().contiguous() for k, v in sd.items()}, "taesd_decoder.safetensors")
 * </pre>
 * (diffusers' {@code madebyollin/taesd} {@code diffusion_pytorch_model.safetensors} is read as it is.)
 *
 * <p>Example:
 * <pre>{@code
 * OnnxModel m = TaesdDecoderBuilder.build(TaesdDecoderConfig.sd(32), Safetensors.open(Path.of("taesd_decoder.safetensors")));
 * m.save(Path.of("taesd_decoder.onnx"));
 * }</pre>
 */
public final class TaesdDecoderBuilder {
    /** Sequential index of each Block in taesd.py's Decoder. */
    private static final int[] BLOCKS = {3, 4, 5, 8, 9, 10, 13, 14, 15, 18};
    /** Sequential index of each bias-free conv that follows an upsampling. */
    private static final int[] UPSAMPLE_CONVS = {7, 12, 17};

    private TaesdDecoderBuilder() {
    }

    /** How a checkpoint names the decoder's Sequential entries: a prefix and an index offset. */
    private record Naming(String prefix, int offset, String label) {
        String name(int taesdIndex, String rest) {
            return prefix + (taesdIndex - offset) + "." + rest;
        }
    }

    private static final List<Naming> NAMINGS = List.of(
            new Naming("", 0, "taesd_decoder.pth"),
            new Naming("decoder.", 0, "taesd (decoder. prefix)"),
            new Naming("decoder.layers.", 1, "diffusers AutoencoderTiny"));

    /**
     * @throws IllegalArgumentException when the weights follow none of the known namings, or a tensor
     *                                  is missing or shaped differently (the message names it)
     */
    public static OnnxModel build(TaesdDecoderConfig c, WeightSource w) {
        Naming naming = detect(w);
        Graph g = new Graph("taesd_decoder", null);
        GraphBuilder b = new GraphBuilder(g);
        int ch = TaesdDecoderConfig.CHANNELS;
        int s = c.latentSize();
        String latents = c.dynamicSize()
                ? b.input("latents", TensorData.FLOAT, new long[] {-1, c.latentChannels(), -1, -1}, "batch", null, "latent_height", "latent_width")
                : b.input("latents", TensorData.FLOAT, new long[] {-1, c.latentChannels(), s, s}, "batch");

        b.scope("clamp");
        String three = b.constFloat("three", 3f);
        String x = b.mul(b.op("Tanh", b.div(latents, three)), three);

        b.scope("1");
        x = relu(b, conv3(b, x, w, naming, 1, "", c.latentChannels(), ch, true));
        for (int i = 1; i < 20; i++) {
            if (contains(BLOCKS, i)) {
                b.scope(String.valueOf(i));
                x = block(b, x, w, naming, i, ch);
            } else if (contains(UPSAMPLE_CONVS, i)) {
                b.scope(String.valueOf(i));
                x = conv3(b, upsample(b, x), w, naming, i, "", ch, ch, false);
            }
        }
        b.scope("19");
        x = conv3(b, x, w, naming, 19, "", ch, 3, true);
        if (c.clampOutput()) {
            x = b.op("Clip", x, b.constFloat("zero", 0f), b.constFloat("one", 1f));
        }
        int up = TaesdDecoderConfig.UPSCALE;
        if (c.dynamicSize()) {
            b.output(x, "image", TensorData.FLOAT, new long[] {-1, 3, -1, -1}, "batch", "height", "width");
        } else {
            b.output(x, "image", TensorData.FLOAT, new long[] {-1, 3, (long) s * up, (long) s * up}, "batch");
        }

        OnnxModel m = new OnnxModel(8, Map.of("", 17L), g);
        m.metadata().put("jedge.model", "taesd-decoder");
        m.metadata().put("jedge.config", c.toString());
        m.metadata().put("jedge.weights", w instanceof SeededWeights ? w.describe() : w.describe() + " (" + naming.label() + " names)");
        m.metadata().put("jedge.latent_channels", String.valueOf(c.latentChannels()));
        m.metadata().put("jedge.latent_scaling_factor", String.valueOf(TaesdDecoderConfig.LATENT_SCALING_FACTOR));
        m.metadata().put("jedge.upscale", String.valueOf(up));
        return m;
    }

    /** Every tensor of the decoder in {@code taesd_decoder.pth} naming and PyTorch layout, in module order. */
    public static Map<String, long[]> weightShapes(TaesdDecoderConfig c) {
        long ch = TaesdDecoderConfig.CHANNELS;
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("1.weight", new long[] {ch, c.latentChannels(), 3, 3});
        m.put("1.bias", new long[] {ch});
        for (int i = 1; i < 20; i++) {
            if (contains(BLOCKS, i)) {
                for (int k = 0; k <= 4; k += 2) {
                    m.put(i + ".conv." + k + ".weight", new long[] {ch, ch, 3, 3});
                    m.put(i + ".conv." + k + ".bias", new long[] {ch});
                }
            } else if (contains(UPSAMPLE_CONVS, i)) {
                m.put(i + ".weight", new long[] {ch, ch, 3, 3});
            }
        }
        m.put("19.weight", new long[] {3, ch, 3, 3});
        m.put("19.bias", new long[] {3});
        return Collections.unmodifiableMap(m);
    }

    private static Naming detect(WeightSource w) {
        for (Naming n : NAMINGS) {
            if (w.has(n.name(1, "weight"))) {
                return n;
            }
        }
        throw new IllegalArgumentException(w.describe() + " holds no TAESD decoder: looked for '1.weight' (taesd_decoder.pth), "
                + "'decoder.1.weight' or 'decoder.layers.0.weight' (diffusers AutoencoderTiny)");
    }

    /** Block: ReLU(conv.4(ReLU(conv.2(ReLU(conv.0(x))))) + x). */
    private static String block(GraphBuilder b, String x, WeightSource w, Naming n, int index, int ch) {
        String h = relu(b, conv3(b, x, w, n, index, "conv.0.", ch, ch, true));
        h = relu(b, conv3(b, h, w, n, index, "conv.2.", ch, ch, true));
        h = conv3(b, h, w, n, index, "conv.4.", ch, ch, true);
        return relu(b, b.add(h, x));
    }

    private static String conv3(GraphBuilder b, String x, WeightSource w, Naming n, int index, String sub, int in, int out,
            boolean bias) {
        String wn = n.name(index, sub + "weight");
        String weight = b.weight(wn, new long[] {out, in, 3, 3}, w.get(wn, out, in, 3, 3));
        String bn = n.name(index, sub + "bias");
        String biasT = bias ? b.weight(bn, new long[] {out}, w.get(bn, out)) : null;
        return b.conv(x, weight, biasT, new long[] {3, 3}, new long[] {1, 1}, new long[] {1, 1, 1, 1}, 1);
    }

    /** nn.Upsample(scale_factor=2), mode nearest: output pixel (y, x) takes input (⌊y/2⌋, ⌊x/2⌋). */
    private static String upsample(GraphBuilder b, String x) {
        String scales = b.initializer(TensorData.ofFloats(b.graph().uniqueName("upsample_scales"), new long[] {4},
                new float[] {1f, 1f, 2f, 2f}));
        Node n = b.node("Resize", x, "", scales);
        n.set("mode", "nearest").set("coordinate_transformation_mode", "asymmetric").set("nearest_mode", "floor");
        return n.output(0);
    }

    private static String relu(GraphBuilder b, String x) {
        return b.op("Relu", x);
    }

    private static boolean contains(int[] xs, int v) {
        for (int x : xs) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }
}
