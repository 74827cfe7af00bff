package org.prhelper.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.karaf.shell.support.CommandException;
import org.junit.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.prhelper.api.AuditRecord;
import org.prhelper.api.AuditSink;
import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.PeerIdentity;
import org.prhelper.api.ScsiStatus;

public class AuditCommandTest {
    private static final Instant TIME = Instant.parse("2026-11-22T09:04:55.020Z");

    @Test
    public void statusFilterTakesTheAuditNamesInAnyFormOrAByte() throws CommandException {
        assertEquals(ScsiStatus.RESERVATION_CONFLICT, AuditCommand.parseStatus("reservation conflict"));
        assertEquals(ScsiStatus.RESERVATION_CONFLICT, AuditCommand.parseStatus("RESERVATION_CONFLICT"));
        assertEquals(ScsiStatus.GOOD, AuditCommand.parseStatus("good"));
        assertEquals(0x40, AuditCommand.parseStatus("0x40"));
        for (String wrong : new String[] {"CONFLICT", "0x100", "0xzz", ""}) {
            assertEquals("Unknown status " + wrong + ": GOOD, CHECK_CONDITION, BUSY, RESERVATION_CONFLICT, "
                    + "TASK_SET_FULL or a status byte 0xNN",
                    assertThrows(CommandException.class, () -> AuditCommand.parseStatus(wrong)).getMessage());
        }
    }

    @Test
    public void aShellPrOutAsJson() {
        DeviceIdentity sdb = new DeviceIdentity("/dev/sdb", DeviceIdentity.Kind.BLOCK, 8, 16, "naa.6001", null);
        AuditRecord r = new AuditRecord(TIME, "shell", new PeerIdentity(42, 0, 0, null), sdb, 0x5F, 0x03, 0, 0,
                0x1234, 0, "allow", "sgio", ScsiStatus.GOOD, 0, 0, 0, 1_377_000, "admin");
        assertEquals("{\"time\":\"2026-11-22T09:04:55.020Z\",\"socket\":\"shell\",\"user\":\"admin\",\"pid\":42,"
                + "\"uid\":0,\"gid\":0,\"vm\":null,\"device\":\"/dev/sdb\",\"deviceNumbers\":\"8:16\",\"wwid\":\"naa.6001\","
                + "\"dmUuid\":null,\"command\":\"PROUT CLEAR\",\"scope\":0,\"type\":0,\"key\":\"0x0000000000001234\","
                + "\"serviceActionKey\":\"0x0000000000000000\",\"decision\":\"allow\",\"backend\":\"sgio\","
                + "\"status\":\"GOOD\",\"sense\":\"0/00/00\",\"latencyMicros\":1377}", Json.write(AuditCommand.toJson(r)));
    }

    @Test
    public void aSocketPrInWithUnknownPeerAndDeviceAsJson() {
        AuditRecord r = new AuditRecord(TIME, "default", null, null, 0x5E, 0x00, -1, -1, 0, 0,
                "deny: device /dev/null not allowed", null, ScsiStatus.CHECK_CONDITION, 5, 0x26, 0, 9_999);
        assertEquals("{\"time\":\"2026-11-22T09:04:55.020Z\",\"socket\":\"default\",\"user\":null,\"pid\":null,"
                + "\"uid\":null,\"gid\":null,\"vm\":null,\"device\":null,\"deviceNumbers\":null,\"wwid\":null,"
                + "\"dmUuid\":null,\"command\":\"PRIN READ_KEYS\",\"scope\":null,\"type\":null,\"key\":null,"
                + "\"serviceActionKey\":null,\"decision\":\"deny: device /dev/null not allowed\",\"backend\":null,"
                + "\"status\":\"CHECK_CONDITION\",\"sense\":\"5/26/00\",\"latencyMicros\":9}",
                Json.write(AuditCommand.toJson(r)));
    }

    /**
     * A record that reaches the follow's sink while it reads the history is in both. With -n 0 the history
     * prints nothing, so the follow must print it live, once: it used to count every history record as
     * shown and printed it nowhere.
     */
    @Test
    public void aRecordArrivingWhileTheHistoryIsReadIsPrintedOnceEvenWithNoHistoryLines() throws Exception {
        AuditRecord arriving = new AuditRecord(TIME, "default", null, null, 0x5E, 0x00, -1, -1, 0, 0, "allow", "sgio",
                ScsiStatus.CHECK_CONDITION, 0xB, 0, 6, 83_000);
        AtomicReference<AuditSink> sink = new AtomicReference<>();
        AuditCommand command = new AuditCommand();
        command.follow = true;
        command.json = true;
        command.lines = 0;
        command.context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
                    sink.set((AuditSink) args[1]);
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServiceRegistration.class},
                            (p, m, a) -> null);
                });
        // The record arrives through the sink just as the history is read, and is part of that history.
        command.audit = limit -> {
            sink.get().record(arriving);
            return List.of(arriving);
        };
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream console = System.out;
        Thread follow = new Thread(() -> {
            try {
                command.execute();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            follow.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (printed.size() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            follow.interrupt();
            follow.join(10_000);
        } finally {
            System.setOut(console);
        }
        assertEquals(List.of(Json.write(AuditCommand.toJson(arriving))),
                printed.toString(StandardCharsets.UTF_8).lines().toList());
    }
}
