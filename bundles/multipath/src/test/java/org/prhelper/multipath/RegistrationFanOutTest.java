package org.prhelper.multipath;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Test;
import org.prhelper.api.PrBackend;
import org.prhelper.api.PrDevice;
import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SenseCode;

/** REGISTER AND IGNORE EXISTING KEY down every path of a map at once, with a scripted SG_IO backend. */
public class RegistrationFanOutTest {
    private static final long KEY = 0x0123456789abcdefL;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    /** Path name to descriptor; opened and closed descriptors are recorded. */
    private final Map<String, Integer> fds = new HashMap<>();
    private final Set<Integer> open = ConcurrentHashMap.newKeySet();
    private final List<Integer> closed = Collections.synchronizedList(new ArrayList<>());
    private final RegistrationFanOut.Devices devices = new RegistrationFanOut.Devices() {
        @Override
        public int open(String name) {
            int fd = fds.getOrDefault(name, -1);
            if (fd >= 0) {
                open.add(fd);
            }
            return fd;
        }

        @Override
        public void close(int fd) {
            assertTrue("closed twice or never opened: " + fd, open.remove(fd));
            closed.add(fd);
        }
    };
    private final RegistrationFanOut fanOut = new RegistrationFanOut(devices, executor);

    @After
    public void stop() {
        executor.shutdownNow();
    }

    @Test
    public void onlyThePlainFormIsSentWithoutTheLibrary() {
        assertTrue(RegistrationFanOut.plainRegisterAndIgnore(request(0x06, KEY, 0, 24)));
        assertTrue("APTPL", RegistrationFanOut.plainRegisterAndIgnore(request(0x06, KEY, 0x01, 24)));
        assertFalse("REGISTER", RegistrationFanOut.plainRegisterAndIgnore(request(0x00, KEY, 0, 24)));
        assertFalse("PREEMPT", RegistrationFanOut.plainRegisterAndIgnore(request(0x04, KEY, 0, 24)));
        assertFalse("unregistering", RegistrationFanOut.plainRegisterAndIgnore(request(0x06, 0, 0, 24)));
        assertFalse("SPEC_I_PT", RegistrationFanOut.plainRegisterAndIgnore(request(0x06, KEY, 0x08, 24)));
        assertFalse("ALL_TG_PT", RegistrationFanOut.plainRegisterAndIgnore(request(0x06, KEY, 0x04, 24)));
        assertFalse("transport IDs", RegistrationFanOut.plainRegisterAndIgnore(request(0x06, KEY, 0, 48)));
        assertFalse("short list", RegistrationFanOut.plainRegisterAndIgnore(request(0x06, KEY, 0, 16)));
        PrRequest in = request(0x06, KEY, 0, 24);
        in.cdb()[0] = (byte) PrRequest.OPCODE_PR_IN;
        assertFalse("PR IN", RegistrationFanOut.plainRegisterAndIgnore(in));
        assertEquals(KEY, RegistrationFanOut.serviceActionKey(request(0x06, KEY, 0, 24)));
        assertTrue(RegistrationFanOut.persistThroughPowerLoss(request(0x06, KEY, 0x01, 24)));
        assertFalse(RegistrationFanOut.persistThroughPowerLoss(request(0x06, KEY, 0, 24)));
    }

