/** The power-mode benchmark sample: power modes × variants × batch sizes, CSV/JSON/chart/report. */
package io.jedge.samples.powerbench;
