package io.jedge.cli.convert;

import io.jedge.converters.convert.DenoiserForms;
import java.nio.file.Path;
import java.util.List;

/**
 * Benchmark tool for the device machine: writes the FP16, TensorRT-ready denoiser graphs of a DiT, one per attention
 * form, for {@link TrtProof} to time (benchmarks/gpu/dit.sh). Not a convert: nothing here measures fidelity.
 *
 * <pre>
 * java -cp ... io.jedge.cli.convert.DenoiserFormsTool DIT.onnx OUT_DIR [FORMS] [TOME_RATIO] [LAYERS]
 *   FORMS       comma list of keep, elfatt-sd, tome, elfatt-sd+tome (default: all four)
 *   TOME_RATIO  fraction of tokens ToMe merges (default 0.5)
 *   LAYERS      first-last blocks the rewrites change, e.g. 6-11 (default: every supported block)
 * </pre>
 */
public final class DenoiserFormsTool {
    private DenoiserFormsTool() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 5) {
            System.err.println("usage: DenoiserFormsTool DIT.onnx OUT_DIR [keep,elfatt-sd,tome,elfatt-sd+tome] [TOME_RATIO] [FIRST-LAST]");
            System.exit(2);
        }
        List<String> forms = List.of((args.length > 2 ? args[2] : "keep,elfatt-sd,tome,elfatt-sd+tome").split(","));
        double ratio;
        List<Integer> layers = List.of();
        try {
            ratio = args.length > 3 ? Double.parseDouble(args[3]) : 0.5;
            if (args.length > 4) {
                String[] range = args[4].split("-");
                layers = java.util.stream.IntStream.rangeClosed(Integer.parseInt(range[0]), Integer.parseInt(range[range.length - 1]))
                        .boxed().toList();
            }
        } catch (NumberFormatException e) {
            System.err.println("DenoiserFormsTool: TOME_RATIO '" + (args.length > 3 ? args[3] : "") + "' or LAYERS '"
                    + (args.length > 4 ? args[4] : "") + "' is not a number (expected e.g. 0.5 and 6-11)");
            System.exit(2);
            return;
        }
        try {
            DenoiserForms.write(Path.of(args[0]), Path.of(args[1]), forms, ratio, layers, System.out::println);
        } catch (IllegalArgumentException e) {
            System.err.println("DenoiserFormsTool: " + e.getMessage());
            System.exit(2);
        }
    }
}
