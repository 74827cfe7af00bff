package org.prhelper.itests.blackbox;

import static org.junit.Assert.assertEquals;
import static org.junit.Assume.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

/**
 * -u/-g: started as root, the agent serves its socket as the given user and group, with no
 * supplementary groups and CAP_SYS_RAWIO as its only capability in every set. (That SG_IO still
 * works on a real disk that way is the VM lab's to show; here the requests go to /dev/null.)
 */
public class PrivilegeDropIT {
    /** CAP_SYS_RAWIO is capability 17. */
    private static final String ONLY_SYS_RAWIO = "0000000000020000";

    @Test
    public void servesAsTheGivenUserWithOnlyCapSysRawio() throws Exception {
        assumeTrue("dropping privileges needs root; CI runs as root", "root".equals(System.getProperty("user.name")));
        Reply expected;
        try (Daemon ref = Daemon.reference(); PrClient c = PrClient.connect(ref.socket());
                RandomAccessFile devNull = new RandomAccessFile("/dev/null", "rw")) {
            expected = c.request(devNull.getFD(), PrClient.prIn(0, 8192), new byte[0]);
        }
        Path data = Files.createTempDirectory("prh-data-");
        Path socket = Daemon.socketPath("dropped");
        Path pidfile = data.resolveSibling(data.getFileName() + ".pid");
        try (Daemon ours = Daemon.startServing("ours-dropped", List.of(Programs.ourLauncher().toString(), "-k",
                socket.toString(), "-f", pidfile.toString(), "-u", "nobody", "-g", "nogroup"),
                Map.of("PRHELPER_DATA", data.toString()), socket, data)) {
            // The launcher binds the socket as root before the JVM starts, so the path is there early.
            try (PrClient c = PrClient.connect(socket, 120_000); RandomAccessFile devNull = new RandomAccessFile("/dev/null", "rw")) {
                assertEquals(expected.toString(), c.request(devNull.getFD(), PrClient.prIn(0, 8192), new byte[0]).toString());
            }
            assertEquals("pidfile", Long.toString(ours.pid()), Files.readString(pidfile).trim());
            Map<String, String> status = status(ours.pid());
            assertEquals("Uid", "65534\t65534\t65534\t65534", status.get("Uid"));
            assertEquals("Gid", "65534\t65534\t65534\t65534", status.get("Gid"));
            assertEquals("Groups", "", status.get("Groups"));
            for (String set : new String[] {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}) {
                assertEquals(set, ONLY_SYS_RAWIO, status.get(set));
            }
            assertEquals("exit status after SIGTERM", 0, ours.stop());
        } finally {
            Files.deleteIfExists(pidfile);
            Files.deleteIfExists(socket);
        }
    }

    private static Map<String, String> status(long pid) throws Exception {
        Map<String, String> fields = new HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            int colon = line.indexOf(':');
            fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        return fields;
    }
}
