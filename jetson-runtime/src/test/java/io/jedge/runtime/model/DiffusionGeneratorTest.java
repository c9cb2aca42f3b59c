package io.jedge.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jedge.runtime.selection.DeviceContext;
import io.jedge.sdk.diffusion.Residency;
import org.junit.jupiter.api.Test;

class DiffusionGeneratorTest {
    private static DeviceContext ctx(DeviceContext.Family family, long memAvailable) {
        return new DeviceContext("test", family, null, null, 4, memAvailable, false);
    }

    @Test
    void residencyFollowsTheDeviceAndItsMemory() {
        long model = 100L << 20;
        assertEquals(Residency.KEEP_LOADED, DiffusionGenerator.residency(ctx(DeviceContext.Family.CPU, 8L << 30), model));
        assertEquals(Residency.KEEP_LOADED, DiffusionGenerator.residency(ctx(DeviceContext.Family.CPU, 0), model), "unknown memory");
        assertEquals(Residency.ONE_AT_A_TIME, DiffusionGenerator.residency(ctx(DeviceContext.Family.CPU, 250L << 20), model));
        assertEquals(Residency.ONE_AT_A_TIME, DiffusionGenerator.residency(ctx(DeviceContext.Family.JETSON_ORIN, 8L << 30), model));
        assertEquals(Residency.ONE_AT_A_TIME, DiffusionGenerator.residency(ctx(DeviceContext.Family.JETSON_MAXWELL, 8L << 30), model));
    }
}
