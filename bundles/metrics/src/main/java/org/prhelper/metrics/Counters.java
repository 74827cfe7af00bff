package org.prhelper.metrics;

import java.util.concurrent.atomic.LongAdder;

import org.prhelper.api.AuditRecord;
import org.prhelper.api.RequestCounts;
import org.prhelper.api.ScsiStatus;

/** The counters of one socket, backend or command. Recorded from many request threads at once. */
final class Counters implements RequestCountersMBean {
    private final LongAdder requests = new LongAdder();
    private final LongAdder good = new LongAdder();
    private final LongAdder checkCondition = new LongAdder();
    private final LongAdder reservationConflict = new LongAdder();
    private final LongAdder busy = new LongAdder();
    private final LongAdder other = new LongAdder();
    private final LongAdder denied = new LongAdder();
    private final LatencyHistogram latency = new LatencyHistogram();

    void record(AuditRecord record) {
        requests.increment();
        switch (record.status()) {
            case ScsiStatus.GOOD -> good.increment();
            case ScsiStatus.CHECK_CONDITION -> checkCondition.increment();
            case ScsiStatus.RESERVATION_CONFLICT -> reservationConflict.increment();
            case ScsiStatus.BUSY -> busy.increment();
            default -> other.increment();
        }
        if (RequestStats.denied(record)) {
            denied.increment();
        }
        latency.record(record.latencyNanos() / 1000);
    }

    RequestCounts snapshot(RequestCounts.Scope scope, String name) {
        return new RequestCounts(scope, name, getRequests(), getGood(), getCheckCondition(),
                getReservationConflict(), getBusy(), getOther(), getDenied(), getLatencyP50Micros(),
                getLatencyP99Micros(), getLatencyMaxMicros());
    }

    @Override
    public long getRequests() {
        return requests.sum();
    }

    @Override
    public long getGood() {
        return good.sum();
    }

    @Override
    public long getCheckCondition() {
        return checkCondition.sum();
    }

    @Override
    public long getReservationConflict() {
        return reservationConflict.sum();
    }

    @Override
    public long getBusy() {
        return busy.sum();
    }

    @Override
    public long getOther() {
        return other.sum();
    }

    @Override
    public long getDenied() {
        return denied.sum();
    }

    @Override
    public long getLatencyP50Micros() {
        return latency.percentile(0.50);
    }

    @Override
    public long getLatencyP99Micros() {
        return latency.percentile(0.99);
    }

    @Override
    public long getLatencyMaxMicros() {
        return latency.max();
    }
}
