/** The latent-diffusion sample app, written against the sdk API only. */
package io.jedge.samples.generate;
