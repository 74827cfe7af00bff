package org.prhelper.transport;

import static org.junit.Assert.assertEquals;

import java.util.Map;

import org.junit.Test;

public class SocketNameTest {
    private static String name(Map<String, Object> config, Map<String, Object> properties) {
        return SocketTransport.socketName(Configs.socket(config), properties);
    }

    @Test
    public void configuredNameWins() {
        assertEquals("vm1", name(Map.of("name", " vm1 ", "path", "/run/x.sock"),
                Map.of("service.pid", "org.prhelper.socket~other")));
    }

    @Test
    public void namedFactoryConfiguration() {
        assertEquals("tenant-a", name(Map.of("path", "/run/x.sock"), Map.of("service.pid", "org.prhelper.socket~tenant-a")));
    }

    @Test
    public void fileinstallFileName() {
        assertEquals("vm2", name(Map.of("path", "/run/x.sock"), Map.of("service.pid", "org.prhelper.socket.4f2a",
                "felix.fileinstall.filename", "file:/opt/prhelper/etc/org.prhelper.socket-vm2.cfg")));
    }

    @Test
    public void featureConfigKey() {
        assertEquals("default", name(Map.of("path", "/run/x.sock"), Map.of("service.pid", "org.prhelper.socket.77",
                "org.apache.karaf.features.configKey", "org.prhelper.socket-default")));
    }

    @Test
    public void socketFileNameLast() {
        assertEquals("x.sock", name(Map.of("path", "/run/x.sock"), Map.of("service.pid", "org.prhelper.socket.77")));
    }
}
