package org.prhelper.dispatch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.prhelper.api.PrBackend;
import org.prhelper.api.PrDevice;

/**
 * The registered backends, highest ranking first (ties: the older registration first). Lookups read a
 * copy-on-write array without locking; a lookup that finds no backend may wait for one to register,
 * so a request that arrives while a backend bundle restarts is served instead of failed.
 */
final class BackendTable {
    /** A backend with its place in the lookup order and the requests it is executing. */
    record Entry(PrBackend backend, int ranking, long serviceId, RequestGate gate) {
    }

    private static final Comparator<Entry> ORDER = Comparator.comparingInt(Entry::ranking).reversed()
            .thenComparingLong(Entry::serviceId);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile Entry[] entries = new Entry[0];

    void add(PrBackend backend, int ranking, long serviceId) {
        Entry entry = new Entry(backend, ranking, serviceId, new RequestGate());
        update(list -> {
            list.add(entry);
            list.sort(ORDER);
        });
    }

    /**
     * Takes the backend out of the lookup order, then waits up to {@code drainMillis} for the requests
     * it is executing. A request that picked it just before stays unadmitted and looks again.
     *
     * @return the number of requests still executing when the wait ended (0 when drained)
     */
    int remove(PrBackend backend, long drainMillis) {
        List<Entry> removed = new ArrayList<>();
        update(list -> list.removeIf(e -> e.backend == backend && removed.add(e)));
        int left = 0;
        for (Entry e : removed) {
            if (!e.gate.close(drainMillis, TimeUnit.MILLISECONDS)) {
                left += e.gate.inFlight();
            }
        }
        return left;
    }

    private void update(Consumer<List<Entry>> change) {
        lock.lock();
        try {
            List<Entry> list = new ArrayList<>(List.of(entries));
            change.accept(list);
            entries = list.toArray(new Entry[0]);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The first backend, by ranking, that handles the device; null if none does. */
    Entry find(PrDevice device) {
        for (Entry e : entries) {
            if (e.backend.handles(device)) {
                return e;
            }
        }
        return null;
    }

    /** Like {@link #find} but waits up to {@code waitMillis} for a backend that handles the device. */
    Entry await(PrDevice device, long waitMillis) throws InterruptedException {
        Entry found = find(device);
        if (found != null || waitMillis <= 0) {
            return found;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        lock.lock();
        try {
            while ((found = find(device)) == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                changed.awaitNanos(left);
            }
            return found;
        } finally {
            lock.unlock();
        }
    }

    /** Backend names in lookup order, for logs. */
    List<String> names() {
        List<String> names = new ArrayList<>();
        for (Entry e : entries) {
            names.add(e.backend.name() + "(" + e.ranking + ")");
        }
        return names;
    }
}
