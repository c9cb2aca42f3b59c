package io.jedge.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The batcher report never prints NaN: a JRE without process CPU time says so instead. */
class BatcherBenchTextTest {
    @Test
    void aMissingCpuRatioIsNamedNotPrintedAsNaN() {
        assertEquals("0.901x", BatcherBench.ratioText(0.9012));
        assertEquals("n/a (no process CPU time in this JRE)", BatcherBench.ratioText(Double.NaN));
    }
}
