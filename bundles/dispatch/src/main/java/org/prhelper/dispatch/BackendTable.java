package org.prhelper.dispatch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.prhelper.api.PrBackend;
import org.prhelper.api.PrDevice;

/**
 * The registered backends, highest ranking first (ties: the older registration first). Lookups read a
 * copy-on-write array without locking; a lookup that finds no backend may wait for one to register,
 * so a request that arrives while a backend bundle restarts is served instead of failed.
 */
final class BackendTable {
    private record Entry(PrBackend backend, int ranking, long serviceId) {
    }

    private static final Comparator<Entry> ORDER = Comparator.comparingInt(Entry::ranking).reversed()
            .thenComparingLong(Entry::serviceId);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile Entry[] entries = new Entry[0];

    void add(PrBackend backend, int ranking, long serviceId) {
        update(list -> {
            list.add(new Entry(backend, ranking, serviceId));
            list.sort(ORDER);
        });
    }

    void remove(PrBackend backend) {
        update(list -> list.removeIf(e -> e.backend == backend));
    }

    private void update(java.util.function.Consumer<List<Entry>> change) {
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
    PrBackend find(PrDevice device) {
        for (Entry e : entries) {
            if (e.backend.handles(device)) {
                return e.backend;
            }
        }
        return null;
    }

    /** Like {@link #find} but waits up to {@code waitMillis} for a backend that handles the device. */
    PrBackend await(PrDevice device, long waitMillis) throws InterruptedException {
        PrBackend found = find(device);
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
