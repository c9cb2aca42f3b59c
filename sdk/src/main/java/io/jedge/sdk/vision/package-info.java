/** Image tasks over a predictor: preprocessing from the bundle, classification with labels. */
package io.jedge.sdk.vision;
