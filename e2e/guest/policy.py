#!/usr/bin/env python3
"""One request through a socket of our agent, for the policy checks of policy.sh.

    policy.py SOCKET DEVICE read-keys|register

Prints the reply as "STATUS KEY/ASC/ASCQ" (hex), e.g. "00 0/00/00" or "02 5/20/02".
REGISTER uses an unused key (0x5eed) so that, if it were ever allowed, the change would show.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prwire  # noqa: E402


def main():
    sock, device, op = sys.argv[1:4]
    conn = prwire.Connection(sock, 60)
    fd = os.open(device, os.O_RDWR)
    try:
        if op == "read-keys":
            reply = conn.request(fd, prwire.cdb_in(0, 8192))
        elif op == "register":
            param = prwire.param_basic(0, 0x5EED)
            reply = conn.request(fd, prwire.cdb_out(0, 0, len(param)), param)
        else:
            raise SystemExit(f"unknown operation {op}")
    finally:
        os.close(fd)
        conn.close()
    sense = reply.sense
    print(f"{reply.status:02x} {sense[2] & 0x0F:x}/{sense[12]:02x}/{sense[13]:02x}")


if __name__ == "__main__":
    main()
