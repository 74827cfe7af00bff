package org.prhelper.api;

/**
 * The device a request is for: the file descriptor the client passed, owned by the transport, valid
 * until the reply is sent and closed by the transport afterwards. Backends must not close it. One
 * object stands for one request's descriptor, and keeps what a {@link DeviceInspector} found for it,
 * so the transport's policy, the dispatcher and a backend, on whichever thread, get one answer for
 * the price of one look.
 */
public interface PrDevice {
    /** The raw file descriptor number in this process. */
    int fd();

    /** What a {@link DeviceInspector} found for this descriptor; null before, or if this object keeps nothing. */
    default DeviceIdentity identity() {
        return null;
    }

    /** Keeps the inspector's answer for the request's life; an object that cannot keep it ignores it. */
    default void identity(DeviceIdentity identity) {
    }
}
