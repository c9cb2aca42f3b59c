/**
 * Image tasks over a predictor: preprocessing from the bundle, classification with labels, and
 * {@link io.jedge.sdk.vision.Ranking}, the one definition of top-1 and top-k over a row of scores.
 */
package io.jedge.sdk.vision;
