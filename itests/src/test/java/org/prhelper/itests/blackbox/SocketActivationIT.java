package org.prhelper.itests.blackbox;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** systemd socket activation (LISTEN_FDS / LISTEN_PID), next to the reference where it defines behaviour. */
public class SocketActivationIT {
    /**
     * Runs PROGRAM with LISTEN_PID set to its own pid (sh execs it), LISTEN_FDS as given, and that many
     * descriptors open from 3 on (/dev/null: both helpers check only that they are open before these
     * errors); a negative count opens none.
     */
    private static Process activated(Path program, int listenFds, String... args) throws IOException {
        StringBuilder open = new StringBuilder();
        for (int fd = 3; fd < 3 + listenFds; fd++) {
            open.append("exec ").append(fd).append("</dev/null; ");
        }
        List<String> command = new ArrayList<>(List.of("sh", "-c", open + "LISTEN_PID=$$ LISTEN_FDS="
                + Math.abs(listenFds) + " exec \"$0\" \"$@\"", program.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static String errorOf(Process p) throws Exception {
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("did not exit", p.waitFor(60, TimeUnit.SECONDS));
        // Both name themselves by argv[0], here two different paths.
        String first = stderr.lines().findFirst().orElse("").replaceAll("\\S*/(qemu-pr-helper)", "$1");
        return p.exitValue() + " " + first;
    }

    @Test
    public void activationErrorsMatchTheReference() throws Exception {
        Path socket = Daemon.socketPath("act-k");
        for (String[] c : new String[][] {{"2"}, {"1", "-k", socket.toString()}, {"-1"}}) {
            String[] args = Arrays.copyOfRange(c, 1, c.length);
            int fds = Integer.parseInt(c[0]);
            String ref = errorOf(activated(Programs.qemuPrHelper(), fds, args));
            String ours = errorOf(activated(Programs.ourLauncher(), fds, args));
            assertEquals("LISTEN_FDS " + String.join(" ", c), ref, ours);
            assertTrue(ours, ours.startsWith("1 "));
        }
    }

    /**
     * systemd-socket-activate binds the socket and starts us only when the first client connects: that
     * client's request waits in the socket while the JVM starts, and is answered as the reference
     * answers it. The socket file is systemd's: still there after we stop.
     */
    @Test
    public void answersTheClientThatTriggeredTheStart() throws Exception {
        Reply expected;
        try (Daemon ref = Daemon.reference(); PrClient c = PrClient.connect(ref.socket());
                RandomAccessFile devNull = new RandomAccessFile("/dev/null", "rw")) {
            expected = c.request(devNull.getFD(), PrClient.prIn(0, 8192), new byte[0]);
        }
        Path data = Files.createTempDirectory("prh-data-");
        Path socket = Daemon.socketPath("activated");
        try (Daemon ours = Daemon.start("ours-activated", List.of(Programs.systemdSocketActivate().toString(),
                "-l", socket.toString(), Programs.ourLauncher().toString()),
                Map.of("PRHELPER_DATA", data.toString()), socket, data)) {
            try (AFUNIXSocket s = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socket));
                    RandomAccessFile devNull = new RandomAccessFile("/dev/null", "rw")) {
                s.setSoTimeout(60_000); // the JVM starts after this connect
                DataInputStream in = new DataInputStream(s.getInputStream());
                assertEquals("server feature flags", 0, in.readInt());
                s.getOutputStream().write(new byte[4]);
                s.setOutboundFileDescriptors(devNull.getFD());
                s.getOutputStream().write(PrClient.prIn(0, 8192));
                byte[] header = new byte[Reply.HEADER_BYTES];
                in.readFully(header);
                assertEquals(expected.toString(), new Reply(header).toString());
            }
            assertEquals("exit status after SIGTERM", 0, ours.stop());
            assertTrue("socket file " + socket + " left to systemd", Files.exists(socket));
        } finally {
            Files.deleteIfExists(socket);
        }
    }
}
