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
 * <p>A request thread only adds its record to a list under a lock held for that add; the writer
 * takes the whole list at once, formats the lines straight into one buffer and writes it with one
 * write(2). The serving loops run few threads, so the writer gets the CPU when it needs it, and the
 * formatting, the larger part of an audit record's cost, is off the request's path.
 */
final class AuditFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditFile.class);
    /** Records waiting at most; a request thread that finds it full waits for room (nothing is dropped). */
    static final int QUEUE_LIMIT = 16_384;
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
    /** Guarded by {@link #lock}: the records waiting for the writer. */
    private List<AuditRecord> pending = new ArrayList<>();
    /** Guarded by {@link #lock}. */
    private boolean writerWaiting;
    /** Set under {@link #lock}; read without it to cut the writer's lingering short. */
    private volatile boolean closing;
    /** Guarded by {@link #lock}: the writer took its last batch; records go to {@link #successor}. */
    private boolean sealed;
    /** Guarded by {@link #lock}: the file that takes records once this one is sealed; null: nobody. */
    private AuditFile successor;
    // The writer's own: the batch it writes, the line it formats, the bytes and the file.
    private List<AuditRecord> batch = new ArrayList<>();
    private final StringBuilder line = new StringBuilder(360);
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

    /** Queues a record; when {@value #QUEUE_LIMIT} wait already, first waits for the writer to take them. */
    void append(AuditRecord record) {
        AuditFile next;
        lock.lock();
        try {
            // Slowing requests down is better than losing their record.
            while (pending.size() >= QUEUE_LIMIT && !sealed) {
                room.awaitUninterruptibly();
            }
            if (!sealed) {
                pending.add(record);
                if (writerWaiting) {
                    writerWaiting = false;
                    work.signal();
                }
                return;
            }
            next = successor;
        } finally {
            lock.unlock();
        }
        if (next != null) {
            next.append(record);
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
                List<AuditRecord> taken = pending;
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

    /** Formats the records into the buffer, writing it whenever the next line would not fit. */
    private void write(List<AuditRecord> records) {
        int buffered = 0;
        for (AuditRecord r : records) {
            try {
                format(r);
            } catch (RuntimeException e) {
                // A record that cannot be formatted must not end the writer, on which every request waits.
                failed(1, e.toString());
                continue;
            }
            int length = line.length();
            if (buffer.remaining() < 3 * length) { // UTF-8 takes at most 3 bytes per char
                flush(buffered);
                buffered = 0;
            }
            if (3 * length > buffer.capacity()) {
                write(ByteBuffer.wrap(line.toString().getBytes(StandardCharsets.UTF_8)), 1);
            } else {
                encode();
                buffered++;
            }
        }
        flush(buffered);
    }

    private void format(AuditRecord r) {
        line.setLength(0);
        time.append(line, r.time() == null ? Instant.now() : r.time());
        AuditLine.append(line, r);
        line.append('\n');
    }

    /** The line as UTF-8 into the buffer; an ASCII line (most are) copied char by char. */
    private void encode() {
        int start = buffer.position();
        int length = line.length();
        for (int i = 0; i < length; i++) {
            char c = line.charAt(i);
            if (c >= 0x80) {
                buffer.position(start);
                buffer.put(line.toString().getBytes(StandardCharsets.UTF_8));
                return;
            }
            buffer.put((byte) c);
        }
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
