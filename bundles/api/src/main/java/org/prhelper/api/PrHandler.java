package org.prhelper.api;

/**
 * What the transport hands each well-formed request to. The dispatcher implements it; it never throws
 * for a request it cannot serve but answers with a SCSI status and sense.
 */
public interface PrHandler {
    void handle(PrRequest request, PrResponse response);
}