    /** Every path gets the same command on its own descriptor, the paths at the same time. */
    @Test
    public void everyPathAtOnceEachOnItsOwnDescriptor() {
        fds.put("sdb", 11);
        fds.put("sdc", 12);
        fds.put("sdd", 13);
        CountDownLatch together = new CountDownLatch(3);
        Map<Integer, byte[]> seen = new ConcurrentHashMap<>();
        PrBackend sgio = backend((request, response) -> {
            seen.put(request.device().fd(), request.parameters().clone());
            together.countDown();
            try {
                // a path that waited for the others alone would hold this for the whole timeout
                assertTrue("paths sent one after another", together.await(5, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        PrRequest request = request(0x06, KEY, 0, 24);
        PrResponse response = failed();
        assertTrue(fanOut.send(List.of("sdb", "sdc", "sdd"), sgio, request, response));
        assertEquals(ScsiStatus.GOOD, response.status());
        assertEquals(Set.of(11, 12, 13), seen.keySet());
        seen.values().forEach(p -> assertEquals(KEY, RegistrationFanOut.serviceActionKey(withParameters(p))));
        assertTrue(open.isEmpty());
        assertEquals(3, closed.size());
    }

    /** The first failed path in the order given answers, with its own sense, as the library reports it. */
    @Test
    public void theFirstFailedPathAnswers() {
        fds.put("sdb", 11);
        fds.put("sdc", 12);
        fds.put("sdd", 13);
        PrBackend sgio = backend((request, response) -> {
            switch (request.device().fd()) {
                case 12 -> response.checkCondition(SenseCode.INTERNAL_TARGET_FAILURE);
                case 13 -> response.statusOnly(ScsiStatus.RESERVATION_CONFLICT);
                default -> { }
            }
        });
        PrResponse response = new PrResponse();
        assertTrue(fanOut.send(List.of("sdb", "sdc", "sdd"), sgio, request(0x06, KEY, 0, 24), response));
        assertEquals(ScsiStatus.CHECK_CONDITION, response.status());
        assertEquals(SenseCode.INTERNAL_TARGET_FAILURE, SenseCode.of(response.sense()));

        response = new PrResponse();
        assertTrue(fanOut.send(List.of("sdd", "sdc"), sgio, request(0x06, KEY, 0, 24), response));
        assertEquals(ScsiStatus.RESERVATION_CONFLICT, response.status());
        assertTrue(open.isEmpty());
    }

    /** A unit attention (a reset, changed registrations) is consumed and the path asked again, as the library does. */
    @Test
    public void aUnitAttentionIsSentAgainAndSoIsOperationInProgress() {
        fds.put("sdb", 11);
        Map<Integer, Integer> calls = new ConcurrentHashMap<>();
        PrBackend sgio = backend((request, response) -> {
            int n = calls.merge(request.device().fd(), 1, Integer::sum);
            if (n == 1) {
                response.checkCondition(SenseCode.BUS_DEVICE_RESET);
            } else if (n == 2) {
                response.checkCondition(new SenseCode(SenseCode.KEY_NOT_READY, 0x04, 0x07));
            }
        });
        PrResponse response = new PrResponse();
        assertTrue(fanOut.send(List.of("sdb"), sgio, request(0x06, KEY, 0, 24), response));
        assertEquals(ScsiStatus.GOOD, response.status());
        assertEquals(3, (int) calls.get(11));

        // ... but not for ever: after the library's retries the unit attention is the answer
        calls.clear();
        PrBackend attention = backend((request, response1) -> {
            calls.merge(request.device().fd(), 1, Integer::sum);
            response1.checkCondition(SenseCode.BUS_DEVICE_RESET);
        });
        assertTrue(fanOut.send(List.of("sdb"), attention, request(0x06, KEY, 0, 24), response));
        assertEquals(ScsiStatus.CHECK_CONDITION, response.status());
        assertEquals(RegistrationFanOut.RETRIES + 1, (int) calls.get(11));
        // another error is not sent again
        calls.clear();
        PrBackend broken = backend((request, response1) -> {
            calls.merge(request.device().fd(), 1, Integer::sum);
            response1.checkCondition(SenseCode.LUN_COMMUNICATION_FAILURE);
        });
        assertTrue(fanOut.send(List.of("sdb"), broken, request(0x06, KEY, 0, 24), response));
        assertEquals(1, (int) calls.get(11));
    }

    /** A path that cannot be opened fails the command; none opened: nothing was sent, the library answers. */
    @Test
    public void pathsThatCannotBeOpened() {
        fds.put("sdc", 12);
        PrBackend sgio = backend((request, response) -> { });
        PrResponse response = new PrResponse();
        assertTrue(fanOut.send(List.of("sdb", "sdc"), sgio, request(0x06, KEY, 0, 24), response));
        assertEquals(ScsiStatus.CHECK_CONDITION, response.status());
        assertEquals(SenseCode.LUN_COMMUNICATION_FAILURE, SenseCode.of(response.sense()));
        assertEquals(List.of(12), closed);

        PrResponse untouched = failed();
        assertFalse(fanOut.send(List.of("sdx", "sdy"), sgio, request(0x06, KEY, 0, 24), untouched));
        assertFalse(fanOut.send(List.of(), sgio, request(0x06, KEY, 0, 24), untouched));
        assertEquals(ScsiStatus.BUSY, untouched.status());
    }

    /** The backend the fan-out hands each path's command to; the response starts GOOD. */
    private static PrBackend backend(java.util.function.BiConsumer<PrRequest, PrResponse> device) {
        return new PrBackend() {
            @Override
            public String name() {
                return "sgio";
            }

            @Override
            public boolean handles(PrDevice d) {
                return true;
            }

            @Override
            public void execute(PrRequest request, PrResponse response) {
                assertNotEquals(ScsiStatus.BUSY, response.status());
                device.accept(request, response);
            }
        };
    }

    private static PrResponse failed() {
        PrResponse response = new PrResponse();
        response.statusOnly(ScsiStatus.BUSY);
        return response;
    }

    private static PrRequest request(int serviceAction, long saKey, int flags, int length) {
        PrRequest request = new PrRequest();
        request.cdb()[0] = (byte) PrRequest.OPCODE_PR_OUT;
        request.cdb()[1] = (byte) serviceAction;
        request.cdb()[8] = (byte) length;
        request.parameterLength(length);
        byte[] p = request.parameters();
        for (int i = 0; i < 8 && length >= 16; i++) {
            p[15 - i] = (byte) (saKey >>> (8 * i));
        }
        if (length > 20) {
            p[20] = (byte) flags;
        }
        return request;
    }

    private static PrRequest withParameters(byte[] parameters) {
        PrRequest request = new PrRequest();
        request.parameterLength(24);
        System.arraycopy(parameters, 0, request.parameters(), 0, 24);
        return request;
    }
}
