package org.prhelper.sgio;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Checks {@link SgIoHeader} against the C compiler's view of {@code struct sg_io_hdr} on this machine.
 * gcc and {@code <scsi/sg.h>} are build requirements: a missing one fails the test rather than skip it,
 * so an unchecked layout never ships.
 */
public class SgIoHeaderLayoutTest {
    /** Field name, the Java offset, and the width the Java code reads or writes it with. */
    private record Field(String name, int offset, int width) {
    }

    private static final List<Field> FIELDS = List.of(
            new Field("interface_id", SgIoHeader.INTERFACE_ID, 4),
            new Field("dxfer_direction", SgIoHeader.DXFER_DIRECTION, 4),
            new Field("cmd_len", SgIoHeader.CMD_LEN, 1),
            new Field("mx_sb_len", SgIoHeader.MX_SB_LEN, 1),
            new Field("iovec_count", SgIoHeader.IOVEC_COUNT, 2),
            new Field("dxfer_len", SgIoHeader.DXFER_LEN, 4),
            new Field("dxferp", SgIoHeader.DXFERP, 8),
            new Field("cmdp", SgIoHeader.CMDP, 8),
            new Field("sbp", SgIoHeader.SBP, 8),
            new Field("timeout", SgIoHeader.TIMEOUT, 4),
            new Field("flags", SgIoHeader.FLAGS, 4),
            new Field("pack_id", SgIoHeader.PACK_ID, 4),
            new Field("usr_ptr", SgIoHeader.USR_PTR, 8),
            new Field("status", SgIoHeader.STATUS, 1),
            new Field("masked_status", SgIoHeader.MASKED_STATUS, 1),
            new Field("msg_status", SgIoHeader.MSG_STATUS, 1),
            new Field("sb_len_wr", SgIoHeader.SB_LEN_WR, 1),
            new Field("host_status", SgIoHeader.HOST_STATUS, 2),
            new Field("driver_status", SgIoHeader.DRIVER_STATUS, 2),
            new Field("resid", SgIoHeader.RESID, 4),
            new Field("duration", SgIoHeader.DURATION, 4),
            new Field("info", SgIoHeader.INFO, 4));

    @ClassRule
    public static final TemporaryFolder TEMP = new TemporaryFolder();

    /** What the C probe printed: {@code <field>.offset}, {@code <field>.size}, {@code size} and macros. */
    private static Map<String, Long> c;

    @BeforeClass
    public static void compileAndRunProbe() throws Exception {
        File dir = TEMP.newFolder();
        File src = new File(dir, "sg_layout.c");
        File exe = new File(dir, "sg_layout");
        Files.writeString(src.toPath(), program());
        run("compiling the layout probe needs gcc and <scsi/sg.h> (Debian: gcc, libc6-dev)",
                "gcc", "-o", exe.getPath(), src.getPath());
        c = new HashMap<>();
        for (String line : run("the layout probe failed", exe.getPath()).split("\n")) {
            int eq = line.indexOf('=');
            c.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
        }
    }

    @Test
    public void everyOffsetAndTheSizeMatchTheCompiler() {
        for (Field field : FIELDS) {
            assertEquals("offsetof(" + field.name() + ")", field.offset(), value(field.name() + ".offset"));
            assertEquals("sizeof(" + field.name() + ")", field.width(), value(field.name() + ".size"));
        }
        assertEquals("sizeof(struct sg_io_hdr)", SgIoHeader.SIZE, value("size"));
        assertEquals("SIZE", 88, SgIoHeader.SIZE);
    }

    @Test
    public void ioctlAndDirectionConstantsMatchTheHeader() {
        assertEquals("SG_IO", SgIoHeader.SG_IO, value("SG_IO"));
        assertEquals("SG_DXFER_NONE", SgIoHeader.DXFER_NONE, value("SG_DXFER_NONE"));
        assertEquals("SG_DXFER_TO_DEV", SgIoHeader.DXFER_TO_DEV, value("SG_DXFER_TO_DEV"));
        assertEquals("SG_DXFER_FROM_DEV", SgIoHeader.DXFER_FROM_DEV, value("SG_DXFER_FROM_DEV"));
        assertEquals("'S'", SgIoHeader.INTERFACE_ID_SCSI, value("S"));
    }

    private static String program() {
        StringBuilder c = new StringBuilder()
                .append("#include <stddef.h>\n#include <stdio.h>\n#include <scsi/sg.h>\n")
                .append("#define F(f) printf(#f \".offset=%zu\\n\" #f \".size=%zu\\n\", ")
                .append("offsetof(struct sg_io_hdr, f), sizeof(((struct sg_io_hdr *) 0)->f))\n")
                .append("int main(void) {\n");
        for (Field field : FIELDS) {
            c.append("  F(").append(field.name()).append(");\n");
        }
        return c.append("  printf(\"size=%zu\\n\", sizeof(struct sg_io_hdr));\n")
                .append("  printf(\"SG_IO=%ld\\n\", (long) SG_IO);\n")
                .append("  printf(\"SG_DXFER_NONE=%ld\\n\", (long) SG_DXFER_NONE);\n")
                .append("  printf(\"SG_DXFER_TO_DEV=%ld\\n\", (long) SG_DXFER_TO_DEV);\n")
                .append("  printf(\"SG_DXFER_FROM_DEV=%ld\\n\", (long) SG_DXFER_FROM_DEV);\n")
                .append("  printf(\"S=%ld\\n\", (long) 'S');\n")
                .append("  return 0;\n}\n")
                .toString();
    }

    /** Runs a command and returns its output; fails the test if it cannot start or exits non-zero. */
    private static String run(String what, String... command) throws Exception {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(what + ": cannot run " + command[0] + ": " + e.getMessage(), e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(what + ": " + command[0] + " did not finish");
        }
        if (process.exitValue() != 0) {
            fail(what + ": " + String.join(" ", command) + " exited " + process.exitValue() + ":\n" + output);
        }
        return output;
    }

    private static long value(String key) {
        Long value = c.get(key);
        assertNotNull("the C probe printed no " + key, value);
        return value;
    }
}
