"""serial_in.py SOCKET FIFO: types lines into a nested guest's serial port that QEMU serves on a
Unix socket (libvirt's <serial type='unix'> with mode='bind').

Holds one connection for the guest's life and forwards each line written to FIFO (opened read-write,
so writers coming and going never end it). A connection per line lost the lines in the lab: no
command arrived in 150 s. Waits up to 300 s for QEMU's socket to appear.
"""
import os
import socket
import sys
import time


def main():
    path, fifo = sys.argv[1], sys.argv[2]
    conn = socket.socket(socket.AF_UNIX)
    deadline = time.monotonic() + 300
    while True:
        try:
            conn.connect(path)
            break
        except OSError as e:
            if time.monotonic() > deadline:
                sys.exit(f"serial_in.py: cannot connect to {path}: {e}")
            time.sleep(0.5)
    fd = os.open(fifo, os.O_RDWR)
    pending = b""
    while True:
        pending += os.read(fd, 4096)
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            conn.sendall(line + b"\n")


if __name__ == "__main__":
    main()
