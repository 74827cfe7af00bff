package org.prhelper.api;

/**
 * The requests of one socket, one backend or one command ({@code PRIN READ_KEYS}) so far. Every
 * request is counted under exactly one status; those the socket's policy refused are counted there
 * too, and again under {@code denied}.
 *
 * @param other statuses other than GOOD, CHECK CONDITION, RESERVATION CONFLICT and BUSY
 * @param p50Micros median latency, an upper bound within 25%; 0 without requests
 * @param p99Micros 99th percentile latency, likewise
 * @param maxMicros the longest request, exact
 */
public record RequestCounts(Scope scope, String name, long requests, long good, long checkCondition,
        long reservationConflict, long busy, long other, long denied, long p50Micros, long p99Micros,
        long maxMicros) {
    public enum Scope { SOCKET, BACKEND, COMMAND }

    /** Requests not answered GOOD. */
    public long errors() {
        return requests - good;
    }
}
