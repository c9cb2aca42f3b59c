package io.jedge.runtime.device;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@link DeviceDetector#detect()} found. Optional fields are empty when the source was
 * missing or unreadable; {@link #notes()} says which and why.
 *
 * @param module the Jetson module, or {@link JetsonModule#NOT_JETSON}
 * @param superVariant whether a "super" device tree is booted (the {@code -super} compatible suffix)
 * @param model the device-tree model string, for display only
 * @param compatible the device-tree compatible tokens, most specific first
 * @param soc the SoC, for example {@code tegra234}
 * @param cudaArch the compute capability of the integrated GPU ({@code 8.7} on Orin), or of the
 *     first discrete GPU on other hosts
 * @param l4t the L4T release
 * @param jetpack the JetPack release derived from {@code l4t}
 * @param cudaVersion the CUDA toolkit version installed (not the one the release ships)
 * @param tensorRtVersion the TensorRT version installed
 * @param cpuModel the CPU model ({@code model name} on x86, the core type on Arm)
 * @param cpuCores CPU cores present (online or not); 0 if unknown
 * @param memTotalBytes {@code MemTotal} from {@code /proc/meminfo}
 * @param memAvailableBytes {@code MemAvailable}: on Jetson this is what the GPU can use too
 * @param gpus discrete NVIDIA GPUs (non-Jetson hosts)
 * @param notes what could not be read and other caveats
 */
public record DeviceInfo(
        JetsonModule module,
        boolean superVariant,
        Optional<String> model,
        List<String> compatible,
        Optional<String> soc,
        Optional<String> cudaArch,
        Optional<L4tVersion> l4t,
        Optional<JetPackRelease> jetpack,
        Optional<String> cudaVersion,
        Optional<String> tensorRtVersion,
        Optional<String> cpuModel,
        int cpuCores,
        OptionalLong memTotalBytes,
        OptionalLong memAvailableBytes,
        List<GpuInfo> gpus,
        List<String> notes) {

    public DeviceInfo {
        Objects.requireNonNull(module, "module");
        compatible = List.copyOf(compatible);
        gpus = List.copyOf(gpus);
        notes = List.copyOf(notes);
    }

    public boolean isJetson() {
        return module.isJetson();
    }

    /** A one-line name: module plus " (super)" when a super device tree is booted. */
    public String displayName() {
        return module.displayName() + (superVariant ? " (super)" : "");
    }
}
