package org.prhelper.itests.blackbox;

import static org.junit.Assert.assertEquals;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.Test;

/**
 * The audit file of the distribution: a background thread writes it, so this checks that every
 * request gets its line, with the client's identity, and that a graceful stop writes what is queued.
 */
public class AuditFileIT {
    private static final int REQUESTS = 2000;

    @Test
    public void everyRequestHasItsLineAfterAGracefulStop() throws Exception {
        try (Daemon ours = Daemon.ours()) {
            try (PrClient c = PrClient.connect(ours.socket());
                    RandomAccessFile devNull = new RandomAccessFile("/dev/null", "rw")) {
                for (int i = 0; i < REQUESTS; i++) {
                    c.request(devNull.getFD(), PrClient.prIn(0, 8192), new byte[0]);
                }
            }
            assertEquals("exit status after SIGTERM", 0, ours.stop());
            Path file = ours.dataDir().resolve("log/prhelper-audit.log");
            List<String> lines = Files.readAllLines(file);
            String peer = " peer.pid=" + ProcessHandle.current().pid() + " ";
            long ours1 = lines.stream().filter(l -> l.contains(peer) && l.contains(" op=PRIN sa=READ_KEYS ")
                    && l.contains(" dev=/dev/null ")).count();
            assertEquals("audit lines of this client's READ KEYS in " + file, REQUESTS, ours1);
        }
    }
}
