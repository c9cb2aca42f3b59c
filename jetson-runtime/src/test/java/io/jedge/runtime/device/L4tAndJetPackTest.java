package io.jedge.runtime.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class L4tAndJetPackTest {

    @Test
    void parsesReleaseLinesOfEachSeries() {
        assertEquals("32.7.1", L4tVersion.parseReleaseFile(
                "# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64, DATE: Sat Feb 19 17:05:08 UTC 2022").orElseThrow().toString());
        L4tVersion r36 = L4tVersion.parseReleaseFile("# R36 (release), REVISION: 5.0, GCID: 43688277, BOARD: generic, EABI: aarch64\n"
                + "# KERNEL_VARIANT: oot\nTARGET_USERSPACE_LIB_DIR=nvidia\n").orElseThrow();
        assertEquals(36, r36.major());
        assertEquals(5, r36.minor());
        assertEquals(0, r36.patch());
        assertTrue(L4tVersion.parseReleaseFile("TARGET_USERSPACE_LIB_DIR=nvidia\n").isEmpty());
    }

    @Test
    void parsesPackageVersions() {
        assertEquals("36.4.4", L4tVersion.parsePackageVersion("36.4.4-20250616085344").orElseThrow().toString());
        assertEquals("32.7.1", L4tVersion.parsePackageVersion("32.7.1-20220219090432\n").orElseThrow().toString());
        assertTrue(L4tVersion.parsePackageVersion("not installed").isEmpty());
    }

    @Test
    void mapsKnownReleasesExactly() {
        JetPackRelease jp = JetPackRelease.forL4t(L4tVersion.parsePackageVersion("36.4.3").orElseThrow()).orElseThrow();
        assertEquals("6.2", jp.version());
        assertTrue(jp.exact());
        assertEquals("10.3", jp.shippedTensorRt().orElseThrow());
        assertEquals("5.1.5", JetPackRelease.forL4t(L4tVersion.parsePackageVersion("35.6.2").orElseThrow()).orElseThrow().version());
        assertTrue(JetPackRelease.forL4t(L4tVersion.parsePackageVersion("36.5.0").orElseThrow()).orElseThrow().note().isPresent());
    }

    @Test
    void unknownPointReleaseFallsBackToSeries() {
        JetPackRelease jp = JetPackRelease.forL4t(L4tVersion.parsePackageVersion("36.6.1").orElseThrow()).orElseThrow();
        assertEquals("6.x", jp.version());
        assertFalse(jp.exact());
        assertTrue(jp.shippedCuda().isEmpty());
        assertEquals("4.x", JetPackRelease.forL4t(L4tVersion.parsePackageVersion("32.9.9").orElseThrow()).orElseThrow().version());
        assertTrue(JetPackRelease.forL4t(L4tVersion.parsePackageVersion("28.2.1").orElseThrow()).isEmpty());
    }

    @Test
    void ordersVersions() {
        assertTrue(L4tVersion.parsePackageVersion("36.4.10").orElseThrow()
                .compareTo(L4tVersion.parsePackageVersion("36.4.4").orElseThrow()) > 0);
    }
}
