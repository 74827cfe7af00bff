package org.prhelper.codec;

/**
 * What reading one request from a connection gave. Every outcome but {@link #REQUEST} and
 * {@link #INCOMPLETE} ends it.
 */
public enum ReadOutcome {
    REQUEST(null),
    /** A non-blocking channel has no more bytes now: read again when it is readable. */
    INCOMPLETE(null),
    REFUSED_FEATURES("client asked for protocol features this server does not offer"),
    END_OF_STREAM("client closed the connection"),
    NO_FD("no file descriptor in request"),
    TOO_MANY_FDS("more than one file descriptor in request"),
    BAD_OPCODE("CDB opcode is neither PERSISTENT RESERVE IN nor OUT"),
    TOO_LONG("transfer length above 8192 bytes");

    private final String reason;

    ReadOutcome(String reason) {
        this.reason = reason;
    }

    /** Why the connection is closed, for the log; null for {@link #REQUEST} and {@link #INCOMPLETE}. */
    public String reason() {
        return reason;
    }
}
