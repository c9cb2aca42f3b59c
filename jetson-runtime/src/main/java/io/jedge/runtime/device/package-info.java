/**
 * Which board this is: the Jetson module (from the device-tree {@code compatible} tokens, never the
 * display model string), the L4T and JetPack releases, the CUDA and TensorRT versions installed,
 * memory, and for non-Jetson hosts the CPU and any NVIDIA GPU. Everything is read through a
 * {@link io.jedge.runtime.device.HostAccess}: a root path, a file reader and a command runner
 * that tests replace with fake trees and canned outputs. Missing or unreadable files never throw;
 * the field is absent and a note says why.
 */
package io.jedge.runtime.device;
