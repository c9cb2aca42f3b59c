package io.jedge.sdk.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TimestepSpacingTest {

    @Test
    void leadingUsesAnIntegerRatioPlusOffset() {
        assertArrayEquals(new long[] {900, 800, 700, 600, 500, 400, 300, 200, 100, 0},
                TimestepSpacing.LEADING.timesteps(1000, 10, 0));
        assertArrayEquals(new long[] {667, 334, 1}, TimestepSpacing.LEADING.timesteps(1000, 3, 1));
    }

    @Test
    void trailingStartsAtTheLastTrainingStep() {
        assertArrayEquals(new long[] {999, 899, 799, 699, 599, 499, 399, 299, 199, 99},
                TimestepSpacing.TRAILING.timesteps(1000, 10, 0));
        // arange(1000, 0, -333.33) = 1000, 666.67, 333.33 -> rounded 1000, 667, 333 -> minus one.
        assertArrayEquals(new long[] {999, 666, 332}, TimestepSpacing.TRAILING.timesteps(1000, 3, 5));
        long[] all = TimestepSpacing.TRAILING.timesteps(1000, 1000, 0);
        assertEquals(999, all[0]);
        assertEquals(0, all[999]);
    }

    @Test
    void linspaceCoversBothEnds() {
        assertArrayEquals(new long[] {999, 888, 777, 666, 555, 444, 333, 222, 111, 0},
                TimestepSpacing.LINSPACE.timesteps(1000, 10, 0));
        // 999 * 1/2 = 499.5 rounds half to even (numpy) -> 500.
        assertArrayEquals(new long[] {999, 500, 0}, TimestepSpacing.LINSPACE.timesteps(1000, 3, 0));
        assertArrayEquals(new long[] {0}, TimestepSpacing.LINSPACE.timesteps(1000, 1, 0));
    }

    @Test
    void rejectsStepCountsAndOffsetsOutsideTheSchedule() {
        assertThrows(IllegalArgumentException.class, () -> TimestepSpacing.TRAILING.timesteps(1000, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> TimestepSpacing.TRAILING.timesteps(1000, 1001, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TimestepSpacing.LEADING.timesteps(1000, 10, 100));
        assertEquals(true, e.getMessage().contains("1000"), e.getMessage());
    }
}
