package org.prhelper.api;

/**
 * The device a request is for: the file descriptor the client passed, owned by the transport, valid
 * until the reply is sent and closed by the transport afterwards. Backends must not close it. One
 * object stands for one request's descriptor: a {@link DeviceInspector} may remember its answer for it.
 */
public interface PrDevice {
    /** The raw file descriptor number in this process. */
    int fd();
}
