package io.jedge.runtime.power;

import java.util.OptionalDouble;

/**
 * One CPU core.
 *
 * @param index the core number
 * @param online whether it is online
 * @param curMHz current clock
 * @param maxMHz the effective maximum ({@code scaling_max_freq}, which nvpmodel sets)
 * @param loadPercent busy share since the previous reading (since boot on the first)
 */
public record CpuCoreReading(int index, boolean online, OptionalDouble curMHz, OptionalDouble maxMHz, OptionalDouble loadPercent) {
}
