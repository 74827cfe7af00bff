package org.prhelper.audit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.annotation.Annotation;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.Test;
import org.osgi.service.event.Event;
import org.prhelper.api.AuditRecord;

public class AuditTrailTest {
    static AuditConfig config(int memoryRecords, boolean log, boolean events) {
        return new AuditConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return AuditConfig.class;
            }

            @Override
            public int memoryRecords() {
                return memoryRecords;
            }

            @Override
            public boolean log() {
                return log;
            }

            @Override
            public boolean events() {
                return events;
            }
        };
    }

    /** As Felix SCR's configuration object behaves when memoryRecords is not a number. */
    private static AuditConfig notANumber() {
        AuditConfig valid = config(0, true, true);
        return new AuditConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return AuditConfig.class;
            }

            @Override
            public int memoryRecords() {
                throw new IllegalArgumentException(new NumberFormatException("For input string: \"10k\""));
            }

            @Override
            public boolean log() {
                return valid.log();
            }

            @Override
            public boolean events() {
                return valid.events();
            }
        };
    }

    private static List<Long> ids(List<AuditRecord> records) {
        return records.stream().map(AuditRecord::latencyNanos).toList();
    }

    @Test
    public void memoryRecordsOutOfRangeFallsBackToTheDefaultWithAnError() {
        try (LogCapture errors = new LogCapture(AuditTrail.class.getName())) {
            assertEquals(10000, new AuditTrail(config(-1, true, true)).memoryCapacity());
            assertEquals(10000, new AuditTrail(config(1_000_001, true, true)).memoryCapacity());
            assertEquals(List.of("memoryRecords = -1 is out of range 0..1000000; using 10000",
                    "memoryRecords = 1000001 is out of range 0..1000000; using 10000"),
                    errors.messages(Level.SEVERE));
            assertEquals(0, new AuditTrail(config(0, true, true)).memoryCapacity());
            assertEquals(1_000_000, new AuditTrail(config(1_000_000, true, true)).memoryCapacity());
            assertEquals(2, errors.records.size());
        }
    }

    @Test
    public void memoryRecordsNotANumberFallsBackToTheDefaultWithAnError() {
        try (LogCapture errors = new LogCapture(AuditTrail.class.getName())) {
            assertEquals(10000, new AuditTrail(notANumber()).memoryCapacity());
            assertEquals(List.of("memoryRecords is not a number (java.lang.NumberFormatException: "
                    + "For input string: \"10k\"); using 10000"),
                    errors.messages(Level.SEVERE));
        }
    }

    @Test
    public void eachRecordIsOneInfoLineOnPrhelperAudit() {
        try (LogCapture audit = new LogCapture("prhelper.audit")) {
            AuditTrail trail = new AuditTrail(config(10, true, true));
            trail.record(Records.register());
            assertEquals(1, audit.records.size());
            LogRecord line = audit.records.get(0);
            assertEquals(Level.INFO, line.getLevel());
            assertEquals(AuditLine.format(Records.register()), line.getMessage());
        }
    }

    @Test
    public void logOffWritesNoLineButStillKeepsTheRecord() {
        try (LogCapture audit = new LogCapture("prhelper.audit")) {
            AuditTrail trail = new AuditTrail(config(10, false, true));
            trail.record(Records.readKeys(1));
            assertTrue(audit.records.isEmpty());
            assertEquals(List.of(1L), ids(trail.recent(10)));
        }
    }

    @Test
    public void recentIsBoundedAndOldestFirst() {
        try (LogCapture quiet = new LogCapture("prhelper.audit")) {
            AuditTrail trail = new AuditTrail(config(3, true, false));
            for (long i = 1; i <= 5; i++) {
                trail.record(Records.readKeys(i));
            }
            assertEquals(List.of(3L, 4L, 5L), ids(trail.recent(100)));
            assertEquals(List.of(5L), ids(trail.recent(1)));
        }
    }

    @Test
    public void resizingKeepsTheMostRecentRecords() {
        try (LogCapture quiet = new LogCapture("prhelper.audit")) {
            AuditTrail trail = new AuditTrail(config(5, true, false));
            for (long i = 1; i <= 5; i++) {
                trail.record(Records.readKeys(i));
            }
            trail.configure(config(2, true, false));
            assertEquals(List.of(4L, 5L), ids(trail.recent(100)));
            trail.configure(config(4, true, false));
            trail.record(Records.readKeys(6));
            assertEquals(List.of(4L, 5L, 6L), ids(trail.recent(100)));
            trail.configure(config(0, true, false));
            trail.record(Records.readKeys(7));
            assertEquals(List.of(), trail.recent(100));
        }
    }

    @Test
    public void postsAnEventPerRecordWhileAnEventAdminIsBoundAndEventsAreOn() {
        try (LogCapture quiet = new LogCapture("prhelper.audit")) {
            AuditTrail trail = new AuditTrail(config(10, true, true));
            trail.record(Records.readKeys(1));
            FakeEventAdmin admin = new FakeEventAdmin();
            trail.bindEventAdmin(admin);
            trail.record(Records.register());
            assertEquals(1, admin.posted.size());
            Event e = admin.posted.get(0);
            assertEquals("org/prhelper/audit/ALLOWED", e.getTopic());
            assertEquals(0x1234L, e.getProperty("serviceActionKey"));

            trail.configure(config(10, true, false));
            trail.record(Records.readKeys(2));
            assertEquals(1, admin.posted.size());
            trail.configure(config(10, true, true));

            trail.unbindEventAdmin(admin);
            trail.record(Records.readKeys(3));
            assertEquals(1, admin.posted.size());
        }
    }

    @Test
    public void greedyRebindKeepsTheNewEventAdmin() {
        try (LogCapture quiet = new LogCapture("prhelper.audit")) {
            AuditTrail trail = new AuditTrail(config(10, false, true));
            FakeEventAdmin old = new FakeEventAdmin();
            FakeEventAdmin better = new FakeEventAdmin();
            trail.bindEventAdmin(old);
            trail.bindEventAdmin(better);
            trail.unbindEventAdmin(old);
            trail.record(Records.readKeys(1));
            assertEquals(0, old.posted.size());
            assertEquals(1, better.posted.size());
        }
    }

    @Test
    public void recordNeverThrowsAndFailuresAreLoggedSparingly() {
        try (LogCapture audit = new LogCapture("prhelper.audit"); LogCapture warnings =
                new LogCapture(AuditTrail.class.getName())) {
            audit.failure = new IllegalStateException("disk full");
            AuditTrail trail = new AuditTrail(config(10, true, true));
            FakeEventAdmin admin = new FakeEventAdmin();
            admin.failure = new IllegalStateException("EventAdmin stopped");
            trail.bindEventAdmin(admin);
            for (long i = 1; i <= 3; i++) {
                trail.record(Records.readKeys(i));
            }
            trail.record(null);
            assertEquals("a failing log still leaves the record in memory", List.of(1L, 2L, 3L),
                    ids(trail.recent(10)));
            // Six failures (log and event, three times): logged at the 1st, 2nd and 4th.
            assertEquals(3, warnings.messages(Level.WARNING).size());
            assertEquals("Recording a request failed (4 failures so far)", warnings.messages(Level.WARNING).get(2));
        }
    }
}
