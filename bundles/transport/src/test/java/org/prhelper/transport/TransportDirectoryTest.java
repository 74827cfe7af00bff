package org.prhelper.transport;

import static org.junit.Assert.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Test;

/** pr:status and the health MBean show a socket whose policy would refuse a live migration's requests. */
public class TransportDirectoryTest {
    private final List<SocketTransport> transports = new ArrayList<>();
    private ServingLoops loops;
    private Path dir;

    private SocketTransport socket(String name, Map<String, Object> policy) throws Exception {
        if (dir == null) {
            dir = Files.createTempDirectory(Path.of("/tmp"), "prd");
            loops = new ServingLoops(1, ServingLoops.STALL_MILLIS);
        }
        Map<String, Object> properties = new HashMap<>(policy);
        properties.put("service.pid", "org.prhelper.socket~" + name);
        SocketTransport transport = new SocketTransport(new RequestServices(loops, millis -> null),
                Configs.socket(dir.resolve(name + ".sock").toString(), "", 4, 4), properties);
        transports.add(transport);
        return transport;
    }

    @After
    public void stop() throws Exception {
        for (SocketTransport t : transports) {
            t.stop();
        }
        if (dir != null) {
            loops.stop();
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    public void socketsWhosePolicyRefusesMigrationAreNamed() throws Exception {
        TransportDirectory directory = new TransportDirectory();
        directory.transports = List.of(socket("open", Map.of()),
                socket("vm2", Map.of("allow.prout.types", "write-exclusive-registrants-only")),
                socket("vm1", Map.of("readOnly", "true", "allow.devices.path", "/dev/sda")));
        assertEquals(List.of(
                "socket vm1 refuses what live migration with reservations sends (QEMU 11 migrate-pr): readOnly refuses "
                        + "every PR OUT",
                "socket vm2 refuses what live migration with reservations sends (QEMU 11 migrate-pr): allow.prout.types "
                        + "lacks write-exclusive, the type of the PREEMPT when the guest holds no reservation"),
                directory.warnings());
    }
}
