package org.prhelper.device;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.DeviceIdentity.Kind;
import org.prhelper.api.PrDevice;

public class LinuxDeviceInspectorTest {
    private static final String NULL_WWID = "naa.6001405ab0000000000000000000003";
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();
    private FakeSysfs tree;
    private LinuxDeviceInspector inspector;
    private long now;

    @Before
    public void inspector() throws IOException {
        tree = new FakeSysfs(tmp.newFolder("sys").toPath());
        // Gives /dev/null (char 1:3) a WWID, so the tests see numbers and sysfs wired together.
        tree.write("dev/char/1:3/device/wwid", NULL_WWID + "\n");
        inspector = new LinuxDeviceInspector(Path.of("/proc/self/fd"), new Statx(), new Sysfs(tree.root), () -> now);
    }

    @Test
    public void devNullIsCharacterDevice1_3() throws IOException {
        try (OpenDescriptor d = new OpenDescriptor(Path.of("/dev/null"))) {
            assertEquals(new DeviceIdentity("/dev/null", Kind.CHARACTER, 1, 3, NULL_WWID, null),
                    inspector.identify(() -> d.fd));
        }
    }

    /** A request's device as the transport hands it out: it keeps what the inspector found. */
    private static final class Request implements PrDevice {
        private final int fd;
        private DeviceIdentity identity;

        Request(int fd) {
            this.fd = fd;
        }

        @Override
        public int fd() {
            return fd;
        }

        @Override
        public DeviceIdentity identity() {
            return identity;
        }

        @Override
        public void identity(DeviceIdentity identity) {
            this.identity = identity;
        }
    }

