package io.jedge.sdk;

/**
 * Which variant the runtime runs and why.
 *
 * @param variantId the bundle variant chosen
 * @param backend   {@code ort-cpu} or {@code tensorrt}
 * @param batch     the batch size it runs at (the batcher's maximum)
 * @param reason    one human-readable sentence: the figures or priors that decided it
 * @param source    what decided it: {@code measured}, {@code autotune}, {@code prior} or {@code forced}
 * @param device    the device and power mode it was chosen for, e.g. {@code orin-nano-8gb/15W}
 * @param simulated true when chosen for a simulated device ({@code --simulate})
 */
public record Selection(String variantId, String backend, int batch, String reason, String source, String device,
        boolean simulated) {
    @Override
    public String toString() {
        return variantId + " on " + backend + " at batch " + batch + (simulated ? " [SIMULATED " + device + "]" : " on " + device)
                + " (" + source + "): " + reason;
    }
}
