package org.prhelper.handoff;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.prhelper.api.HandoffSocket;
import org.prhelper.api.SocketHandoff;

/** The control socket over real Unix sockets, with a transport that records what it is asked to serve. */
public class ControlSocketTest {
    private Path dir;
    private Path control;
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final BlockingQueue<String> served = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> stopped = new LinkedBlockingQueue<>();

    /** Records the name, keeps the descriptor open until the handle closes, as the transport does. */
    private final SocketHandoff handoff = (name, path, fd) -> {
        served.add(name);
        return new HandoffSocket() {
            private boolean closed;

            @Override
            public String name() {
                return name + "-served";
            }

            @Override
            public String path() {
                return null;
            }

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    try {
                        new FileInputStream(fd).close();
                    } catch (IOException ignored) {
                        // test double
                    }
                    stopped.add(name);
                }
            }
        };
    };

    @Before
    public void setUp() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "prc");
        control = dir.resolve("run").resolve("control.sock");
    }

    @After
    public void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    private static HandoffConfig config(Map<String, Object> values) {
        return (HandoffConfig) Proxy.newProxyInstance(HandoffConfig.class.getClassLoader(),
                new Class<?>[] {HandoffConfig.class}, (proxy, method, args) -> {
                    Object v = values.get(method.getName());
                    return v != null ? v : method.getDefaultValue();
                });
    }

    private ControlSocket start(Map<String, Object> values) {
        Map<String, Object> all = new java.util.HashMap<>(values);
        all.putIfAbsent("path", control.toString());
        ControlSocket c = new ControlSocket(config(all), handoff);
        cleanup.add(c::stop);
        return c;
    }

    private AFUNIXServerSocket listening(String file) throws IOException {
        AFUNIXServerSocket s = AFUNIXServerSocket.newInstance();
        s.bind(AFUNIXSocketAddress.of(dir.resolve(file)), 4);
        cleanup.add(s);
        return s;
    }

    private AFUNIXSocket connect() throws IOException {
        AFUNIXSocket s = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(control));
        s.setSoTimeout(10_000);
        cleanup.add(s);
        return s;
    }

    private static String send(AFUNIXSocket s, byte[] message, FileDescriptor... fds) throws IOException {
        if (fds.length > 0) {
            s.setOutboundFileDescriptors(fds);
        }
        s.getOutputStream().write(message);
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    @Test
    public void servesTheHandedSocketUntilTheConnectionEnds() throws Exception {
        start(Map.of());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(control)));
        AFUNIXSocket vm = connect();
        String path = "/var/lib/libvirt/qemu/domain-7-web1/pr-helper0.sock";
        assertEquals("OK vm-web1-served", send(vm, HandoffRequest.encode(path), listening("a.sock").getFileDescriptor()));
        assertEquals("vm-web1", served.poll(10, TimeUnit.SECONDS));
        assertTrue(stopped.isEmpty());
        vm.close();
        assertEquals("EOF stops that socket", "vm-web1", stopped.poll(10, TimeUnit.SECONDS));
    }

    @Test
    public void refusesMalformedRequestsAndExtraDescriptors() throws Exception {
        start(Map.of());
        assertEquals("ERR not a prhelper-vm handoff request (no PRVM magic)",
                send(connect(), "GET / HTTP/1.0\r\n".getBytes(StandardCharsets.US_ASCII),
                        listening("a.sock").getFileDescriptor()));
        assertEquals("ERR expected the listening socket as the only descriptor, got 0",
                send(connect(), HandoffRequest.encode("/x/y.sock")));
        try (RandomAccessFile devNull = new RandomAccessFile("/dev/null", "r")) {
            assertEquals("ERR expected the listening socket as the only descriptor, got 2",
                    send(connect(), HandoffRequest.encode("/x/y.sock"), listening("b.sock").getFileDescriptor(),
                            devNull.getFD()));
        }
        assertTrue("nothing served", served.isEmpty());
    }

    @Test
    public void stoppingTheAgentStopsEveryHandedSocketAndRemovesTheFile() throws Exception {
        ControlSocket c = start(Map.of());
        assertTrue(send(connect(), HandoffRequest.encode("/a/one.sock"), listening("a.sock").getFileDescriptor())
                .startsWith("OK "));
        AFUNIXSocket second = connect();
        assertTrue(send(second, HandoffRequest.encode("/a/two.sock"), listening("b.sock").getFileDescriptor())
                .startsWith("OK "));
        c.stop();
        List<String> names = new ArrayList<>();
        names.add(stopped.poll(10, TimeUnit.SECONDS));
        names.add(stopped.poll(10, TimeUnit.SECONDS));
        names.sort(null);
        assertEquals(List.of("vm-one", "vm-two"), names);
        assertFalse(Files.exists(control));
        assertEquals("prhelper-vm sees the end and reconnects", -1, second.getInputStream().read());
    }

    @Test
    public void leavesALiveControlSocketOfAnotherAgentAloneAndReplacesAStaleOne() throws Exception {
        Files.createDirectories(control.getParent());
        try (AFUNIXServerSocket other = AFUNIXServerSocket.newInstance()) {
            other.bind(AFUNIXSocketAddress.of(control), 4);
            Object before = Files.getAttribute(control, "unix:ino");
            ControlSocket c = start(Map.of());
            c.stop();
            assertEquals("the other agent's socket stays", before, Files.getAttribute(control, "unix:ino"));
        }
        Files.deleteIfExists(control);
        Files.createFile(control); // a stale file, left by an agent that was killed
        start(Map.of("mode", "0660"));
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(control)));
        assertTrue(send(connect(), HandoffRequest.encode("/a/one.sock"), listening("a.sock").getFileDescriptor())
                .startsWith("OK "));
    }

    @Test
    public void anInvalidModeKeepsTheControlSocketClosed() {
        start(Map.of("mode", "0988"));
        assertFalse(Files.exists(control));
    }

    @Test
    public void disabledOpensNothing() {
        start(Map.of("enabled", false));
        assertFalse(Files.exists(control));
    }
}