    /**
     * One request's device is identified once however many components ask, on any thread: the same
     * object gets the kept answer even after its descriptor number came to name another file; a new
     * object (the next request) is looked up afresh, and one that keeps nothing every time.
     */
    @Test
    public void theSameDeviceObjectIsIdentifiedOnce() throws Exception {
        Path fdDir = tmp.newFolder("fd").toPath();
        Path first = tmp.newFile("first").toPath();
        Path second = tmp.newFile("second").toPath();
        LinuxDeviceInspector fake = new LinuxDeviceInspector(fdDir, new ProcStat(fdDir), new Sysfs(tree.root), () -> now);
        Files.createSymbolicLink(fdDir.resolve("5"), first);
        PrDevice request = new Request(5);
        assertEquals(first.toString(), fake.identify(request).path());
        Files.delete(fdDir.resolve("5"));
        Files.createSymbolicLink(fdDir.resolve("5"), second);
        assertEquals(first.toString(), fake.identify(request).path());
        java.util.concurrent.CompletableFuture<DeviceIdentity> elsewhere =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> fake.identify(request));
        assertEquals("another thread (a device worker) gets the same answer", first.toString(),
                elsewhere.get().path());
        assertEquals(second.toString(), fake.identify(new Request(5)).path());
        assertEquals(second.toString(), fake.identify(() -> 5).path());
    }

    /** statx's struct, read at its fixed offsets, says what the JDK's stat through /proc says. */
    @Test
    public void statxAndStatThroughProcAgree() throws IOException {
        ProcStat proc = new ProcStat(Path.of("/proc/self/fd"));
        Statx statx = new Statx();
        Path file = tmp.newFile("plain").toPath();
        for (Path path : new Path[] {Path.of("/dev/null"), Path.of("/dev/zero"), file}) {
            try (OpenDescriptor d = new OpenDescriptor(path)) {
                assertEquals(path.toString(), proc.of(d.fd), statx.of(d.fd));
            }
        }
        assertFalse(statx.of(Integer.MAX_VALUE).isPresent());
        assertFalse(statx.of(-1).isPresent());
    }

    /**
     * A device node is identified by its inode: within the lifetime the path is not read again, even
     * when the descriptor number now leads there through another name; after it, it is.
     */
    @Test
    public void aDeviceNodeIsReadOncePerLifetime() throws Exception {
        Path fdDir = tmp.newFolder("fd").toPath();
        Path alias = tmp.getRoot().toPath().resolve("null-alias");
        Files.createSymbolicLink(alias, Path.of("/dev/null"));
        LinuxDeviceInspector fake = new LinuxDeviceInspector(fdDir, new ProcStat(fdDir), new Sysfs(tree.root), () -> now);
        Files.createSymbolicLink(fdDir.resolve("7"), Path.of("/dev/null"));
        assertEquals("/dev/null", fake.identify(7).path());
        Files.delete(fdDir.resolve("7"));
        Files.createSymbolicLink(fdDir.resolve("7"), alias);
        assertEquals("same inode: the kept answer", "/dev/null", fake.identify(7).path());
        Files.delete(fdDir.resolve("7"));
        Files.createSymbolicLink(fdDir.resolve("7"), Path.of("/dev/zero"));
        assertEquals("another inode: read afresh", new DeviceIdentity("/dev/zero", Kind.CHARACTER, 1, 5, null, null),
                fake.identify(7));
        Files.delete(fdDir.resolve("7"));
        Files.createSymbolicLink(fdDir.resolve("7"), alias);
        now += 10_000_000_000L;
        assertEquals("after the lifetime: read afresh", alias.toString(), fake.identify(7).path());
    }

    @Test
    public void pathIsWhereTheLinksLead() throws IOException {
        Path link = tmp.getRoot().toPath().resolve("null-link");
        Files.createSymbolicLink(link, Path.of("/dev/null"));
        try (OpenDescriptor d = new OpenDescriptor(link)) {
            Files.delete(link);
            assertEquals("/dev/null", inspector.identify(d.fd).path());
        }
    }

    @Test
    public void regularFileIsOtherWithItsPath() throws IOException {
        Path file = tmp.newFile("plain").toPath();
        try (OpenDescriptor d = new OpenDescriptor(file)) {
            assertEquals(new DeviceIdentity(file.toString(), Kind.OTHER, -1, -1, null, null), inspector.identify(d.fd));
        }
    }

    @Test
    public void deletedFileIsStillIdentifiedByWhatIsOpen() throws IOException {
        Path file = tmp.newFile("gone").toPath();
        try (OpenDescriptor d = new OpenDescriptor(file)) {
            Files.delete(file);
            Files.createDirectory(file);
            DeviceIdentity id = inspector.identify(d.fd);
            assertEquals(file + " (deleted)", id.path());
            assertEquals(Kind.OTHER, id.kind());
            // stat through /proc/self/fd/N reaches the open file, not the directory now at its path.
            Map<String, Object> stat = Files.readAttributes(Path.of("/proc/self/fd/" + d.fd), "unix:mode");
            assertEquals(S_IFREG, (Integer) stat.get("mode") & S_IFMT);
        }
    }

    @Test
    public void descriptorThatIsNotOpenIsUnknown() {
        assertSame(DeviceIdentity.UNKNOWN, inspector.identify(Integer.MAX_VALUE));
        assertSame(DeviceIdentity.UNKNOWN, inspector.identify(-1));
    }

    @Test
    public void sysfsIsReadOncePerLifetime() throws IOException {
        try (OpenDescriptor d = new OpenDescriptor(Path.of("/dev/null"))) {
            assertEquals(NULL_WWID, inspector.identify(d.fd).wwid());
            tree.write("dev/char/1:3/device/wwid", "naa.6001405ab0000000000000000000004\n");
            assertEquals(NULL_WWID, inspector.identify(d.fd).wwid());
            now += 10_000_000_000L;
            assertEquals("naa.6001405ab0000000000000000000004", inspector.identify(d.fd).wwid());
        }
    }

    @Test
    public void badCacheSecondsKeepsThePreviousValue() throws IOException {
        inspector.configure(Map.of("cacheSeconds", "0"));
        inspector.configure(Map.of("cacheSeconds", "ten"));
        try (OpenDescriptor d = new OpenDescriptor(Path.of("/dev/null"))) {
            inspector.identify(d.fd);
        }
        assertEquals("still off", 0, inspector.cached());
    }

    @Test
    public void parsesCacheSeconds() {
        assertEquals(10, LinuxDeviceInspector.parseCacheSeconds(null));
        assertEquals(0, LinuxDeviceInspector.parseCacheSeconds("0"));
        assertEquals(30, LinuxDeviceInspector.parseCacheSeconds(" 30 "));
        assertEquals(60, LinuxDeviceInspector.parseCacheSeconds(60));
        assertEquals(86400, LinuxDeviceInspector.parseCacheSeconds(86400L));
        assertRejected("-1", "cacheSeconds = '-1': not a number of seconds 0..86400");
        assertRejected("86401", "cacheSeconds = '86401': not a number of seconds 0..86400");
        assertRejected("ten", "cacheSeconds = 'ten': not a number of seconds 0..86400");
        assertRejected("", "cacheSeconds = '': not a number of seconds 0..86400");
    }

    private static void assertRejected(Object value, String message) {
        try {
            LinuxDeviceInspector.parseCacheSeconds(value);
            fail("accepted " + value);
        } catch (IllegalArgumentException e) {
            assertEquals(message, e.getMessage());
        }
    }

    @Test
    public void unreadableSysfsLeavesIdsNull() throws IOException {
        LinuxDeviceInspector bare = new LinuxDeviceInspector(Path.of("/proc/self/fd"), new Statx(),
                new Sysfs(tmp.getRoot().toPath().resolve("no-sysfs")), () -> now);
        try (OpenDescriptor d = new OpenDescriptor(Path.of("/dev/null"))) {
            DeviceIdentity id = bare.identify(d.fd);
            assertEquals("1:3", id.numbers());
            assertNull(id.wwid());
            assertNull(id.dmUuid());
        }
    }
}
