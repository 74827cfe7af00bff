package org.prhelper.audit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.prhelper.api.AuditRecord;
import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.PeerIdentity;
import org.prhelper.api.ScsiStatus;

public class AuditFileTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void eachRecordIsOneLineStampedWithItsTime() throws IOException {
        Path path = tmp.getRoot().toPath().resolve("sub/audit.log");
        try (AuditFile f = new AuditFile(path, 1 << 20, 2)) {
            f.append(Records.register());
            f.append(rec(7));
        }
        assertEquals(List.of(stamped(AuditLine.format(Records.register())), stamped(line(7))),
                Files.readAllLines(path));
    }

    /** Names outside ASCII (a VM called "café-ü", a path in another script) are written as UTF-8. */
    @Test
    public void aLineWithCharactersBeyondAsciiIsUtf8() throws IOException {
        Path path = tmp.getRoot().toPath().resolve("audit.log");
        AuditRecord ascii = Records.register();
        AuditRecord named = new AuditRecord(Records.TIME, "default", new PeerIdentity(1, 2, 3, "café-ü"),
                new DeviceIdentity("/dev/диск", DeviceIdentity.Kind.BLOCK, 8, 16, null, null), 0x5E, 0, -1, -1,
                0L, 0L, "allow", "sgio", ScsiStatus.GOOD, 0, 0, 0, 5);
        try (AuditFile f = new AuditFile(path, 1 << 20, 2)) {
            f.append(ascii);
            f.append(named);
            f.append(ascii);
        }
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        assertEquals(List.of(stamped(AuditLine.format(ascii)), stamped(AuditLine.format(named)),
                stamped(AuditLine.format(ascii))), lines);
        assertTrue(lines.get(1), lines.get(1).contains(" vm=café-ü dev=/dev/диск "));
    }

    @Test
    public void appendsToAnExistingFile() throws IOException {
        Path path = tmp.getRoot().toPath().resolve("audit.log");
        Files.writeString(path, "earlier line\n");
        try (AuditFile f = new AuditFile(path, 1 << 20, 2)) {
            f.append(rec(1));
        }
        List<String> lines = Files.readAllLines(path);
        assertEquals(2, lines.size());
        assertEquals("earlier line", lines.get(0));
    }

    @Test
    public void rotatesBySizeAndKeepsTheNewestFiles() throws IOException {
        Path path = tmp.getRoot().toPath().resolve("audit.log");
        int lineBytes = stamped(line(1)).length() + 1;
        // Three lines per file; 20 records fill seven files, of which the current one and 2 old ones stay.
        try (AuditFile f = new AuditFile(path, 3L * lineBytes, 2)) {
            for (long i = 1; i <= 20; i++) {
                f.append(rec(i));
                // One record per batch, so that rotation is checked line by line, not only per batch.
                waitWritten(path, i);
            }
        }
        assertFalse(Files.exists(path.resolveSibling("audit.log.3")));
        List<String> all = new ArrayList<>();
        for (String name : List.of("audit.log.2", "audit.log.1", "audit.log")) {
            List<String> lines = Files.readAllLines(path.resolveSibling(name));
            assertTrue(name + " holds at most 3 lines: " + lines, lines.size() <= 3);
            all.addAll(lines);
        }
        List<String> expected = new ArrayList<>();
        for (long i = 20 - all.size() + 1; i <= 20; i++) {
            expected.add(line(i));
        }
        assertEquals("the newest lines, in order, across the files", expected, stripTime(all));
        assertTrue("two full old files and the current one: " + all.size(), all.size() >= 7);
    }

    @Test
    public void keepZeroTruncatesInsteadOfRotating() throws IOException {
        Path path = tmp.getRoot().toPath().resolve("audit.log");
        int lineBytes = stamped(line(1)).length() + 1;
        try (AuditFile f = new AuditFile(path, 2L * lineBytes, 0)) {
            for (long i = 1; i <= 5; i++) {
                f.append(rec(i));
                waitWritten(path, i);
            }
        }
        assertFalse(Files.exists(path.resolveSibling("audit.log.1")));
        assertEquals(List.of(line(5)), stripTime(Files.readAllLines(path)));
    }

    @Test
    public void losesNoRecordFromManyThreadsEvenWhenTheQueueIsFull() throws Exception {
        Path path = tmp.getRoot().toPath().resolve("audit.log");
        int threads = 4;
        int each = AuditFile.QUEUE_LIMIT * 2;
        try (AuditFile f = new AuditFile(path, 1L << 30, 1)) {
            List<Thread> producers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long base = t * 1_000_000L;
                producers.add(new Thread(() -> {
                    for (long i = 0; i < each; i++) {
                        f.append(rec(base + i));
                    }
                }));
            }
            producers.forEach(Thread::start);
            for (Thread p : producers) {
                p.join();
            }
        }
        List<String> lines = Files.readAllLines(path);
        assertEquals(threads * each, lines.size());
        Set<String> distinct = new HashSet<>(lines);
        assertEquals("every record once", threads * each, distinct.size());
    }

    @Test
    public void aRecordAppendedAfterCloseIsIgnored() throws IOException {
        Path path = tmp.getRoot().toPath().resolve("audit.log");
        AuditFile f = new AuditFile(path, 1 << 20, 1);
        f.append(rec(1));
        f.close();
        f.append(rec(2));
        f.close();
        assertEquals(List.of(line(1)), stripTime(Files.readAllLines(path)));
    }

    @Test
    public void aFailingWriteCountsItsLinesAndIsLoggedSparingly() throws IOException {
        // /dev/full takes the open and fails every write with ENOSPC, as a full disk does.
        try (LogCapture errors = new LogCapture(AuditFile.class.getName())) {
            AuditFile f = new AuditFile(Path.of("/dev/full"), 1L << 30, 0);
            for (long i = 1; i <= 5; i++) {
                f.append(rec(i));
                waitLost(f, i);
            }
            f.close();
            assertEquals(5, f.lost());
            // Five failed writes: logged at the 1st, 2nd and 4th.
            List<String> logged = errors.messages(Level.SEVERE);
            assertEquals(logged.toString(), 3, logged.size());
        }
    }

    /** A record told apart by {@code id} in its line (the latency field, in microseconds, 3 digits or more). */
    private static AuditRecord rec(long id) {
        return Records.readKeys((100 + id) * 1000);
    }

    private static String line(long id) {
        return AuditLine.format(rec(id));
    }

    /** The line as the file holds it: the record's time (local, with its offset), a space, the fields. */
    private static String stamped(String line) {
        return DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSxxx").withZone(ZoneId.systemDefault())
                .format(Records.TIME) + " " + line;
    }

    private static List<String> stripTime(List<String> lines) {
        return lines.stream().map(l -> l.substring(l.indexOf(' ') + 1)).toList();
    }

    /** Waits until the writer has written line {@code id} somewhere (the current file or a rotated one). */
    private static void waitWritten(Path path, long id) throws IOException {
        String wanted = line(id);
        Path previous = path.resolveSibling(path.getFileName() + ".1");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (linesOf(path).contains(wanted) || linesOf(previous).contains(wanted)) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("line " + id + " not written within 10 s");
    }

    /** The lines without their time; none if the file is missing (it may be in the middle of a rotation). */
    private static List<String> linesOf(Path file) throws IOException {
        try {
            return stripTime(Files.readAllLines(file));
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    private static void waitLost(AuditFile f, long n) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (f.lost() < n && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }
}
