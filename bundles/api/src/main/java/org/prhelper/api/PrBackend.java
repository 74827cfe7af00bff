package org.prhelper.api;

/**
 * A way to execute persistent-reservation commands on a device (SG_IO, libmpathpersist, ...).
 * Registered as an OSGi service; the dispatcher asks backends in descending {@code service.ranking}
 * order and uses the first that {@link #handles handles} the device. Backends may come and go at any
 * time: when one's service goes away the dispatcher sends new requests to the next backend and waits
 * for those it is executing before the departure completes, so a backend needs no gate of its own.
 */
public interface PrBackend {
    /** A short stable name for logs, audit and the shell (e.g. {@code sgio}). */
    String name();

    /** Whether this backend takes requests for this device. Called for every request: keep it cheap. */
    boolean handles(PrDevice device);

    /**
     * Executes the request and fills the response (status, sense, and PR IN data capped to the
     * request's transfer length). Failures are reported as SCSI status and sense, never thrown.
     */
    void execute(PrRequest request, PrResponse response);
}
