package org.prhelper.api;

/**
 * Asks a device what state it is in with TEST UNIT READY, which transfers no data and changes
 * nothing. Backends whose library reports only an error class (libmpathpersist) use it to give the
 * client the device's real sense instead of a generic one, as qemu-pr-helper does.
 */
public interface SenseProbe {
    /** Sends TEST UNIT READY to {@code fd} and fills the response's status and sense. */
    void testUnitReady(int fd, PrResponse response);
}
