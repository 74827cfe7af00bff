package org.prhelper.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.prhelper.api.AuditRecord;

/**
 * The last {@code capacity} records. Request threads add without locking: each claims a sequence
 * number, and a slot remembers the sequence it holds so that a reader skips a slot that is still
 * being written or was overwritten while it read.
 */
final class AuditRing {
    private record Slot(long sequence, AuditRecord record) {
    }

    private final AtomicReferenceArray<Slot> slots;
    private final AtomicLong next = new AtomicLong();

    AuditRing(int capacity) {
        slots = new AtomicReferenceArray<>(capacity);
    }

    int capacity() {
        return slots.length();
    }

    void add(AuditRecord record) {
        int capacity = slots.length();
        if (capacity == 0) {
            return;
        }
        long sequence = next.getAndIncrement();
        Slot slot = new Slot(sequence, record);
        int index = (int) (sequence % capacity);
        // A writer delayed by a whole lap must not overwrite the newer record that took its slot.
        Slot current;
        do {
            current = slots.get(index);
            if (current != null && current.sequence > sequence) {
                return;
            }
        } while (!slots.compareAndSet(index, current, slot));
    }

    /** Up to {@code limit} most recent records, oldest first, in a new list. */
    List<AuditRecord> recent(int limit) {
        int capacity = slots.length();
        long end = next.get();
        long start = Math.max(0, end - Math.min(Math.max(limit, 0), capacity));
        List<AuditRecord> out = new ArrayList<>((int) (end - start));
        for (long s = start; s < end; s++) {
            Slot slot = slots.get((int) (s % capacity));
            if (slot != null && slot.sequence == s) {
                out.add(slot.record);
            }
        }
        return out;
    }
}
