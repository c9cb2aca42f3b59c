/**
 * Comparing two variants, or one model on two backends, on the same inputs — whole outputs and,
 * layer by layer, the first tensor where they part ({@code jedge compare}).
 */
package io.jedge.converters.compare;
