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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.prhelper.api.AuditRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit file: one line per record, {@code TIME key=value...}, written by a thread of its own and
 * rotated by size ({@code FILE.1} is the newest of the old ones).
 *
 * <p>A request thread formats its line and adds it to a list under a lock held for that add; the
 * writer takes the whole list at once and writes it with one write(2). The serving loops run few
 * threads, so the writer gets the CPU when it needs it. The formatting stays on the request thread:
 * done by the writer, it took a core in bursts, and on two cores a one-connection benchmark
 * (bench/ab.sh, /dev/null) lost a fifth of its requests a second and its p999 grew from 0.1 to 1.2 ms.
 */
final class AuditFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditFile.class);
    /** Records waiting at most; a request thread that finds it full waits for room (nothing is dropped). */
    static final int QUEUE_LIMIT = 16_384;
    /**
     * How long the writer lets records gather before it writes them, after a batch and after a wake-up:
     * one wake-up and one write(2) per batch rather than per record when requests come one by one (a
     * record was a wake-up, a write and two timed waits of the writer at a few hundred requests a second,
     * a fifth of the agent's CPU per request in the lab's emulated guest; 10 ms still left one write per
     * one or two records at 150 requests a second). A record reaches the file within about this time.
     */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Records that cut the writer's linger short: under heavy load, batches stay this size, not a linger's worth. */
    private static final int EARLY_WAKE = 1024;
    private static final int BUFFER_BYTES = 256 * 1024;

    private final TimeStamps time = new TimeStamps(ZoneId.systemDefault());
    private final Path file;
    private final long maxBytes;
    private final int keep;
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    /** The writer waits on it for the first record or for close. */
    private final Condition work = lock.newCondition();
    /** Request threads wait on it while {@value #QUEUE_LIMIT} records wait already. */
    private final Condition room = lock.newCondition();
    private final Thread writer;
    private final ThreadLocal<StringBuilder> builders = ThreadLocal.withInitial(() -> new StringBuilder(360));
    /** Guarded by {@link #lock}: the lines waiting for the writer. */
    private List<byte[]> pending = new ArrayList<>();
    /** Guarded by {@link #lock}. */
    private boolean writerWaiting;
    /** Set under {@link #lock}; read without it to cut the writer's lingering short. */
    private volatile boolean closing;
    /** Guarded by {@link #lock}: the writer took its last batch; records go to {@link #successor}. */
    private boolean sealed;
    /** Guarded by {@link #lock}: the file that takes records once this one is sealed; null: nobody. */
    private AuditFile successor;
    // The writer's own: the batch it writes, the bytes and the file.
    private List<byte[]> batch = new ArrayList<>();
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
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

    /** Queues the line of a record; when {@value #QUEUE_LIMIT} wait already, first waits for the writer to take them. */
    void append(AuditRecord record) {
        queue(format(record));
    }

    private void queue(byte[] line) {
        AuditFile next;
        lock.lock();
        try {
            // Slowing requests down is better than losing their record.
            while (pending.size() >= QUEUE_LIMIT && !sealed) {
                room.awaitUninterruptibly();
            }
            if (!sealed) {
                pending.add(line);
                if (writerWaiting) {
                    writerWaiting = false;
                    work.signal();
                } else if (pending.size() == EARLY_WAKE) {
                    LockSupport.unpark(writer);
                }
                return;
            }
            next = successor;
        } finally {
            lock.unlock();
        }
        if (next != null) {
            next.queue(line);
        }
    }

    /** Lines that could not be written (an I/O error), since this file was opened. */
    long lost() {
        return lost.get();
    }

    private void writeLoop() {
        boolean last = false;
        while (!last) {
            if (awaitFirst() && !closing) {
                LockSupport.parkNanos(LINGER_NANOS); // woken by the first record: let others join it
            }
            lock.lock();
            try {
                List<byte[]> taken = pending;
                pending = batch;
                batch = taken;
                last = closing;
                sealed = last;
                room.signalAll();
            } finally {
                lock.unlock();
            }
            write(batch);
            batch.clear();
            if (!last) {
                LockSupport.parkNanos(LINGER_NANOS);
            }
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("Closing the audit file {}: {}", file, e.toString());
        }
    }

    /** Waits until a record is queued or the file closes; true if it had to wait. */
    private boolean awaitFirst() {
        lock.lock();
        try {
            boolean waited = false;
            while (pending.isEmpty() && !closing) {
                writerWaiting = true;
                waited = true;
                work.awaitUninterruptibly();
            }
            writerWaiting = false;
            return waited;
        } finally {
            lock.unlock();
        }
    }

    /** Copies the lines into the buffer, writing it whenever the next line would not fit. */
    private void write(List<byte[]> lines) {
        int buffered = 0;
        for (byte[] line : lines) {
            if (buffer.remaining() < line.length) {
                flush(buffered);
                buffered = 0;
            }
            if (line.length > buffer.capacity()) {
                write(ByteBuffer.wrap(line), 1);
            } else {
                buffer.put(line);
                buffered++;
            }
        }
        flush(buffered);
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
            failed(lines, e.toString());
            bytes.position(bytes.limit());
        }
    }

    private void failed(int lines, String why) {
        long total = lost.addAndGet(lines);
        // Logged at the 1st, 2nd, 4th... failure: a full disk must not flood the agent's own log.
        if (Long.bitCount(failures.incrementAndGet()) == 1) {
            LOG.error("Audit file {}: {} line(s) not written, {} so far: {}", file, lines, total, why);
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
        lock.lock();
        try {
            this.successor = successor;
        } finally {
            lock.unlock();
        }
        close();
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            work.signal();
        } finally {
            lock.unlock();
        }
        LockSupport.unpark(writer); // ends its lingering
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            LOG.warn("Audit file {}: the writer did not finish within 10 s; its records are still queued", file);
        }
    }
}
