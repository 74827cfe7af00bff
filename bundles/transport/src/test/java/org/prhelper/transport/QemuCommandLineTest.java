package org.prhelper.transport;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.Test;

public class QemuCommandLineTest {
    private static String name(String... args) {
        return QemuCommandLine.vmName(List.of(args));
    }

    @Test
    public void namesInEveryForm() {
        assertEquals("vm1", name("qemu-system-x86_64", "-name", "vm1", "-m", "1024"));
        assertEquals("db-node2", name("qemu", "-name", "guest=db-node2,debug-threads=on"));
        assertEquals("web", name("qemu", "--name", "web,process=qemu:web"));
        assertEquals("a,b", name("qemu", "-name", "guest=a,,b,debug-threads=on"));
        assertEquals("x", name("qemu", "-name", "debug-threads=on,guest=x"));
    }

    @Test
    public void noName() {
        assertNull(name("qemu-system-x86_64", "-machine", "none"));
        assertNull(name("qemu", "-name"));
        assertNull(name("qemu", "-name", "debug-threads=on"));
    }

    @Test
    public void splitsProcCmdline() {
        byte[] raw = (String.join("\u0000", "qemu", "-name", "guest=vm7", "-m", "512") + "\u0000")
                .getBytes(StandardCharsets.UTF_8);
        List<String> args = QemuCommandLine.arguments(raw, raw.length);
        assertEquals(List.of("qemu", "-name", "guest=vm7", "-m", "512"), args);
        assertEquals("vm7", QemuCommandLine.vmName(args));
    }
}
