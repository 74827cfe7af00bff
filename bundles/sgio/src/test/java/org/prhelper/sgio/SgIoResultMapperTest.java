package org.prhelper.sgio;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameter;
import org.junit.runners.Parameterized.Parameters;
import org.prhelper.api.PrResponse;

/** The spec's "SG_IO result -> status and sense" table, row by row, plus our one deliberate difference. */
@RunWith(Parameterized.class)
public class SgIoResultMapperTest {
    private static final int GOOD = 0x00;
    private static final int CHECK_CONDITION = 0x02;
    private static final int BUSY = 0x08;
    private static final int RESERVATION_CONFLICT = 0x18;
    private static final int TASK_SET_FULL = 0x28;
    private static final int FULL = 8192;

    /** What one SG_IO ioctl left behind. */
    private record Outcome(int errno, int host, int driver, int status, byte[] sense, int senseLength,
                           int dxferLen, int resid) {
    }

    @Parameter(0)
    public String name;
    @Parameter(1)
    public Outcome in;
    @Parameter(2)
    public int expectedStatus;
    @Parameter(3)
    public byte[] expectedSense;
    @Parameter(4)
    public int expectedData;

    @Parameters(name = "{0}")
    public static List<Object[]> rows() {
        byte[] deviceSense = pattern(32);
        byte[] longSense = pattern(120);
        return List.of(
                // 1. errno of the ioctl
                row("EDOM -> TASK SET FULL", errno(33), TASK_SET_FULL, none()),
                row("ENODEV (device removed) -> ABORTED COMMAND, as Debian's", errno(19), CHECK_CONDITION,
                        fixed(0x0B, 0x00, 0x06)),
                row("EREMOTEIO -> HARDWARE ERROR", errno(121), CHECK_CONDITION, fixed(0x04, 0x44, 0x00)),
                row("EBADE -> RESERVATION CONFLICT", errno(52), RESERVATION_CONFLICT, none()),
                row("ENODATA -> MEDIUM ERROR", errno(61), CHECK_CONDITION, fixed(0x03, 0x11, 0x00)),
                row("ENOMEDIUM -> NOT READY", errno(123), CHECK_CONDITION, fixed(0x02, 0x3A, 0x00)),
                row("ENOMEM -> HARDWARE ERROR", errno(12), CHECK_CONDITION, fixed(0x04, 0x44, 0x00)),
                row("EINVAL -> ILLEGAL REQUEST", errno(22), CHECK_CONDITION, fixed(0x05, 0x24, 0x00)),
                row("ENOSPC -> DATA PROTECT", errno(28), CHECK_CONDITION, fixed(0x07, 0x27, 0x07)),
                row("ENOTTY (/dev/null) -> exactly Debian's reply", errno(25), CHECK_CONDITION,
                        sense96(0x70, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00,
                                0x00, 0x06, 0x00, 0x00, 0x00, 0x00)),
                row("EIO -> ABORTED COMMAND", errno(5), CHECK_CONDITION, fixed(0x0B, 0x00, 0x06)),
                row("errno wins over everything else",
                        new Outcome(22, 3, 0x06, CHECK_CONDITION, deviceSense, 32, FULL, 0),
                        CHECK_CONDITION, fixed(0x05, 0x24, 0x00)),
                // 2. host_status
                row("DID_NO_CONNECT", host(1), CHECK_CONDITION, fixed(0x0B, 0x05, 0x00)),
                row("DID_BUS_BUSY -> BUSY", host(2), BUSY, none()),
                row("DID_TIME_OUT", host(3), CHECK_CONDITION, fixed(0x0B, 0x2E, 0x02)),
                row("DID_BAD_TARGET", host(4), CHECK_CONDITION, fixed(0x0B, 0x08, 0x00)),
                row("DID_ABORT", host(5), CHECK_CONDITION, fixed(0x0B, 0x2F, 0x02)),
                row("DID_RESET -> UNIT ATTENTION", host(8), CHECK_CONDITION, fixed(0x06, 0x29, 0x00)),
                row("DID_TRANSPORT_DISRUPTED", host(14), CHECK_CONDITION, fixed(0x0B, 0x29, 0x07)),
                row("DID_TARGET_FAILURE", host(16), CHECK_CONDITION, fixed(0x04, 0x44, 0x00)),
                row("DID_NEXUS_FAILURE -> RESERVATION CONFLICT", host(17), RESERVATION_CONFLICT, none()),
                row("DID_ALLOC_FAILURE", host(18), CHECK_CONDITION, fixed(0x07, 0x27, 0x07)),
                row("DID_MEDIUM_ERROR", host(19), CHECK_CONDITION, fixed(0x03, 0x11, 0x00)),
                row("unknown DID_ERROR (7) -> our LUN COMMUNICATION FAILURE, not QEMU's GOOD", host(7),
                        CHECK_CONDITION, fixed(0x0B, 0x08, 0x00)),
                row("unknown host 0xFFFF -> LUN COMMUNICATION FAILURE", host(0xFFFF),
                        CHECK_CONDITION, fixed(0x0B, 0x08, 0x00)),
                row("host_status wins over driver_status and the device",
                        new Outcome(0, 1, 0x06, CHECK_CONDITION, deviceSense, 32, FULL, 0),
                        CHECK_CONDITION, fixed(0x0B, 0x05, 0x00)),
                // 3. driver_status, tested bitwise against 0x06 like QEMU
                row("DRIVER_TIMEOUT -> BUSY", driver(0x06), BUSY, none()),
                row("DRIVER_BUSY (0x02) matches the mask -> BUSY", driver(0x02), BUSY, none()),
                row("driver timeout wins over device CHECK CONDITION",
                        new Outcome(0, 0, 0x06, CHECK_CONDITION, deviceSense, 32, FULL, 0), BUSY, none()),
                row("DRIVER_SENSE (0x08) alone passes device sense through",
                        new Outcome(0, 0, 0x08, CHECK_CONDITION, deviceSense, 32, FULL, 0),
                        CHECK_CONDITION, sense96(deviceSense, 32)),
                // 4. the device's own status and sense
                row("device CHECK CONDITION: sense byte for byte",
                        device(CHECK_CONDITION, deviceSense, 32, 0), CHECK_CONDITION, sense96(deviceSense, 32)),
                row("device sense only up to sb_len_wr",
                        device(CHECK_CONDITION, deviceSense, 20, 0), CHECK_CONDITION, sense96(deviceSense, 20)),
                row("device sense longer than 96 capped",
                        device(CHECK_CONDITION, longSense, 120, 0), CHECK_CONDITION, sense96(longSense, 96)),
                row("device CHECK CONDITION without sense",
                        device(CHECK_CONDITION, deviceSense, 0, 0), CHECK_CONDITION, none()),
                row("device RESERVATION CONFLICT",
                        device(RESERVATION_CONFLICT, new byte[96], 0, 0), RESERVATION_CONFLICT, none()),
                row("device BUSY, no data although resid says some came",
                        device(BUSY, new byte[96], 0, FULL - 40), BUSY, none()),
                row("GOOD: data length = dxfer_len - resid",
                        device(GOOD, new byte[96], 0, FULL - 40), GOOD, none(), 40),
                row("GOOD, resid 0: all of dxfer_len", device(GOOD, new byte[96], 0, 0), GOOD, none(), FULL),
                row("GOOD, resid > dxfer_len: 0", device(GOOD, new byte[96], 0, FULL + 1), GOOD, none(), 0),
                row("GOOD, negative resid: at most dxfer_len", device(GOOD, new byte[96], 0, -5), GOOD, none(), FULL),
                row("GOOD ignores stray sense", device(GOOD, deviceSense, 32, FULL - 8), GOOD, none(), 8));
    }

