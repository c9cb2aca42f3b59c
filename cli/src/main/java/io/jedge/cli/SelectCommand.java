package io.jedge.cli;

import io.jedge.cli.options.DeviceFlags;
import io.jedge.runtime.model.Environment;
import io.jedge.runtime.selection.SelectionRequest;
import io.jedge.runtime.selection.VariantSelector;
import io.jedge.sdk.Goal;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Role;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "select", description = "Show which variant the runtime would choose here (or on a simulated device) and why.")
final class SelectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "BUNDLE")
    Path bundleDir;

    @Mixin
    DeviceFlags.Simulate simulate;

    @Option(names = "--goal", defaultValue = "latency", description = "latency or throughput (default ${DEFAULT-VALUE}).")
    String goal;

    @Option(names = "--precision-floor", defaultValue = "int8", description = "Lowest precision allowed: fp32, fp16 or int8.")
    String floor;

    @Option(names = "--min-fidelity", description = "Lowest fidelity/accuracy cosine allowed.")
    Double minFidelity;

    @Option(names = "--role", description = "model, denoiser or decoder (default: model; a latent-diffusion bundle's denoiser and decoder).")
    String role;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        Bundle bundle = Bundle.load(bundleDir);
        Environment env = Environment.detect(LoadOptions.builder().simulate(simulate.simulate()).build());
        // a diffusion bundle has no 'model' variant: asked for one, select said so with a hint to run select again
        List<Role> present = java.util.Arrays.stream(Role.values()).filter(x -> !bundle.manifest().variants(x).isEmpty()).toList();
        List<Role> roles = role != null ? List.of(Role.parse(role)) : present.contains(Role.MODEL) || present.isEmpty() ? List.of(Role.MODEL) : present;
        if (!present.isEmpty() && !present.containsAll(roles)) {
            throw new IllegalArgumentException("--role " + role + ": bundle '" + bundle.manifest().name() + "' has no " + role
                    + " variant; its roles are " + String.join(", ", present.stream().map(Role::id).toList()));
        }
        VariantSelector.BackendResolver resolver = simulate.simulate() != null ? VariantSelector.ASSUME_RUNNABLE : env.backends();
        if (env.current().simulated()) {
            out.println("SIMULATED " + env.current().describe() + " (selection policy only; nothing was run)");
        }
        for (Role x : roles) {
            SelectionRequest req = new SelectionRequest(x, Goal.valueOf(goal.toUpperCase(Locale.ROOT)),
                    Precision.parse(floor), minFidelity, "auto", null, 0);
            VariantSelector.Result r = new VariantSelector(resolver).select(bundle.manifest(), env.current(), req, Map.of());
            out.println((roles.size() > 1 ? x.id() + " " : "") + "chosen: " + r.toSelection());
            out.print(r.explain());
        }
        out.flush();
        return 0;
    }
}
