package org.prhelper.itests.blackbox;

import java.io.FileDescriptor;
import java.io.IOException;

/** A well-formed request, which every helper answers and keeps the connection open after. */
final class Request {
    final String label;
    private final FileDescriptor fd;
    private final byte[] cdb;
    private final byte[] parameters;

    private Request(String label, FileDescriptor fd, byte[] cdb, byte[] parameters) {
        this.label = label;
        this.fd = fd;
        this.cdb = cdb;
        this.parameters = parameters;
    }

    static Request prIn(int serviceAction, int allocationLength, FileDescriptor fd, String fdName) {
        return new Request(String.format("PR IN service action 0x%02x, allocation length %d, on %s",
                serviceAction, allocationLength, fdName), fd, PrClient.prIn(serviceAction, allocationLength),
                new byte[0]);
    }

    static Request prOut(int serviceAction, int parameterLength, FileDescriptor fd, String fdName) {
        return new Request(String.format("PR OUT service action 0x%02x, parameter list length %d, on %s",
                serviceAction, parameterLength, fdName), fd, PrClient.prOut(serviceAction, parameterLength),
                PrClient.parameters(parameterLength));
    }

    Reply sendOn(PrClient client) throws IOException {
        return client.request(fd, cdb, parameters);
    }

    @Override
    public String toString() {
        return label;
    }
}
