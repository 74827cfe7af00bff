#!/usr/bin/env python3
"""read-keys.py SOCKET: one PERSISTENT RESERVE IN READ KEYS to a pr-helper on SOCKET, with a
descriptor of /dev/null (SG_IO fails there: qemu-pr-helper answers CHECK CONDITION, ABORTED
COMMAND). Prints "STATUS KEY/ASC/ASCQ SENSE-HEX DATA-HEX": compare two helpers' lines byte for byte.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e", "guest"))
import prwire  # noqa: E402

c = prwire.Connection(sys.argv[1], 120)
fd = os.open("/dev/null", os.O_RDWR)
r = c.request(fd, prwire.cdb_in(prwire.READ_KEYS, 8192))
key, asc, ascq = r.sense_triple() or (0, 0, 0)
print(f"{r.status} {key:02x}/{asc:02x}/{ascq:02x} {r.sense.hex()} {r.data.hex()}")
