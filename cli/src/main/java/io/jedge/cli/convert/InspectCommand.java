package io.jedge.cli.convert;

import com.google.gson.GsonBuilder;
import io.jedge.converters.attention.AttentionBlock;
import io.jedge.converters.attention.AttentionFinder;
import io.jedge.converters.onnx.ModelSummary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.jedge.converters.onnx.OnnxModel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "inspect", description = "Show an ONNX model's inputs, outputs, opsets, ops and parameters.")
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL.onnx", description = "The model to inspect.")
    Path model;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() {
        OnnxModel m = OnnxModel.load(model);
        ModelSummary s = ModelSummary.of(m);
        List<AttentionBlock> blocks = AttentionFinder.find(m);
        var out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", model.toString());
            o.put("summary", s);
            o.put("attention", blocks);
            out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeSpecialFloatingPointValues().create().toJson(o));
        } else {
            out.print("model:      " + model + "\n" + s.text());
            out.println("attention:  " + (blocks.isEmpty() ? "none found" : blocks.size() + " block(s)"));
            if (!blocks.isEmpty()) {
                out.print(AttentionFinder.table(blocks));
            }
        }
        out.flush();
        return 0;
    }
}
