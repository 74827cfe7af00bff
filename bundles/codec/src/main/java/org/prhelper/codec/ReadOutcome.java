package org.prhelper.codec;

/** What reading one request from a connection gave. Every outcome but {@link #REQUEST} ends it. */
public enum ReadOutcome {
    REQUEST(null),
    END_OF_STREAM("client closed the connection"),
    NO_FD("no file descriptor in request"),
    TOO_MANY_FDS("more than one file descriptor in request"),
    BAD_OPCODE("CDB opcode is neither PERSISTENT RESERVE IN nor OUT"),
    TOO_LONG("transfer length above 8192 bytes");

    private final String reason;

    ReadOutcome(String reason) {
        this.reason = reason;
    }

    /** Why the connection is closed, for the log; null for {@link #REQUEST}. */
    public String reason() {
        return reason;
    }
}