    @Test
    public void mapsAsTheTableSays() {
        PrResponse response = new PrResponse();
        // Stale state from a previous request must not leak into this reply.
        response.status(0x77);
        Arrays.fill(response.sense(), (byte) 0x55);
        response.dataLength(123);

        SgIoResultMapper.map(in.errno(), in.host(), in.driver(), in.status(), in.sense(), in.senseLength(),
                in.dxferLen(), in.resid(), response);

        assertEquals("status", expectedStatus, response.status());
        assertArrayEquals("sense", expectedSense, response.sense());
        assertEquals("data length", expectedData, response.dataLength());
    }

    private static Object[] row(String name, Outcome in, int status, byte[] sense) {
        return row(name, in, status, sense, 0);
    }

    private static Object[] row(String name, Outcome in, int status, byte[] sense, int data) {
        return new Object[] {name, in, status, sense, data};
    }

    /** An outcome whose device part says GOOD with all data, so only the tested field decides. */
    private static Outcome errno(int errno) {
        return new Outcome(errno, 0, 0, GOOD, new byte[96], 0, FULL, 0);
    }

    private static Outcome host(int host) {
        return new Outcome(0, host, 0, GOOD, new byte[96], 0, FULL, 0);
    }

    private static Outcome driver(int driver) {
        return new Outcome(0, 0, driver, GOOD, new byte[96], 0, FULL, 0);
    }

    private static Outcome device(int status, byte[] sense, int senseLength, int resid) {
        return new Outcome(0, 0, 0, status, sense, senseLength, FULL, resid);
    }

    private static byte[] none() {
        return new byte[96];
    }

    /** Fixed-format sense as qemu-pr-helper builds it: 18 bytes used, zeros to 96. */
    private static byte[] fixed(int key, int asc, int ascq) {
        return sense96(0x70, 0, key, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, asc, ascq, 0, 0, 0, 0);
    }

    private static byte[] sense96(int... bytes) {
        byte[] sense = new byte[96];
        for (int i = 0; i < bytes.length; i++) {
            sense[i] = (byte) bytes[i];
        }
        return sense;
    }

    private static byte[] sense96(byte[] source, int length) {
        return Arrays.copyOf(Arrays.copyOf(source, length), 96);
    }

    /** Recognisable non-zero bytes, so a shifted or truncated copy shows. */
    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (0x70 + i * 7);
        }
        return bytes;
    }
}
