import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import java.nio.file.Path;
import java.util.Map;

/** The digits training script's decoder (as TrainedDigitsGenerationTest builds it): pixel shuffle by 2, 4x32x32 -> 3x64x64. */
public class PixelShuffleDecoder {
    public static void main(String[] a) {
        Graph g = new Graph("pixel_shuffle", null);
        GraphBuilder b = new GraphBuilder(g);
        String z = b.input("latents", TensorData.FLOAT, new long[] {-1, 4, 32, 32}, "batch");
        String img = b.node("DepthToSpace", z).set("blocksize", 2L).set("mode", "CRD").output(0);
        b.output(b.concat(1, img, img, img), "image", TensorData.FLOAT, new long[] {-1, 3, 64, 64}, "batch");
        new OnnxModel(8, Map.of("", 17L), g).save(Path.of(a[0]));
    }
}
