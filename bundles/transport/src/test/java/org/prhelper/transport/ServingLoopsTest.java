package org.prhelper.transport;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.After;
import org.junit.Test;
import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.PrHandler;
import org.prhelper.api.ScsiStatus;
import org.prhelper.policy.SocketPolicy;

/**
 * The serving design: a device command waits at a worker, not on a serving thread, in its device's
 * line; the bounds are configured. "Devices" are files lun0, lun1, ... whose number is the minor.
 */
public class ServingLoopsTest {
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Map<Integer, RandomAccessFile> luns = new ConcurrentHashMap<>();
    private ServingLoops loops;
    private Path dir;

    @After
    public void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (loops != null) {
            loops.stop();
        }
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    public void outOfRangeLimitsKeepTheValuesInForce() throws IOException {
        ServingLoops loops = new ServingLoops(Configs.serving(Map.of("maxDeviceCommands", 0,
                "maxDeviceCommandsPerDevice", 8)));
        try {
            assertEquals("the default for a value out of range", 128, loops.maxDeviceCommands());
            assertEquals(8, loops.maxDeviceCommandsPerDevice());
            loops.configure(Configs.serving(Map.of("maxDeviceCommands", 64, "maxDeviceCommandsPerDevice", 5000)));
            assertEquals(64, loops.maxDeviceCommands());
            assertEquals("kept", 8, loops.maxDeviceCommandsPerDevice());
            loops.configure(Configs.serving(Map.of("maxDeviceCommands", -1, "maxDeviceCommandsPerDevice", 4)));
            assertEquals("kept", 64, loops.maxDeviceCommands());
            assertEquals(4, loops.maxDeviceCommandsPerDevice());
        } finally {
            loops.stop();
        }
    }

    /**
     * One serving thread, eight VMs each on its own LUN, every command waiting at its device: all eight
     * are at their devices at once, and no serving thread is held (none replaced by the watchdog), so a
     * ninth VM is answered meanwhile.
     */
    @Test
    public void deviceCommandsWaitWithoutHoldingTheServingThread() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger atDevices = new AtomicInteger();
        Path sock = serve(1, 128, 16, (req, resp) -> {
            if (req.serviceAction() == 1) {
                atDevices.incrementAndGet();
                await(release);
                atDevices.decrementAndGet();
            }
            resp.status(ScsiStatus.GOOD);
        });
        List<TestClient> vms = new ArrayList<>();
        for (int lun = 0; lun < 8; lun++) {
            TestClient vm = client(sock);
            vm.send(lun(lun).getFD(), 1, 8);
            vms.add(vm);
        }
        assertTrue("eight commands at their devices at once: " + atDevices.get(), until(() -> atDevices.get() == 8));
        try (TestClient ninth = client(sock)) {
            assertEquals(ScsiStatus.GOOD, ninth.readKeys(lun(8).getFD()));
        }
        assertEquals("serving threads replaced", 0, loops.replacements());
        assertEquals(1, loops.threadCount());
        release.countDown();
        for (TestClient vm : vms) {
            assertEquals(ScsiStatus.GOOD, vm.reply());
        }
    }

    /**
     * A LUN that stops answering holds at most maxDeviceCommandsPerDevice workers: its other commands
     * wait in its line, and another LUN's commands are answered meanwhile; when it answers, every
     * waiting command is answered too.
     */
    @Test
    public void aDeviceThatHangsHoldsOnlyItsOwnLine() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger atHungDevice = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Path sock = serve(2, 8, 2, (req, resp) -> {
            if (req.serviceAction() == 1) {
                most.accumulateAndGet(atHungDevice.incrementAndGet(), Math::max);
                await(release);
                atHungDevice.decrementAndGet();
            }
            resp.status(ScsiStatus.GOOD);
        });
        RandomAccessFile hung = lun(0);
        List<TestClient> waiting = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            TestClient vm = client(sock);
            vm.send(hung.getFD(), 1, 8);
            waiting.add(vm);
        }
        assertTrue(until(() -> atHungDevice.get() == 2));
        try (TestClient other = client(sock)) {
            for (int i = 0; i < 20; i++) {
                assertEquals(ScsiStatus.GOOD, other.readKeys(lun(1).getFD()));
            }
        }
        assertEquals("commands at the hung LUN", 2, most.get());
        assertTrue("workers: " + loops.workerCount(), loops.workerCount() <= 3);
        release.countDown();
        for (TestClient vm : waiting) {
            assertEquals(ScsiStatus.GOOD, vm.reply());
        }
        assertEquals("never more than the line's bound", 2, most.get());
    }

    /** Serves a socket with these bounds, the handler, and an inspector that reads the LUN from the name. */
    private Path serve(int threads, int maxDeviceCommands, int perDevice, PrHandler handler) throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "prs");
        loops = new ServingLoops(threads, ServingLoops.STALL_MILLIS, maxDeviceCommands, perDevice);
        RequestServices requests = new RequestServices(loops, millis -> handler);
        requests.inspector = device -> {
            try {
                String name = Files.readSymbolicLink(Path.of("/proc/self/fd/" + device.fd())).getFileName().toString();
                return new DeviceIdentity(name, DeviceIdentity.Kind.BLOCK, 8, Integer.parseInt(name.substring(3)),
                        null, null);
            } catch (IOException e) {
                return DeviceIdentity.UNKNOWN;
            }
        };
        Path sock = dir.resolve("s.sock");
        Listener listener = new Listener(SocketSettings.of(Configs.socket(sock.toString(), "", 8, 100)),
                new SocketServices() {
                    @Override
                    public String socketName() {
                        return "test";
                    }

                    @Override
                    public SocketPolicy policy() {
                        return SocketPolicy.ALLOW_ALL;
                    }

                    @Override
                    public RequestServices requests() {
                        return requests;
                    }
                });
        open.add(() -> listener.close(1000));
        return sock;
    }

    private RandomAccessFile lun(int n) throws IOException {
        RandomAccessFile f = luns.get(n);
        if (f == null) {
            f = new RandomAccessFile(dir.resolve("lun" + n).toFile(), "rw");
            luns.put(n, f);
            open.add(f);
        }
        return f;
    }

    private TestClient client(Path sock) throws IOException {
        TestClient c = new TestClient(sock);
        open.add(c);
        return c;
    }

    private static void await(CountDownLatch release) {
        try {
            release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean until(BooleanSupplier condition) {
        return Polling.until(condition, 5000, 5);
    }
}
