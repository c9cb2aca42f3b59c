/** Service interfaces the runtime implements; not for apps. */
package io.jedge.sdk.spi;
