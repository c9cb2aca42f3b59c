package io.jedge.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.selection.DeviceContext;
import io.jedge.sdk.LoadOptions;
import org.junit.jupiter.api.Test;

/** One way to ask "where am I": live here, simulated for {@code --simulate}. */
class EnvironmentTest {
    @Test
    void simulatedIsTheProfileModeAndNeverChanges() throws Exception {
        Environment env = Environment.detect(LoadOptions.builder().simulate("orin-nano-8gb:7W").build());
        SimulatedEnvironment sim = assertInstanceOf(SimulatedEnvironment.class, env);
        DeviceContext c = sim.current();
        assertEquals("orin-nano-8gb", c.deviceId());
        assertEquals("7W", c.powerMode());
        assertEquals(7.0, c.powerBudgetW());
        assertEquals(DeviceContext.Family.JETSON_ORIN, c.family());
        assertTrue(c.simulated());
        assertEquals("orin-nano-8gb/7W (simulated)", c.describe());
        try (AutoCloseable stop = env.onChange(x -> { throw new AssertionError("a simulated device does not change"); })) {
            assertEquals(c, env.current());
        }
        assertEquals(DeviceContext.Family.JETSON_MAXWELL, SimulatedEnvironment.of("jetson-nano:5W").current().family());
    }

    @Test
    void simulateRefusesWhatItCannotSimulateWithTheChoices() {
        IllegalArgumentException form = assertThrows(IllegalArgumentException.class, () -> SimulatedEnvironment.of("orin-nano-8gb"));
        assertTrue(form.getMessage().contains("expected MODULE:MODE"), form.getMessage());
        IllegalArgumentException mode = assertThrows(IllegalArgumentException.class, () -> SimulatedEnvironment.of("orin-nano-8gb:3W"));
        assertTrue(mode.getMessage().contains("no power mode '3W'") && mode.getMessage().contains("15W"), mode.getMessage());
        IllegalArgumentException module = assertThrows(IllegalArgumentException.class, () -> SimulatedEnvironment.of("tx2:15W"));
        assertTrue(module.getMessage().contains("no power profile 'tx2'"), module.getMessage());
    }

    @Test
    void liveIsThisHostAndNotSimulated() {
        Environment env = Environment.detect(LoadOptions.defaults());
        assertFalse(env instanceof SimulatedEnvironment);
        DeviceContext c = env.current();
        assertFalse(c.simulated());
        assertTrue(c.onlineCpuCores() >= 1);
        assertFalse(c.deviceId().isBlank());
    }

    @Test
    void deviceContextRefusesImpossibleValues() {
        IllegalArgumentException cores = assertThrows(IllegalArgumentException.class,
                () -> new DeviceContext("x", DeviceContext.Family.CPU, null, null, 0, 0, false));
        assertEquals("device context 'x': onlineCpuCores 0, expected 1 or more", cores.getMessage());
        IllegalArgumentException mem = assertThrows(IllegalArgumentException.class,
                () -> new DeviceContext("x", DeviceContext.Family.CPU, null, null, 2, -1, false));
        assertTrue(mem.getMessage().contains("memAvailableBytes -1"), mem.getMessage());
    }
}
