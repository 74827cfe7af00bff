package org.prhelper.sgio;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;

/**
 * Real SG_IO calls on /dev/null, which refuses the ioctl with ENOTTY: the backend must answer exactly
 * what Debian's qemu-pr-helper answers there.
 */
public class SgIoBackendTest {
    private static final int O_RDWR = 2;
    /** Debian's qemu-pr-helper on /dev/null: ABORTED COMMAND / I/O PROCESS TERMINATED, then zeros. */
    private static final byte[] ENOTTY_SENSE = sense96(
            0x70, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00);

    /** open/close for the test only: the backend never opens or closes a descriptor. */
    public interface TestLibc extends Library {
        TestLibc INSTANCE = Native.load(Platform.C_LIBRARY_NAME, TestLibc.class);

        int open(String path, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private int fd = -1;
    private SgIoBackend backend;

    @Before
    public void openDevNull() {
        fd = TestLibc.INSTANCE.open("/dev/null", O_RDWR);
        backend = new SgIoBackend(config(SgIoConfig.DEFAULT_TIMEOUT_MILLIS));
    }

    @After
    public void closeDevNull() {
        if (fd >= 0) {
            TestLibc.INSTANCE.close(fd);
        }
    }

    @Test
    public void prInReadKeysOnDevNullAnswersLikeQemuPrHelper() {
        PrResponse response = execute(readKeys());
        assertEquals(ScsiStatus.CHECK_CONDITION, response.status());
        assertArrayEquals(ENOTTY_SENSE, response.sense());
        assertEquals(0, response.dataLength());
    }

    @Test
    public void prOutRegisterOnDevNullAnswersLikeQemuPrHelper() {
        PrResponse response = execute(register());
        assertEquals(ScsiStatus.CHECK_CONDITION, response.status());
        assertArrayEquals(ENOTTY_SENSE, response.sense());
        assertEquals(0, response.dataLength());
    }

    @Test
    public void testUnitReadyOnDevNullFailsInTheIoctlLikePrCommands() {
        PrResponse response = new PrResponse();
        backend.testUnitReady(fd, response);
        assertEquals(ScsiStatus.CHECK_CONDITION, response.status());
        assertArrayEquals(ENOTTY_SENSE, response.sense());
        assertEquals(0, response.dataLength());
    }

    @Test
    public void otherOpcodesNeverReachTheDevice() {
        PrRequest write10 = readKeys();
        write10.cdb()[0] = 0x2A;
        PrResponse response = execute(write10);
        assertEquals(ScsiStatus.CHECK_CONDITION, response.status());
        assertArrayEquals(sense96(0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x20, 0x00, 0, 0, 0, 0),
                response.sense());
    }

    @Test
    public void manyRequestsOnOneThreadLeakNoFileDescriptors() throws IOException {
        PrRequest in = readKeys();
        PrRequest out = register();
        PrResponse response = new PrResponse();
        // Warm up first, on both paths the loop takes: loading JNA and the classes opens jars that stay
        // open (warming up PR IN only let the first PR OUT open one inside the loop now and then).
        for (int i = 0; i < 100; i++) {
            backend.execute(i % 2 == 0 ? in : out, response);
        }
        long before = openFds();
        for (int i = 0; i < 10_000; i++) {
            response.reset();
            backend.execute(i % 2 == 0 ? in : out, response);
            assertEquals("request " + i, ScsiStatus.CHECK_CONDITION, response.status());
        }
        // A descriptor left open per request would show as thousands; the JVM itself may open one or two
        // meanwhile (a jar for a class loaded late: seen once in CI, 32 before and 33 after).
        long after = openFds();
        assertTrue("open file descriptors: " + before + " before 10,000 requests, " + after + " after",
                after <= before + 2);
    }

    @Test
    public void unexpectedFailureBecomesCommunicationFailure() {
        PrRequest request = readKeys();
        request.device(() -> {
            throw new IllegalStateException("fd gone");
        });
        PrResponse response = execute(request);
        assertEquals(ScsiStatus.CHECK_CONDITION, response.status());
        assertEquals(0x0B, response.sense()[2]);
        assertEquals(0x08, response.sense()[12]);
        assertEquals(0x00, response.sense()[13]);
    }

    @Test
    public void timeoutOutsideItsRangeFallsBackToTheDefault() {
        assertEquals(1, SgIoBackend.timeoutMillis(config(1)));
        assertEquals(3_600_000, SgIoBackend.timeoutMillis(config(3_600_000)));
        assertEquals(30_000, SgIoBackend.timeoutMillis(config(0)));
        assertEquals(30_000, SgIoBackend.timeoutMillis(config(-1)));
        assertEquals(30_000, SgIoBackend.timeoutMillis(config(3_600_001)));
    }

    @Test
    public void isTheFallbackForEveryDevice() {
        assertEquals("sgio", backend.name());
        assertTrue(backend.handles(() -> 12345));
    }

    private PrResponse execute(PrRequest request) {
        PrResponse response = new PrResponse();
        response.reset();
        backend.execute(request, response);
        return response;
    }

    /** PERSISTENT RESERVE IN, READ KEYS, allocation length 0x20. */
    private PrRequest readKeys() {
        PrRequest request = new PrRequest();
        request.cdb()[0] = (byte) PrRequest.OPCODE_PR_IN;
        request.cdb()[8] = 0x20;
        request.device(() -> fd);
        return request;
    }

    /** PERSISTENT RESERVE OUT, REGISTER, 24 bytes of parameters with service action key 0x1234. */
    private PrRequest register() {
        PrRequest request = new PrRequest();
        request.cdb()[0] = (byte) PrRequest.OPCODE_PR_OUT;
        request.cdb()[8] = 24;
        request.parameterLength(24);
        request.parameters()[14] = 0x12;
        request.parameters()[15] = 0x34;
        request.device(() -> fd);
        return request;
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    static SgIoConfig config(int timeoutMillis) {
        return new SgIoConfig() {
            @Override
            public int timeoutMillis() {
                return timeoutMillis;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return SgIoConfig.class;
            }
        };
    }

    private static byte[] sense96(int... bytes) {
        byte[] sense = new byte[PrResponse.SENSE_SIZE];
        for (int i = 0; i < bytes.length; i++) {
            sense[i] = (byte) bytes[i];
        }
        return sense;
    }
}
