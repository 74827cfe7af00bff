package org.prhelper.metrics;

/** The JMX view of one socket's or one backend's {@link Counters}. */
public interface RequestCountersMBean {
    long getRequests();

    long getGood();

    long getCheckCondition();

    long getReservationConflict();

    long getBusy();

    long getOther();

    long getDenied();

    long getLatencyP50Micros();

    long getLatencyP99Micros();

    long getLatencyMaxMicros();
}
