package org.prhelper.multipath;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameter;
import org.junit.runners.Parameterized.Parameters;
import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SenseCode;
import org.prhelper.api.SenseProbe;

/** Every libmpathpersist return code, and -1, to the reply qemu-pr-helper would give. */
@RunWith(Parameterized.class)
public class MpathResultsTest {
    /** The codes whose real sense the library dropped: TEST UNIT READY may recover it. */
    private static final Set<Integer> PROBED = Set.of(2, 3, 4, 8);

    @Parameter(0)
    public int rc;
    @Parameter(1)
    public int status;
    /** Sense key, ASC and ASCQ of a CHECK CONDITION, or null for none. */
    @Parameter(2)
    public int[] sense;

    @Parameters(name = "rc {0}")
    public static List<Object[]> rows() {
        int[] lunCommunicationFailure = {0x0B, 0x08, 0x00};
        List<Object[]> rows = new ArrayList<>(List.of(
                row(0, ScsiStatus.GOOD, null),
                row(1, ScsiStatus.CHECK_CONDITION, new int[] {0x05, 0x26, 0x00}), // SYNTAX_ERROR: the library refused
                row(2, ScsiStatus.CHECK_CONDITION, new int[] {0x02, 0x04, 0x00}), // NOT READY, cause unknown
                row(3, ScsiStatus.CHECK_CONDITION, new int[] {0x03, 0x11, 0x00}), // unrecovered read error
                row(4, ScsiStatus.CHECK_CONDITION, new int[] {0x04, 0x44, 0x00}), // internal target failure
                row(5, ScsiStatus.CHECK_CONDITION, new int[] {0x05, 0x26, 0x00}), // as qemu-pr-helper
                row(6, ScsiStatus.CHECK_CONDITION, new int[] {0x06, 0x29, 0x02}), // SCSI bus reset occurred
                row(7, ScsiStatus.CHECK_CONDITION, new int[] {0x05, 0x20, 0x00}), // invalid opcode
                row(8, ScsiStatus.CHECK_CONDITION, new int[] {0x0B, 0x00, 0x00}),
                row(9, ScsiStatus.CHECK_CONDITION, new int[] {0x00, 0x00, 0x00}),
                row(11, ScsiStatus.RESERVATION_CONFLICT, null)));
        // SENSE_MALFORMED, FILE_ERROR, DMMP_ERROR, THREAD_ERROR, OTHER, and SKIP (-1), never returned.
        for (int other : new int[] {10, 12, 13, 14, 15, -1}) {
            rows.add(row(other, ScsiStatus.CHECK_CONDITION, lunCommunicationFailure));
        }
        return rows;
    }

    private static Object[] row(int rc, int status, int[] sense) {
        return new Object[] {rc, status, sense};
    }

    @Test
    public void mapGivesStatusAndFixedFormatSense() {
        PrResponse response = new PrResponse();
        response.reset();
        MpathResults.map(rc, response);
        assertEquals(status, response.status());
        assertArrayEquals(sense == null ? new byte[PrResponse.SENSE_SIZE] : fixedSense(sense), response.sense());
        assertEquals(0, response.dataLength());
    }

    /** The fallback sense of a probed code is what {@link MpathResults#map} answers for it. */
    @Test
    public void onlyDeviceErrorsNeedAProbeAndFallBackToTheirClass() {
        assertEquals(PROBED.contains(rc), MpathResults.needsProbe(rc));
        if (PROBED.contains(rc)) {
            PrResponse response = new PrResponse();
            response.checkCondition(MpathResults.genericSense(rc));
            assertArrayEquals(fixedSense(sense), response.sense());
        } else {
            assertEquals(new SenseCode(0x0B, 0x00, 0x00), MpathResults.genericSense(rc));
        }
    }

    /**
     * A failed call: probed codes take the device's sense from TEST UNIT READY on the same fd when it
     * reports one, else their class; other codes never probe and answer as {@link MpathResults#map}.
     */
    @Test
    public void failProbesTheDeviceOnlyForDeviceErrors() {
        SenseCode deviceSense = new SenseCode(0x03, 0x11, 0x01);
        List<Integer> probedFds = new ArrayList<>();
        SenseProbe reporting = (fd, r) -> {
            probedFds.add(fd);
            r.checkCondition(deviceSense);
        };
        SenseProbe ready = (fd, r) -> r.status(ScsiStatus.GOOD);

        PrResponse expected = new PrResponse();
        expected.reset();
        MpathResults.map(rc, expected);
        PrResponse withoutProbe = new PrResponse();
        MpathResults.fail(rc, 7, null, withoutProbe);
        assertArrayEquals("no probe", expected.sense(), withoutProbe.sense());
        assertEquals("no probe", expected.status(), withoutProbe.status());

        PrResponse probed = new PrResponse();
        MpathResults.fail(rc, 7, reporting, probed);
        PrResponse fromDevice = new PrResponse();
        fromDevice.checkCondition(deviceSense);
        assertArrayEquals(PROBED.contains(rc) ? fromDevice.sense() : expected.sense(), probed.sense());
        assertEquals(PROBED.contains(rc) ? List.of(7) : List.of(), probedFds);

        PrResponse goodProbe = new PrResponse();
        MpathResults.fail(rc, 7, ready, goodProbe);
        assertArrayEquals("device reports nothing: the class", expected.sense(), goodProbe.sense());
        assertEquals(expected.status(), goodProbe.status());
    }

    /** Fixed format (0x70), additional sense length 10, in a 96-byte buffer. */
    private static byte[] fixedSense(int[] keyAscAscq) {
        byte[] b = new byte[PrResponse.SENSE_SIZE];
        b[0] = 0x70;
        b[2] = (byte) keyAscAscq[0];
        b[7] = 0x0A;
        b[12] = (byte) keyAscAscq[1];
        b[13] = (byte) keyAscAscq[2];
        return b;
    }
}
