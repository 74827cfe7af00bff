package org.prhelper.dispatch;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.prhelper.api.PrBackend;
import org.prhelper.api.PrDevice;
import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SenseCode;

public class DispatcherTest {
    /** A backend that records what it was asked and answers GOOD (or throws). */
    static final class Recording implements PrBackend {
        final String name;
        final boolean handles;
        final boolean fails;
        final List<Integer> seen = new ArrayList<>();

        Recording(String name, boolean handles, boolean fails) {
            this.name = name;
            this.handles = handles;
            this.fails = fails;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean handles(PrDevice device) {
            return handles;
        }

        @Override
        public void execute(PrRequest request, PrResponse response) {
            seen.add(request.opcode());
            if (fails) {
                throw new IllegalStateException("boom");
            }
            response.status(ScsiStatus.GOOD);
        }
    }

    private static DispatcherConfig config(long waitMillis) {
        return new DispatcherConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return DispatcherConfig.class;
            }

            @Override
            public long backendWaitMillis() {
                return waitMillis;
            }
        };
    }

    private static Map<String, Object> props(int ranking, long id) {
        return Map.of("service.ranking", ranking, "service.id", id);
    }

    private static PrRequest request(int opcode, int fd) {
        PrRequest r = new PrRequest();
        r.cdb()[0] = (byte) opcode;
        r.device(() -> fd);
        return r;
    }

    private static PrResponse response() {
        PrResponse r = new PrResponse();
        r.reset();
        return r;
    }

    private static void assertSense(PrResponse r, SenseCode code) {
        assertEquals(ScsiStatus.CHECK_CONDITION, r.status());
        assertEquals(0x70, r.sense()[0]);
        assertEquals(code.key(), r.sense()[2]);
        assertEquals(code.asc(), r.sense()[12]);
        assertEquals(code.ascq(), r.sense()[13]);
    }

    @Test
    public void highestRankingBackendThatHandlesTheDeviceWins() throws IOException {
        Dispatcher d = new Dispatcher(config(0));
        Recording low = new Recording("low", true, false);
        Recording highButDeclines = new Recording("high", false, false);
        Recording mid = new Recording("mid", true, false);
        d.addBackend(low, props(0, 1));
        d.addBackend(highButDeclines, props(100, 2));
        d.addBackend(mid, props(10, 3));
        try (OpenFile f = new OpenFile("rw")) {
            PrResponse r = response();
            d.handle(request(0x5E, f.fd), r);
            assertEquals(ScsiStatus.GOOD, r.status());
            assertEquals(List.of(0x5E), mid.seen);
            assertTrue(low.seen.isEmpty());
            d.removeBackend(mid);
            d.handle(request(0x5E, f.fd), response());
            assertEquals(List.of(0x5E), low.seen);
        }
    }

    @Test
    public void equalRankingPrefersTheOlderService() throws IOException {
        Dispatcher d = new Dispatcher(config(0));
        Recording newer = new Recording("newer", true, false);
        Recording older = new Recording("older", true, false);
        d.addBackend(newer, props(5, 20));
        d.addBackend(older, props(5, 10));
        try (OpenFile f = new OpenFile("rw")) {
            d.handle(request(0x5E, f.fd), response());
        }
        assertEquals(1, older.seen.size());
        assertTrue(newer.seen.isEmpty());
    }

    @Test
    public void prOutOnReadOnlyDescriptorNeverReachesTheBackend() throws IOException {
        Dispatcher d = new Dispatcher(config(0));
        Recording b = new Recording("b", true, false);
        d.addBackend(b, props(0, 1));
        try (OpenFile ro = new OpenFile("r")) {
            PrResponse r = response();
            d.handle(request(0x5F, ro.fd), r);
            assertSense(r, SenseCode.INVALID_OPCODE);
            assertTrue(b.seen.isEmpty());
            // PR IN on the same read-only descriptor is fine.
            d.handle(request(0x5E, ro.fd), response());
            assertEquals(List.of(0x5E), b.seen);
        }
    }

    @Test
    public void noBackendAnswersCommunicationFailure() throws IOException {
        Dispatcher d = new Dispatcher(config(0));
        try (OpenFile f = new OpenFile("rw")) {
            PrResponse r = response();
            d.handle(request(0x5E, f.fd), r);
            assertSense(r, SenseCode.LUN_COMMUNICATION_FAILURE);
        }
    }

    @Test
    public void aRequestWaitsForABackendThatArrives() throws Exception {
        Dispatcher d = new Dispatcher(config(10_000));
        Recording b = new Recording("late", true, false);
        try (OpenFile f = new OpenFile("rw")) {
            PrResponse r = response();
            CompletableFuture<Void> done = CompletableFuture.runAsync(() -> d.handle(request(0x5E, f.fd), r));
            Thread.sleep(200);
            assertTrue("must still be waiting", !done.isDone());
            d.addBackend(b, props(0, 1));
            done.get(5, TimeUnit.SECONDS);
            assertEquals(ScsiStatus.GOOD, r.status());
            assertEquals(List.of(0x5E), b.seen);
        }
    }

    @Test
    public void backendExceptionBecomesCheckCondition() throws IOException {
        Dispatcher d = new Dispatcher(config(0));
        d.addBackend(new Recording("bad", true, true), props(0, 1));
        try (OpenFile f = new OpenFile("rw")) {
            PrResponse r = response();
            d.handle(request(0x5E, f.fd), r);
            assertSense(r, SenseCode.LUN_COMMUNICATION_FAILURE);
        }
    }

    /** A backend whose execute() blocks until released, to catch a request in flight. */
    static final class Blocking implements PrBackend {
        final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

        @Override
        public String name() {
            return "blocking";
        }

        @Override
        public boolean handles(PrDevice device) {
            return true;
        }

        @Override
        public void execute(PrRequest request, PrResponse response) {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            response.status(ScsiStatus.GOOD);
        }
    }

    @Test
    public void removingABackendWaitsForItsRequestAndSendsNewOnesToTheNext() throws Exception {
        Dispatcher dispatcher = new Dispatcher(config(0));
        Blocking first = new Blocking();
        Recording next = new Recording("next", true, false);
        dispatcher.addBackend(first, props(10, 1));
        dispatcher.addBackend(next, props(0, 2));
        try (OpenFile file = new OpenFile("r")) {
            PrRequest in = request(PrRequest.OPCODE_PR_IN, file.fd);
            PrResponse inFlight = new PrResponse();
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> dispatcher.handle(in, inFlight));
            assertTrue(first.entered.await(10, TimeUnit.SECONDS));

            CompletableFuture<Void> removal = CompletableFuture.runAsync(() -> dispatcher.removeBackend(first));
            Thread.sleep(200);
            assertTrue("removal returned while a request was still executing", !removal.isDone());

            PrResponse during = new PrResponse();
            dispatcher.handle(request(PrRequest.OPCODE_PR_IN, file.fd), during);
            assertEquals("next", during.backend());
            assertEquals(ScsiStatus.GOOD, during.status());

            first.release.countDown();
            running.get(10, TimeUnit.SECONDS);
            removal.get(10, TimeUnit.SECONDS);
            assertEquals("blocking", inFlight.backend());
            assertEquals(ScsiStatus.GOOD, inFlight.status());
        }
    }
}
