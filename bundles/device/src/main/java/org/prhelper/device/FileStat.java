package org.prhelper.device;

import java.util.Optional;

/**
 * What stat says of an open file: its mode (type bits included), the device numbers it stands for
 * (rdev, for block and character devices) and which inode of which file system it is (the file
 * system's device numbers, major in the high 32 bits).
 */
record FileStat(int mode, int major, int minor, long fileSystem, long inode) {
    /** How this process stats an open descriptor; empty when the descriptor is not open. */
    interface Source {
        Optional<FileStat> of(int fd);
    }
}
