package io.jedge.converters.cli;

import com.google.gson.GsonBuilder;
import io.jedge.converters.onnx.ModelSummary;
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
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(s));
        } else {
            out.print("model:      " + model + "\n" + s.text());
        }
        out.flush();
        return 0;
    }
}
