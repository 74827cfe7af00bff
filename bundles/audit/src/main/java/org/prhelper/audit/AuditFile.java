package org.prhelper.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.prhelper.api.AuditRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit file: one line per record, {@code TIME key=value...}, written by a thread of its own and
 * rotated by size ({@code FILE.1} is the newest of the old ones).
 *
 * <p>Request threads format their line and queue it. Neither a lock nor a logging framework is on
 * their path: pax-logging takes two global monitors per call and log4j's async appender a lock per
 * line, and with a thread per connection those were the worst latency at 128 connections and more (a
 * holder preempted among hundreds of runnable threads stalls every other request). Formatting stays
 * on the request threads because the writer is one thread among hundreds that compete for the CPU:
 * it only copies bytes, one write(2) per batch. When lines pile up all the same, a request thread
 * that is running anyway writes them: the one that queues the {@value #HELP_THRESHOLD}th line.
 */
final class AuditFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditFile.class);
    /** Records waiting at most; a request thread that finds it full waits for room (nothing is dropped). */
    static final int QUEUE_LIMIT = 16_384;
    /** Lines waiting from which the request thread that queues one writes them itself. */
    static final int HELP_THRESHOLD = 1024;
    /**
     * How long the writer lets records gather before it writes them, after a batch and after a wake-up:
     * one wake-up and one write(2) per batch rather than per record when requests come one by one (a
     * record was a wake-up, a write and two timed waits of the writer at a few hundred requests a second,
     * a fifth of the agent's CPU per request in the lab's emulated guest). A record reaches the file
     * within about this time.
     */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int BUFFER_BYTES = 256 * 1024;

    private final TimeStamps time = new TimeStamps(ZoneId.systemDefault());
    private final ThreadLocal<StringBuilder> builders = ThreadLocal.withInitial(() -> new StringBuilder(360));
    private final Path file;
    private final long maxBytes;
    private final int keep;
    private final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong failedWrites = new AtomicLong();
    /** Held while writing: by the writer thread, or by a request thread that found the queue full. */
    private final ReentrantLock writing = new ReentrantLock();
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    private final Thread writer;
    private volatile boolean idle;
    private volatile boolean closing;
    /** Set once the last drain begins: a line queued from then on may be missed by it. */
    private volatile boolean sealed;
    /** The file that takes the lines this one gets after it is sealed; null: nobody (logging is off). */
    private volatile AuditFile successor;
    /** Guarded by {@link #writing}, as are the channel and the buffer. */
    private boolean closed;
    private FileChannel channel;
    private long size;

    /**
     * Opens (appends to) {@code file}, creating its folder.
     *
     * @param maxBytes size from which the file is rotated
     * @param keep rotated files kept besides the current one (0: the file is truncated instead)
     */
    AuditFile(Path file, long maxBytes, int keep) throws IOException {
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
        Path folder = file.toAbsolutePath().getParent();
        if (folder != null) {
            Files.createDirectories(folder);
        }
        open();
        writer = new Thread(this::writeLoop, "prhelper-audit-writer");
        writer.setDaemon(true);
        writer.start();
    }

    Path path() {
        return file;
    }

    long maxBytes() {
        return maxBytes;
    }

    int keep() {
        return keep;
    }

    /** Queues the line of a record; when {@value #QUEUE_LIMIT} lines wait already, first writes or waits. */
    void append(AuditRecord record) {
        queue(format(record));
    }

    private void queue(byte[] line) {
        if (sealed) {
            forward(line);
            return;
        }
        while (queued.get() >= QUEUE_LIMIT && !closing) {
            // Slowing requests down is better than losing their record. The writer is starved of
            // CPU when hundreds of threads are runnable: whoever finds the queue full writes a
            // queue's worth; the others sleep on the lock meanwhile (spinning would starve it more).
            writeQueued(QUEUE_LIMIT, true);
        }
        int waiting = queued.incrementAndGet();
        queue.offer(line);
        if (sealed) {
            // The last drain may have run before the line was queued: whoever takes it off the queue,
            // that drain or this thread, sees it written.
            if (queue.remove(line)) {
                queued.decrementAndGet();
                forward(line);
            }
            return;
        }
        if (waiting >= HELP_THRESHOLD) {
            // The writer is behind (starved of CPU, or the disk is slow): this thread runs now, so it
            // writes the batch, unless another one is at it already.
            writeQueued(QUEUE_LIMIT, false);
        } else if (idle) {
            // Read after the offer: the writer announces idle before its last look at the queue,
            // so either it sees this record or this thread sees it idle.
            LockSupport.unpark(writer);
        }
    }

    private void forward(byte[] line) {
        AuditFile next = successor;
        if (next != null) {
            next.queue(line);
        }
    }

    /** Lines that could not be written (an I/O error), since this file was opened. */
    long lost() {
        return lost.get();
    }

    private void writeLoop() {
        while (true) {
            if (writeQueued(Integer.MAX_VALUE, true) > 0) {
                LockSupport.parkNanos(LINGER_NANOS);
                continue;
            }
            if (closing) {
                break;
            }
            idle = true;
            if (queue.isEmpty() && !closing) {
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            }
            idle = false;
            if (!closing && !queue.isEmpty()) {
                LockSupport.parkNanos(LINGER_NANOS); // woken by the first record: let others join it
            }
        }
        writing.lock();
        try {
            sealed = true;
            drain(Integer.MAX_VALUE);
            closed = true;
            channel.close();
        } catch (IOException e) {
            LOG.warn("Closing the audit file {}: {}", file, e.toString());
        } finally {
            writing.unlock();
        }
    }

    /**
     * Writes up to {@code max} queued lines under {@link #writing}; returns how many. Without
     * {@code wait}, returns 0 at once if another thread is writing.
     */
    private int writeQueued(int max, boolean wait) {
        if (wait) {
            writing.lock();
        } else if (!writing.tryLock()) {
            return 0;
        }
        try {
            return drain(max);
        } finally {
            writing.unlock();
        }
    }

    /** Writes up to {@code max} queued lines; returns how many. The caller holds {@link #writing}. */
    private int drain(int max) {
        if (closed) {
            return 0;
        }
        int n = 0;
        int buffered = 0;
        byte[] bytes;
        while (n < max && (bytes = queue.poll()) != null) {
            queued.decrementAndGet();
            n++;
            if (buffer.remaining() < bytes.length) {
                flush(buffered);
                buffered = 0;
            }
            if (bytes.length > buffer.capacity()) {
                write(ByteBuffer.wrap(bytes), 1);
            } else {
                buffer.put(bytes);
                buffered++;
            }
        }
        flush(buffered);
        return n;
    }

    /**
     * The line as UTF-8. Each request thread formats into a builder of its own that it keeps, and an
     * ASCII line (most are: names with other characters are rare) is copied straight into its bytes:
     * one allocation per line rather than three.
     */
    private byte[] format(AuditRecord r) {
        StringBuilder line = builders.get();
        line.setLength(0);
        time.append(line, r.time() == null ? Instant.now() : r.time());
        AuditLine.append(line, r);
        line.append('\n');
        int length = line.length();
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            char c = line.charAt(i);
            if (c >= 0x80) {
                return line.toString().getBytes(StandardCharsets.UTF_8);
            }
            bytes[i] = (byte) c;
        }
        return bytes;
    }

    private void flush(int lines) {
        buffer.flip();
        if (buffer.hasRemaining()) {
            write(buffer, lines);
        }
        buffer.clear();
    }

    private void write(ByteBuffer bytes, int lines) {
        try {
            if (size > 0 && size + bytes.remaining() > maxBytes) {
                rotate();
            }
            while (bytes.hasRemaining()) {
                size += channel.write(bytes);
            }
        } catch (IOException e) {
            long total = lost.addAndGet(lines);
            // Logged at the 1st, 2nd, 4th... failed write: a full disk must not flood the agent's own log.
            if (Long.bitCount(failedWrites.incrementAndGet()) == 1) {
                LOG.error("Audit file {}: {} line(s) not written, {} so far: {}", file, lines, total, e.toString());
            }
            bytes.position(bytes.limit());
        }
    }

    private void open() throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        size = channel.size();
    }

    /** FILE.(keep-1) becomes FILE.keep (the oldest goes), ..., FILE becomes FILE.1, and FILE starts empty. */
    private void rotate() throws IOException {
        channel.close();
        if (keep > 0) {
            for (int i = keep - 1; i >= 1; i--) {
                Path from = rotated(i);
                if (Files.exists(from)) {
                    Files.move(from, rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.deleteIfExists(file);
        }
        open();
    }

    private Path rotated(int i) {
        return file.resolveSibling(file.getFileName() + "." + i);
    }

    /**
     * Writes what is queued, closes the file and ends the writer; records appended later go to
     * {@code successor} (none when null), so that a record arriving while the file setting changes is
     * written to the old file or to the new one.
     */
    void closeInto(AuditFile successor) {
        this.successor = successor;
        close();
    }

    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            LOG.warn("Audit file {}: the writer did not finish within 10 s; {} record(s) still queued", file,
                    queued.get());
        }
    }
}
