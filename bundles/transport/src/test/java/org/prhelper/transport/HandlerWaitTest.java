package org.prhelper.transport;

import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.prhelper.api.PrHandler;

/** A request that arrives before the dispatcher is registered waits for it rather than failing. */
public class HandlerWaitTest {
    @Test
    public void waitsForTheDispatcherThenGetsIt() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "prw");
        SocketTransport transport = new SocketTransport();
        transport.start(Configs.socket(dir.resolve("s.sock").toString(), "", 4, 4),
                Map.of("service.pid", "org.prhelper.socket~w"));
        try {
            PrHandler dispatcher = (req, resp) -> { };
            CompletableFuture<PrHandler> got = CompletableFuture.supplyAsync(transport::handler);
            Thread.sleep(300);
            assertTrue("must still be waiting", !got.isDone());
            transport.setHandler(dispatcher);
            assertSame(dispatcher, got.get(5, TimeUnit.SECONDS));
            transport.unsetHandler(dispatcher);
        } finally {
            transport.stop();
            Files.deleteIfExists(dir.resolve("s.sock"));
            Files.delete(dir);
        }
    }

    @Test
    public void givesUpAfterTheWait() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "prw");
        SocketTransport transport = new SocketTransport();
        transport.start(Configs.socket(dir.resolve("s.sock").toString(), "", 4, 4), Map.of());
        try {
            long start = System.nanoTime();
            assertNull(transport.handler());
            assertTrue(System.nanoTime() - start >= 4_000_000_000L);
        } finally {
            transport.stop();
            Files.deleteIfExists(dir.resolve("s.sock"));
            Files.delete(dir);
        }
    }
}
