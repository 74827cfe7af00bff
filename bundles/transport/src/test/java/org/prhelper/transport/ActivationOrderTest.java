package org.prhelper.transport;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

import org.junit.Test;

/**
 * SCR constructs a component, then binds its references, then calls its activate method. A socket
 * opened in the constructor served requests before the device inspector and the audit sinks were
 * bound: under a device policy HotSwapIT saw /dev/null refused right after a transport restart.
 */
public class ActivationOrderTest {
    @Test
    public void theSocketOpensOnActivationNotOnConstruction() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "pra");
        Path socket = dir.resolve("s.sock");
        SocketTransport transport = new SocketTransport();
        transport.loops = new ServingLoops(1, ServingLoops.STALL_MILLIS);
        try {
            assertFalse("socket open before the references are bound", Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
            transport.start(Configs.socket(socket.toString(), "", 4, 4), Map.of("service.pid", "org.prhelper.socket~a"));
            assertTrue("socket open once activated", Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
        } finally {
            transport.stop();
            transport.loops.stop();
            Files.deleteIfExists(socket);
            Files.delete(dir);
        }
    }
}
