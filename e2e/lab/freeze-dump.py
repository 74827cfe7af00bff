#!/usr/bin/env python3
"""freeze-dump.py MONITOR_SOCKET KALLSYMS_GZ: where each vCPU of a frozen lab guest is.

Asks the lab QEMU's human monitor for every vCPU's registers, reads each vCPU's kernel stack, and
names the addresses with the guest's own /proc/kallsyms (saved by guest-init.sh at boot, so KASLR
does not matter): the instruction pointer, then every stack word that falls in kernel text, top of
stack first. Stack words are candidates, not a proven backtrace: stale return addresses show too.
"""
import bisect
import gzip
import re
import socket
import sys

PROMPT = b"(qemu) "


class Monitor:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(20)
        self.s.connect(path)
        self.read()  # the banner

    def read(self):
        buf = b""
        while not buf.endswith(PROMPT):
            chunk = self.s.recv(65536)
            if not chunk:
                break
            buf += chunk
        return buf.decode("utf-8", "replace")

    def cmd(self, line):
        self.s.sendall(line.encode() + b"\n")
        out = self.read()
        # The monitor echoes the command line first; the prompt ends the answer.
        return out.replace("\r", "").split("\n", 1)[-1].rsplit("(qemu)", 1)[0]


def symbols(path):
    addrs, names = [], []
    with gzip.open(path, "rt") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[1] in ("t", "T"):
                addrs.append(int(parts[0], 16))
                names.append(parts[2] + (" " + parts[3] if len(parts) > 3 else ""))
    order = sorted(range(len(addrs)), key=addrs.__getitem__)
    return [addrs[i] for i in order], [names[i] for i in order]


def name(addr, addrs, names):
    i = bisect.bisect_right(addrs, addr) - 1
    if i < 0 or addr - addrs[i] > 0x8000:
        return None
    return f"{names[i]}+0x{addr - addrs[i]:x}"


def main():
    mon = Monitor(sys.argv[1])
    addrs, names = symbols(sys.argv[2]) if len(sys.argv) > 2 else ([], [])
    regs = mon.cmd("info registers -a")
    cpus = re.split(r"\n(?=CPU#\d+)", "\n" + regs)
    for block in cpus:
        m = re.search(r"CPU#(\d+)", block)
        if not m:
            continue
        cpu = int(m.group(1))
        rip = re.search(r"[RE]IP=([0-9a-f]+)", block)
        rsp = re.search(r"[RE]SP=([0-9a-f]+)", block)
        rfl = re.search(r"[RE]FL=([0-9a-f]+)", block)
        halted = re.search(r"HLT=(\d)", block)
        ip = int(rip.group(1), 16) if rip else 0
        print(f"CPU {cpu}: RIP {ip:#x} {name(ip, addrs, names) or '(not kernel text)'}"
              f"  RFL {rfl.group(1) if rfl else '?'} (IF={'1' if rfl and int(rfl.group(1), 16) & 0x200 else '0'})"
              f"  HLT={halted.group(1) if halted else '?'}")
        if not rsp:
            continue
        mon.cmd(f"cpu {cpu}")
        words = mon.cmd(f"x/96gx 0x{rsp.group(1)}")
        for w in re.findall(r"0x([0-9a-f]{16})", words):
            n = name(int(w, 16), addrs, names)
            if n:
                print(f"    {n}")
    print(mon.cmd("info cpus").strip())


if __name__ == "__main__":
    main()
