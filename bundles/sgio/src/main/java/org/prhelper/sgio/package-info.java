/**
 * The SG_IO backend: sends PERSISTENT RESERVE IN/OUT to the client's device with the Linux SG_IO ioctl,
 * like qemu-pr-helper without multipath. Private: it only registers a {@code PrBackend} service.
 */
package org.prhelper.sgio;
