package org.prhelper.audit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.service.event.Event;
import org.prhelper.api.AuditRecord;

public class AuditTrailTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    static AuditConfig config(int memoryRecords, boolean log, boolean events) {
        return config(memoryRecords, log, events, "", 16, 9);
    }

    static AuditConfig config(int memoryRecords, boolean log, boolean events, String file, int maxFileSizeMb,
            int maxFiles) {
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
            public String file() {
                return file;
            }

            @Override
            public int maxFileSizeMb() {
                return maxFileSizeMb;
            }

            @Override
            public int maxFiles() {
                return maxFiles;
            }

            @Override
            public boolean events() {
                return events;
            }
        };
    }

    /** As Felix SCR's configuration object behaves when memoryRecords is not a number. */
    private static AuditConfig notANumber() {
        AuditConfig valid = config(0, false, true);
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
            public String file() {
                return valid.file();
            }

            @Override
            public int maxFileSizeMb() {
                return valid.maxFileSizeMb();
            }

            @Override
            public int maxFiles() {
                return valid.maxFiles();
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
            assertEquals(10000, new AuditTrail(config(-1, false, true)).memoryCapacity());
            assertEquals(10000, new AuditTrail(config(1_000_001, false, true)).memoryCapacity());
            assertEquals(List.of("memoryRecords = -1 is out of range 0..1000000; using 10000",
                    "memoryRecords = 1000001 is out of range 0..1000000; using 10000"),
                    errors.messages(Level.SEVERE));
            assertEquals(0, new AuditTrail(config(0, false, true)).memoryCapacity());
            assertEquals(1_000_000, new AuditTrail(config(1_000_000, false, true)).memoryCapacity());
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
    public void eachRecordIsOneLineInTheConfiguredFile() throws IOException {
        Path file = tmp.getRoot().toPath().resolve("audit.log");
        AuditTrail trail = new AuditTrail(config(10, true, true, file.toString(), 16, 9));
        trail.record(Records.register());
        trail.deactivate();
        List<String> lines = Files.readAllLines(file);
        assertEquals(1, lines.size());
        assertTrue(lines.get(0), lines.get(0).endsWith(" " + AuditLine.format(Records.register())));
    }

    @Test
    public void logOffWritesNoLineButStillKeepsTheRecord() {
        Path file = tmp.getRoot().toPath().resolve("audit.log");
        AuditTrail trail = new AuditTrail(config(10, false, true, file.toString(), 16, 9));
        trail.record(Records.readKeys(1));
        trail.deactivate();
        assertFalse(Files.exists(file));
        assertEquals(List.of(1L), ids(trail.recent(10)));
    }

    @Test
    public void aNewFileSettingMovesTheLinesThereAndTheOldFileKeepsItsOwn() throws IOException {
        Path first = tmp.getRoot().toPath().resolve("first.log");
        Path second = tmp.getRoot().toPath().resolve("second.log");
        AuditTrail trail = new AuditTrail(config(10, true, false, first.toString(), 16, 9));
        trail.record(Records.readKeys(1000));
        trail.configure(config(10, true, false, second.toString(), 16, 9));
        trail.record(Records.readKeys(2000));
        trail.deactivate();
        assertEquals(1, Files.readAllLines(first).size());
        assertTrue(Files.readAllLines(first).get(0).contains(" latency_us=1"));
        assertEquals(1, Files.readAllLines(second).size());
        assertTrue(Files.readAllLines(second).get(0).contains(" latency_us=2"));
    }

    /**
     * Records keep arriving while the file setting changes back and forth: each is written to the old
     * file or to the new one, none to neither (a record queued just as the old file closed was lost).
     */
    @Test
    public void noRecordIsLostWhileTheFileChanges() throws Exception {
        Path folder = tmp.getRoot().toPath();
        String[] names = {folder.resolve("a.log").toString(), folder.resolve("b.log").toString()};
        AuditTrail trail = new AuditTrail(config(0, true, false, names[0], 64, 9));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong recorded = new AtomicLong();
        List<Thread> recorders = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            long first = t * 100_000_000L;
            Thread thread = new Thread(() -> {
                long i = first;
                while (!stop.get()) {
                    trail.record(Records.readKeys(i++ * 1000)); // latency_us=i tells the records apart
                }
                recorded.addAndGet(i - first);
            });
            recorders.add(thread);
            thread.start();
        }
        for (int change = 1; change <= 30; change++) {
            trail.configure(config(0, true, false, names[change % 2], 64, 9));
        }
        stop.set(true);
        for (Thread t : recorders) {
            t.join();
        }
        trail.deactivate();
        Set<Long> written = new HashSet<>();
        Pattern id = Pattern.compile(" latency_us=(\\d+)");
        List<Path> files;
        try (Stream<Path> listed = Files.list(folder)) {
            files = listed.toList(); // the two files and what they rotated into
        }
        for (Path f : files) {
            for (String line : Files.readAllLines(f)) {
                Matcher m = id.matcher(line);
                assertTrue(line, m.find());
                assertTrue("written twice: " + line, written.add(Long.parseLong(m.group(1))));
            }
        }
        assertEquals("records written", recorded.get(), written.size());
    }

    @Test
    public void theDefaultFileIsInKarafsLogFolderAndARelativeOneUnderKarafsBase() {
        String log = System.getProperty("karaf.log");
        String base = System.getProperty("karaf.base");
        try {
            System.setProperty("karaf.log", "/var/lib/prhelper/log");
            System.setProperty("karaf.base", "/opt/prhelper");
            assertEquals(Path.of("/var/lib/prhelper/log/prhelper-audit.log"), AuditTrail.path(" "));
            assertEquals(Path.of("/opt/prhelper/audit/a.log"), AuditTrail.path("audit/a.log"));
            assertEquals(Path.of("/srv/a.log"), AuditTrail.path("/srv/a.log"));
        } finally {
            restore("karaf.log", log);
            restore("karaf.base", base);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    @Test
    public void aFileThatCannotBeOpenedIsAnErrorNamingTheKeyAndRecordsStayInMemory() throws IOException {
        Path notAFolder = tmp.newFile("plain").toPath();
        try (LogCapture errors = new LogCapture(AuditTrail.class.getName())) {
            AuditTrail trail = new AuditTrail(config(10, true, false, notAFolder.resolve("audit.log").toString(), 16, 9));
            trail.record(Records.readKeys(1));
            assertEquals(List.of(1L), ids(trail.recent(10)));
            List<String> logged = errors.messages(Level.SEVERE);
            assertEquals(1, logged.size());
            assertTrue(logged.get(0), logged.get(0).startsWith("file = '" + notAFolder.resolve("audit.log")
                    + "': cannot open the audit file"));
            trail.deactivate();
        }
    }

    @Test
    public void fileLimitsOutOfRangeFallBackToTheDefaultsWithAnError() {
        Path file = tmp.getRoot().toPath().resolve("audit.log");
        try (LogCapture errors = new LogCapture(AuditTrail.class.getName())) {
            AuditTrail trail = new AuditTrail(config(10, true, false, file.toString(), 0, 1001));
            assertEquals(16L << 20, trail.file().maxBytes());
            assertEquals(9, trail.file().keep());
            assertEquals(List.of("maxFileSizeMb = 0 is out of range 1..4096; using 16",
                    "maxFiles = 1001 is out of range 0..1000; using 9"), errors.messages(Level.SEVERE));
            trail.deactivate();
        }
    }

    @Test
    public void recentIsBoundedAndOldestFirst() {
        {
            AuditTrail trail = new AuditTrail(config(3, false, false));
            for (long i = 1; i <= 5; i++) {
                trail.record(Records.readKeys(i));
            }
            assertEquals(List.of(3L, 4L, 5L), ids(trail.recent(100)));
            assertEquals(List.of(5L), ids(trail.recent(1)));
        }
    }

    @Test
    public void resizingKeepsTheMostRecentRecords() {
        {
            AuditTrail trail = new AuditTrail(config(5, false, false));
            for (long i = 1; i <= 5; i++) {
                trail.record(Records.readKeys(i));
            }
            trail.configure(config(2, false, false));
            assertEquals(List.of(4L, 5L), ids(trail.recent(100)));
            trail.configure(config(4, false, false));
            trail.record(Records.readKeys(6));
            assertEquals(List.of(4L, 5L, 6L), ids(trail.recent(100)));
            trail.configure(config(0, false, false));
            trail.record(Records.readKeys(7));
            assertEquals(List.of(), trail.recent(100));
        }
    }

    @Test
    public void postsAnEventPerRecordWhileAnEventAdminIsBoundAndEventsAreOn() {
        {
            AuditTrail trail = new AuditTrail(config(10, false, true));
            trail.record(Records.readKeys(1));
            FakeEventAdmin admin = new FakeEventAdmin();
            trail.bindEventAdmin(admin);
            trail.record(Records.register());
            assertEquals(1, admin.posted.size());
            Event e = admin.posted.get(0);
            assertEquals("org/prhelper/audit/ALLOWED", e.getTopic());
            assertEquals(0x1234L, e.getProperty("serviceActionKey"));

            trail.configure(config(10, false, false));
            trail.record(Records.readKeys(2));
            assertEquals(1, admin.posted.size());
            trail.configure(config(10, false, true));

            trail.unbindEventAdmin(admin);
            trail.record(Records.readKeys(3));
            assertEquals(1, admin.posted.size());
        }
    }

    @Test
    public void greedyRebindKeepsTheNewEventAdmin() {
        {
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
        try (LogCapture warnings = new LogCapture(AuditTrail.class.getName())) {
            AuditTrail trail = new AuditTrail(config(10, false, true));
            FakeEventAdmin admin = new FakeEventAdmin();
            admin.failure = new IllegalStateException("EventAdmin stopped");
            trail.bindEventAdmin(admin);
            for (long i = 1; i <= 5; i++) {
                trail.record(Records.readKeys(i));
            }
            trail.record(null);
            assertEquals("a failing EventAdmin still leaves the record in memory", List.of(1L, 2L, 3L, 4L, 5L),
                    ids(trail.recent(10)));
            // Five failures: logged at the 1st, 2nd and 4th.
            assertEquals(3, warnings.messages(Level.WARNING).size());
            assertEquals("Recording a request failed (4 failures so far)", warnings.messages(Level.WARNING).get(2));
        }
    }
}
