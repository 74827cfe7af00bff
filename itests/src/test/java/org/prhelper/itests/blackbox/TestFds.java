package org.prhelper.itests.blackbox;

import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.newsclub.net.unix.FileDescriptorCast;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The descriptors the tests pass to the helpers: none is a SCSI device, so every command fails in
 * SG_IO (or earlier) in a way both helpers must report alike.
 *
 * <p>A descriptor number that is already closed is not among them: the kernel refuses it in the
 * client's own sendmsg (EBADF), so no server ever receives one.
 */
final class TestFds implements Closeable {
    final FileDescriptor devNullReadWrite;
    final FileDescriptor devNullReadOnly;
    final FileDescriptor regularFile;
    final FileDescriptor directory;
    /** /dev/null opened O_PATH: a valid descriptor that refuses ioctl and every socket call. */
    final FileDescriptor devNullPathOnly;
    final FileDescriptor regularFileReadOnly;
    final FileDescriptor pipeReadEnd;
    final FileDescriptor pipeWriteEnd;
    /** One end of a connected Unix socket pair: what a confused client might pass instead of a disk. */
    final FileDescriptor unixSocket;

    private final RandomAccessFile devNullRw;
    private final FileInputStream devNullRo;
    private final RandomAccessFile file;
    private final FileChannel dir;
    private final FileInputStream pathOnlyHolder;
    private final FileInputStream fileRo;
    /** Descriptors made with libc (pipe, socketpair): Java has no stream that owns them. */
    private final int[] libcFds = new int[4];
    private final Path scratch;

    TestFds() throws IOException {
        scratch = Files.createTempDirectory("prh-fds-");
        devNullRw = new RandomAccessFile("/dev/null", "rw");
        devNullRo = new FileInputStream("/dev/null");
        Path filePath = Files.write(scratch.resolve("regular-file"), PrClient.parameters(4096));
        file = new RandomAccessFile(filePath.toFile(), "rw");
        Path dirPath = Files.createDirectory(scratch.resolve("directory"));
        dir = FileChannel.open(dirPath, StandardOpenOption.READ);
        devNullReadWrite = devNullRw.getFD();
        devNullReadOnly = devNullRo.getFD();
        regularFile = file.getFD();
        directory = FileDescriptorCast.unsafeUsing(descriptorNumberOf(dirPath.toRealPath())).getFileDescriptor();
        pathOnlyHolder = new FileInputStream("/dev/null");
        devNullPathOnly = pathOnlyHolder.getFD();
        reopenPathOnly(devNullPathOnly, "/dev/null");
        fileRo = new FileInputStream(filePath.toFile());
        regularFileReadOnly = fileRo.getFD();
        int[] pair = new int[2];
        check(LibC.INSTANCE.pipe(pair), "pipe");
        System.arraycopy(pair, 0, libcFds, 0, 2);
        check(LibC.INSTANCE.socketpair(AF_UNIX, SOCK_STREAM, 0, pair), "socketpair");
        System.arraycopy(pair, 0, libcFds, 2, 2);
        pipeReadEnd = FileDescriptorCast.unsafeUsing(libcFds[0]).getFileDescriptor();
        pipeWriteEnd = FileDescriptorCast.unsafeUsing(libcFds[1]).getFileDescriptor();
        unixSocket = FileDescriptorCast.unsafeUsing(libcFds[2]).getFileDescriptor();
    }

    /** Every kind by name, for tests that pick among them. */
    Map<String, FileDescriptor> all() {
        Map<String, FileDescriptor> kinds = new LinkedHashMap<>();
        kinds.put("/dev/null read-write", devNullReadWrite);
        kinds.put("/dev/null read-only", devNullReadOnly);
        kinds.put("/dev/null opened O_PATH", devNullPathOnly);
        kinds.put("a regular file read-write", regularFile);
        kinds.put("a regular file read-only", regularFileReadOnly);
        kinds.put("a directory", directory);
        kinds.put("a pipe's read end", pipeReadEnd);
        kinds.put("a pipe's write end", pipeWriteEnd);
        kinds.put("a Unix socket", unixSocket);
        return kinds;
    }

    private static void check(int rc, String call) throws IOException {
        if (rc != 0) {
            throw new IOException(call + " failed, errno " + Native.getLastError());
        }
    }

    /**
     * Java cannot open an O_PATH descriptor, and junixsocket refuses to wrap one, so this opens it
     * with libc and dup2()s it over a descriptor Java already holds: that FileDescriptor object then
     * stands for the O_PATH one (and closing its stream closes it).
     */
    private static void reopenPathOnly(FileDescriptor holder, String path) throws IOException {
        int pathOnly = LibC.INSTANCE.open(path, O_PATH);
        if (pathOnly < 0) {
            throw new IOException("open(" + path + ", O_PATH) failed, errno " + Native.getLastError());
        }
        int target = FileDescriptorCast.using(holder).as(Integer.class);
        int rc = LibC.INSTANCE.dup2(pathOnly, target);
        LibC.INSTANCE.close(pathOnly);
        if (rc != target) {
            throw new IOException("dup2 onto descriptor " + target + " failed, errno " + Native.getLastError());
        }
    }

    private static final int O_PATH = 010000000; // <asm-generic/fcntl.h>; Java cannot open one itself
    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;

    private interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int open(String path, int flags);

        int dup2(int from, int to);

        int close(int fd);

        int pipe(int[] fds);

        int socketpair(int domain, int type, int protocol, int[] fds);
    }

    /**
     * Java hands out no FileDescriptor for a directory, but FileChannel opens one; /proc/self/fd
     * tells which descriptor number it got (the only one pointing at this fresh directory).
     */
    private static int descriptorNumberOf(Path target) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(target);
                } catch (IOException e) {
                    return false; // the descriptor that listed /proc/self/fd itself, already closed
                }
            }).mapToInt(fd -> Integer.parseInt(fd.getFileName().toString())).findFirst()
                    .orElseThrow(() -> new IOException("no descriptor of " + target + " in /proc/self/fd"));
        }
    }

    @Override
    public void close() throws IOException {
        for (int fd : libcFds) {
            LibC.INSTANCE.close(fd);
        }
        try (devNullRw; devNullRo; file; dir; pathOnlyHolder; fileRo) {
            Files.delete(scratch.resolve("regular-file"));
            Files.delete(scratch.resolve("directory"));
            Files.delete(scratch);
        }
    }
}
