#!/usr/bin/env python3
"""The e2e byte-compare suite: our agent against Debian's qemu-pr-helper on real LIO disks.

Runs inside the lab guest (e2e/guest/suite.sh starts both helpers first). The guest has two LIO
ramdisk LUNs with identical initial state, each seen through two tcm_loop paths (two I_T nexuses):
LUN 0 is driven only through the reference helper, LUN 1 only through our agent. Every step sends
the same request (same CDB, same parameter list, an fd of the same path of "its" LUN, or the same
non-SCSI file) to both, over one long-lived connection per helper, and then:
  1. compares the two replies byte for byte (status, data size, 96 sense bytes, data);
  2. checks both replies against what the step expects of the device;
  3. reads both LUNs' state independently with sg3-utils (sg_turs on every path, consuming unit
     attentions and recording them; sg_persist --in -k, -r, -s on path 0), requires the two LUNs'
     outputs to be identical, the keys and reservation to be what the step expects, and nothing to
     change (PR generation included) after a PR IN or a refused PR OUT.
The only tolerated reply difference: on the read-only PR OUT path Debian's 7.2 fills sense bytes
18..95 with whatever was in its buffer; there ours must be zero (and bytes 0..17 identical).
REGISTER AND MOVE parameters carry each LUN's own relative target port ids, and READ FULL STATUS
data is compared with ours mapped to the reference's (on Debian's 6.1 both LUNs number their
ports 1 and 2, so the mapping is the identity).

Writes a JSON results file (steps, replies as hex, state outputs, verdicts) and one
"PASS<TAB>name" / "FAIL<TAB>name<TAB>why" line per step to the checks file.
"""
import argparse
import concurrent.futures
import json
import os
import re
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks as checkfile  # noqa: E402
from prwire import (  # noqa: E402
    ALL_TG_PT, APTPL, CLEAR, PREEMPT, PREEMPT_AND_ABORT, READ_FULL_STATUS, READ_KEYS,
    READ_RESERVATION, REGISTER, REGISTER_AND_IGNORE, REGISTER_AND_MOVE, RELEASE,
    REPLACE_LOST_RESERVATION, REPORT_CAPABILITIES, RESERVE, SA_NAMES_IN, SA_NAMES_OUT, SPEC_I_PT,
    Closed, Connection, cdb_in, cdb_out, param_basic, param_move, sas_tid)

GOOD, CHECK, CONFLICT = 0x00, 0x02, 0x18
REPLY_TIMEOUT = 60          # seconds to wait for one reply (ours has a 30 s SG_IO timeout)
PLAIN_FILE = "/tmp/e2e-plain-file"
KEEP = object()             # "expected state unchanged"
WAITING_FILE = "/share/waiting"

TYPE_NAMES = {"Write Exclusive": 1, "Exclusive Access": 3,
              "Write Exclusive, registrants only": 5, "Exclusive Access, registrants only": 6,
              "Write Exclusive, all registrants": 7, "Exclusive Access, all registrants": 8}

# Reservation keys: full 64-bit values, so a byte-order slip cannot go unnoticed.
def ka(n):
    return 0xA0A1A2A3A4A5A600 | n


def kb(n):
    return 0xB0B1B2B3B4B5B600 | n


BADKEY = 0x0BAD0BAD0BAD0BAD

# Bugs of ours the suite exposes, reported but not fixed yet (steps marked with them are XFAIL
# while they fail). "repro" runs on the host, from the project folder, no guest needed.
KNOWN_BUGS = {}

# How a step opens its descriptor.
OPEN_MODES = {"rw": os.O_RDWR, "ro": os.O_RDONLY, "wo": os.O_WRONLY,
              "rw-nb": os.O_RDWR | os.O_NONBLOCK, "ro-nb": os.O_RDONLY | os.O_NONBLOCK,
              "path": os.O_PATH}


def run(cmd, timeout=60):
    """Runs cmd; returns (rc, stdout+stderr). A process stuck in the kernel (D state: it ignores
    SIGKILL until its SCSI command ends) is abandoned after the timeout, not waited for."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = p.communicate(timeout=timeout)
        return p.returncode, out
    except subprocess.TimeoutExpired:
        p.kill()
        try:
            p.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        return -1, f"TIMEOUT: {' '.join(cmd)} did not finish within {timeout}s"


class Aborted(Exception):
    """A helper or the device stopped answering: the rest of the suite cannot be trusted."""


class Expect:
    """What a reply must be: status, optionally (key, asc, ascq) and the data length."""

    def __init__(self, status, sense=None, dlen=None):
        self.status, self.sense, self.dlen = status, sense, dlen

    def problems(self, reply):
        out = []
        if reply.status != self.status:
            out.append(f"status {reply.status:#04x}, expected {self.status:#04x}")
        if self.sense is not None and reply.sense_triple() != self.sense:
            got = reply.sense_triple()
            out.append(f"sense {got and '%02x/%02x/%02x' % got}, expected "
                       f"{'%02x/%02x/%02x' % self.sense}")
        if self.sense is None and self.status == GOOD and any(reply.sense):
            out.append("sense data with GOOD status")
        if self.dlen is not None and len(reply.data) != self.dlen:
            out.append(f"{len(reply.data)} data bytes, expected {self.dlen}")
        if self.status != GOOD and reply.data:
            out.append("data with a non-GOOD status")
        return out

    def text(self):
        t = f"{self.status:#04x}"
        if self.sense:
            t += " %02x/%02x/%02x" % self.sense
        if self.dlen is not None:
            t += f" {self.dlen}B"
        return t


def E(status, key=None, asc=None, ascq=None, dlen=None):
    return Expect(status, None if key is None else (key, asc, ascq), dlen)


ILLEGAL_CDB = (0x05, 0x24, 0x00)


class Side:
    """One helper and the LUN it acts on."""

    def __init__(self, name, sock, lun, rtpi):
        self.name, self.sock, self.lun = name, sock, lun
        self.rtpi = rtpi                  # {"p0": relative target port id of path 0, "p1": ...}
        self.conn = None
        self.connections = 0

    def path_of(self, dev):
        if dev in ("p0", "p1"):
            return self.lun[dev]
        return {"null": "/dev/null", "file": PLAIN_FILE, "dir": "/tmp"}[dev]

    def send(self, dev, mode, cdb, param, own=False):
        """Returns (Reply, None) or (None, what went wrong). With own=True the request goes over a
        connection of its own, which must then still answer a READ KEYS on /dev/null."""
        flags = OPEN_MODES[mode]
        if dev == "dir":
            flags = os.O_RDONLY | os.O_DIRECTORY
        fd = os.open(self.path_of(dev), flags)
        conn = None
        try:
            if own:
                conn = Connection(self.sock, REPLY_TIMEOUT)
            else:
                if self.conn is None:
                    self.conn = Connection(self.sock, REPLY_TIMEOUT)
                    self.connections += 1
                conn = self.conn
            t0 = time.monotonic()
            reply = conn.request(fd, cdb, param)
            reply.ms = round((time.monotonic() - t0) * 1000, 2)
            if own:
                null = os.open("/dev/null", os.O_RDWR)
                try:
                    conn.request(null, cdb_in(READ_KEYS, 8192))
                except Closed as e:
                    return None, f"{self.name}: replied, then the connection was gone ({e})"
                finally:
                    os.close(null)
            return reply, None
        except Closed as e:
            if not own:
                self.conn = None
            return None, f"{self.name}: {e}"
        except socket.timeout:
            if not own:
                self.conn = None
            return None, (f"{self.name}: TIMEOUT waiting {REPLY_TIMEOUT}s for the reply from "
                          f"{self.sock}")
        except OSError as e:
            if not own:
                self.conn = None
            return None, f"{self.name}: {e}"
        finally:
            os.close(fd)
            if own and conn is not None:
                conn.close()


def parse_keys(text):
    if "NO registered reservation keys" in text:
        return []
    if "registered reservation key" not in text:
        return None
    return [int(k, 16) for k in re.findall(r"^\s+(0x[0-9a-f]+)\s*$", text, re.M)]


def parse_reservation(text):
    if "NO reservation held" in text:
        return None
    m = re.search(r"Key\s*=\s*(0x[0-9a-f]+).*?type:\s*([^\n]+)", text, re.S)
    if not m:
        return "unparsable"
    return int(m.group(1), 16), TYPE_NAMES.get(m.group(2).strip(), m.group(2).strip())


def fmt_res(res):
    if res is None:
        return "none"
    if isinstance(res, str):
        return res
    return f"key {res[0]:#x} type {res[1]}"


def fmt_keys(keys):
    if keys is None:
        return "unparsable"
    return "[" + ", ".join(f"{k:#x}" for k in keys) + "]"


def holder_initiator(text):
    """The SAS address of the reservation holder's initiator in `sg_persist --in -s` output."""
    for block in re.split(r"\n\s*Key\s*=", text)[1:]:
        if "Reservation holder" in block:
            m = re.search(r"SAS address:\s*(0x[0-9a-f]+)", block)
            return m and m.group(1).lower()
    return None


def map_rfs_rtpi(data, mapping):
    """READ FULL STATUS data with every descriptor's relative target port id mapped (also in
    truncated data, as far as the field is there)."""
    out = bytearray(data)
    off = 8
    while off + 20 <= len(out):
        rtpi = int.from_bytes(out[off + 18:off + 20], "big")
        out[off + 18:off + 20] = mapping.get(rtpi, rtpi).to_bytes(2, "big")
        if off + 24 > len(out):
            break
        off += 24 + int.from_bytes(out[off + 20:off + 24], "big")
    return bytes(out)


def lun_state(lun, rtpi):
    """Independent view of one LUN with sg3-utils; texts are normalised (no device names, relative
    port addresses named by path)."""
    st = {"ua": []}
    for p in ("p0", "p1"):
        for _ in range(8):
            rc, out = run(["sg_turs", "-v", lun[p]])
            if rc == 0:
                break
            lines = [ln.strip() for ln in out.splitlines() if "cdb:" not in ln and ln.strip()]
            st["ua"].append(f"{p}: rc={rc} " + " | ".join(lines))
        else:
            st["ua"].append(f"{p}: TEST UNIT READY never returned GOOD")
    for opt in ("-k", "-r", "-s"):
        rc, out = run(["sg_persist", "--in", opt, lun["p0"]])
        for dev in lun.values():
            out = out.replace(dev, "<dev>")
        for p, port in rtpi.items():
            out = re.sub(rf"(Relative port address: ){port:#x}\b", rf"\g<1><{p}>", out)
        st[opt] = f"rc={rc}\n{out}"
    st["keys"] = parse_keys(st["-k"])
    st["res"] = parse_reservation(st["-r"])
    return st


class Suite:
    def __init__(self, ref, ours, devices):
        self.ref, self.ours, self.devices = ref, ours, devices
        self.steps = []
        self.keys, self.res = [], None          # expected device state
        self.section = ""
        self.pool = concurrent.futures.ThreadPoolExecutor(2)
        self.aborted = None
        self.prev_state = None                  # both LUNs' sg_persist outputs after the last step

    # ---------------------------------------------------------------- one step
    def step(self, title, dev, mode, cdb, param=b"", expect=None, keys=KEEP, res=KEEP,
             garbage_ok=False, check_state=True, note=None, own_connection=False,
             known_bug=None, holder=None):
        """One request to both helpers, compared and checked (see the module's doc).
        own_connection: over a fresh connection each, which must stay usable afterwards.
        known_bug: the step exposes a bug of ours that is reported but not fixed yet; if it
        fails, it is an XFAIL (listed, not counted as a failure); if it passes, an XPASS.
        holder: "p0" or "p1", the path whose I_T nexus must hold the reservation afterwards."""
        if self.aborted:
            raise Aborted(self.aborted)
        n = len(self.steps) + 1
        t0 = time.monotonic()
        try:
            with open(WAITING_FILE, "w") as f:
                f.write(f"suite.py step {n} ({title}): replies and sg_persist (each bounded "
                        f"by {REPLY_TIMEOUT}s)\n")
        except OSError:
            pass
        problems = []
        replies = {}
        params = {}
        for side in (self.ref, self.ours):
            params[side.name] = param(side) if callable(param) else param
            reply, err = side.send(dev, mode, cdb, params[side.name], own=own_connection)
            replies[side.name] = (reply, err)
            if err:
                problems.append(err)
        (rr, rerr), (orr, oerr) = replies["reference"], replies["ours"]

        # 1. byte for byte
        match_note, normalized = "", ""
        ours_data = orr.data if orr else b""
        if orr and cdb[0] == 0x5E and (cdb[1] & 0x1F) == READ_FULL_STATUS:
            # The LUNs sit behind different target ports; should the kernel number them
            # differently, map our LUN's relative target port ids to the reference LUN's.
            ours_data = map_rfs_rtpi(orr.data, self.rtpi_map())
            if ours_data != orr.data:
                normalized = ("relative target port ids of our LUN's paths mapped to the "
                              "reference LUN's before comparing")
        match = False
        if rr and orr:
            same_head = rr.status == orr.status and rr.data == ours_data
            if same_head and rr.sense == orr.sense:
                match = True
            elif (same_head and garbage_ok and rr.sense[:18] == orr.sense[:18]
                  and not any(orr.sense[18:]) and any(rr.sense[18:])):
                match = True
                match_note = ("reference sense bytes 18..95 are non-zero (uninitialised buffer); "
                              "ours are zero, bytes 0..17 identical")
            else:
                diffs = []
                if rr.status != orr.status:
                    diffs.append(f"status ref {rr.status:#04x} ours {orr.status:#04x}")
                if rr.sense != orr.sense:
                    diffs.append(f"sense ref {rr.sense.hex()} ours {orr.sense.hex()}")
                if rr.data != ours_data:
                    diffs.append(f"data ref {rr.data.hex() or '-'} ours {orr.data.hex() or '-'}")
                problems.append("replies differ: " + "; ".join(diffs))
        # 2. expectations of the device
        if expect is not None:
            for name, r in (("reference", rr), ("ours", orr)):
                if r:
                    problems += [f"{name}: {p}" for p in expect.problems(r)]
        # 3. device state, both LUNs in parallel
        if keys is not KEEP:
            self.keys = list(keys)
        if res is not KEEP:
            self.res = res
        state = None
        if check_state:
            fa = self.pool.submit(lun_state, self.ref.lun, self.ref.rtpi)
            fb = self.pool.submit(lun_state, self.ours.lun, self.ours.rtpi)
            sa, sb = fa.result(), fb.result()
            state = {"reference": sa, "ours": sb}
            for k in ("ua", "-k", "-r", "-s"):
                if sa[k] != sb[k]:
                    problems.append(f"LUN states differ in sg_persist {k}:\n--- reference LUN\n"
                                    f"{sa[k]}\n--- our LUN\n{sb[k]}")
            # PR IN, and a PR OUT the device (or the helper) refuses, must not change anything,
            # not even the PR generation.
            if (self.prev_state and (cdb[0] == 0x5E or (expect and expect.status != GOOD))):
                for name, s in (("reference", sa), ("ours", sb)):
                    for k in ("-k", "-r", "-s"):
                        if s[k] != self.prev_state[name][k]:
                            problems.append(f"{name} LUN changed (sg_persist {k}) although the "
                                            f"step must not change it:\n--- before\n"
                                            f"{self.prev_state[name][k]}\n--- after\n{s[k]}")
            for name, s in (("reference", sa), ("ours", sb)):
                if s["keys"] is None or sorted(s["keys"]) != sorted(self.keys):
                    problems.append(f"{name} LUN keys {fmt_keys(s['keys'])}, expected "
                                    f"{fmt_keys(self.keys)}")
                if s["res"] != self.res:
                    problems.append(f"{name} LUN reservation {fmt_res(s['res'])}, expected "
                                    f"{fmt_res(self.res)}")
                if holder:
                    want = "0x" + self.devices["initiator" + holder[1]].split(".", 1)[1].lower()
                    got = holder_initiator(s["-s"])
                    if got != want:
                        problems.append(f"{name} LUN: the holder's initiator is {got}, expected "
                                        f"{holder}'s ({want})")
        self.prev_state = state
        ok = not problems
        verdict = "PASS" if ok else "FAIL"
        if known_bug:
            verdict = "XPASS" if ok else "XFAIL"
        rec = {
            "n": n, "section": self.section, "title": title, "dev": dev, "mode": mode,
            "cdb": bytes(cdb).ljust(16, b"\0").hex(), "param": params["reference"].hex(),
            "param_ours": params["ours"].hex(),
            "reference": dict(rr.to_json(), ms=rr.ms) if rr else {"error": rerr},
            "ours": dict(orr.to_json(), ms=orr.ms) if orr else {"error": oerr},
            "expect": expect.text() if expect else None,
            "match": match, "match_note": match_note, "normalized": normalized, "ok": ok,
            "verdict": verdict, "known_bug": known_bug and KNOWN_BUGS[known_bug]["what"],
            "known_bug_id": known_bug, "problems": problems,
            "note": note, "seconds": round(time.monotonic() - t0, 2),
            "state": None if state is None else {
                side: {"ua": s["ua"], "keys": s["keys"] and [f"{k:#x}" for k in s["keys"]],
                       "res": fmt_res(s["res"]), "k": s["-k"], "r": s["-r"], "s": s["-s"]}
                for side, s in state.items()},
        }
        self.steps.append(rec)
        stuck = [p for p in problems if "TIMEOUT" in p]
        if stuck:
            self.aborted = f"step {n} ({title}): {stuck[0].splitlines()[0]}"
        desc = lambda r, e: r.describe() if r else e
        print(f"{verdict} #{n:02d} [{self.section}] {title}: "
              f"ref {desc(rr, rerr)} | ours {desc(orr, oerr)}"
              + (f"  ({match_note})" if match_note else ""), flush=True)
        for p in problems:
            print("      " + p.replace("\n", "\n      "), flush=True)
        if known_bug:
            print(f"      known bug {known_bug} (see KNOWN_BUGS in suite.py)" + ("" if problems else
                  " -- but the step passed now: drop its known_bug marker"), flush=True)
        return rr, orr

    # ---------------------------------------------------------------- helpers for steps
    def pr_in(self, title, sa, alloc=8192, dev="p0", mode="rw", **kw):
        return self.step(title or f"{SA_NAMES_IN.get(sa, hex(sa))}, allocation length {alloc}",
                         dev, mode, cdb_in(sa, alloc), b"", **kw)

    def pr_out(self, title, sa, prtype=0, param=None, dev="p0", mode="rw", **kw):
        if param is None:
            param = param_basic()
        n = len(param(self.ref) if callable(param) else param)
        return self.step(title, dev, mode, cdb_out(sa, prtype, n), param, **kw)

    def rtpi_map(self):
        return {self.ours.rtpi[p]: self.ref.rtpi[p] for p in ("p0", "p1")}

    # ---------------------------------------------------------------- the scenario
    def run(self):
        d = self.devices
        tid0, tid1 = sas_tid(d["initiator0"]), sas_tid(d["initiator1"])

        self.section = "PR IN, fresh LUN"
        self.pr_in(None, READ_KEYS, expect=E(GOOD, dlen=8))
        self.pr_in(None, READ_RESERVATION, expect=E(GOOD, dlen=8))
        self.pr_in(None, REPORT_CAPABILITIES, expect=E(GOOD, dlen=8))
        self.pr_in(None, READ_FULL_STATUS, expect=E(GOOD, dlen=8))
        # LIO refuses allocation lengths below what it wants to write, with ILLEGAL REQUEST.
        self.pr_in(None, READ_KEYS, alloc=0, expect=E(CHECK, *ILLEGAL_CDB))
        self.pr_in(None, READ_KEYS, alloc=4, expect=E(CHECK, *ILLEGAL_CDB))
        self.pr_in(None, REPORT_CAPABILITIES, alloc=0, expect=E(CHECK, *ILLEGAL_CDB))
        self.pr_in(None, REPORT_CAPABILITIES, alloc=4, expect=E(CHECK, *ILLEGAL_CDB))
        self.pr_in(None, REPORT_CAPABILITIES, alloc=7, expect=E(GOOD, dlen=7))

        self.section = "REGISTER"
        self.pr_out(f"REGISTER key {ka(1):#x} via path 0", REGISTER,
                    param=param_basic(0, ka(1)), expect=E(GOOD), keys=[ka(1)])
        self.pr_out("REGISTER again with reservation key 0 (wrong key) via path 0", REGISTER,
                    param=param_basic(0, ka(2)), expect=E(CONFLICT))
        self.pr_out(f"REGISTER key {kb(1):#x} via path 1", REGISTER, dev="p1",
                    param=param_basic(0, kb(1)), expect=E(GOOD), keys=[ka(1), kb(1)])
        self.pr_in("READ KEYS via path 1", READ_KEYS, dev="p1", expect=E(GOOD, dlen=24))
        for alloc, dlen in ((8, 8), (12, 12), (24, 24), (25, 24)):
            self.pr_in(None, READ_KEYS, alloc=alloc, expect=E(GOOD, dlen=dlen))
        self.pr_in(None, READ_FULL_STATUS, expect=E(GOOD, dlen=104))
        for alloc, dlen in ((8, 8), (30, 30), (104, 104)):
            self.pr_in(None, READ_FULL_STATUS, alloc=alloc, expect=E(GOOD, dlen=dlen))
        self.pr_out(f"REGISTER AND IGNORE EXISTING KEY, new key {ka(2):#x}", REGISTER_AND_IGNORE,
                    param=param_basic(0, ka(2)), expect=E(GOOD), keys=[ka(2), kb(1)])
        self.pr_out(f"REGISTER with the right key: change to {ka(3):#x}", REGISTER,
                    param=param_basic(ka(2), ka(3)), expect=E(GOOD), keys=[ka(3), kb(1)])
        self.pr_out("REGISTER with a wrong reservation key", REGISTER,
                    param=param_basic(BADKEY, ka(4)), expect=E(CONFLICT))
        self.pr_out("unregister path 1 (REGISTER, service action key 0)", REGISTER, dev="p1",
                    param=param_basic(kb(1), 0), expect=E(GOOD), keys=[ka(3)])
        self.pr_out("REGISTER AND IGNORE EXISTING KEY with key 0, unregistered path 1 (no-op)",
                    REGISTER_AND_IGNORE, dev="p1", param=param_basic(0, 0), expect=E(GOOD))
        self.pr_out(f"REGISTER key {kb(2):#x} via path 1", REGISTER, dev="p1",
                    param=param_basic(0, kb(2)), expect=E(GOOD), keys=[ka(3), kb(2)])

        for t in (1, 3, 5, 6, 7, 8):
            self.section = f"RESERVE type {t}"
            all_reg = t in (7, 8)
            other = 3 if t == 1 else 1
            self.pr_out(f"RESERVE type {t} via path 0", RESERVE, t, param_basic(ka(3)),
                        expect=E(GOOD), res=(0 if all_reg else ka(3), t))
            self.pr_in("READ RESERVATION", READ_RESERVATION, expect=E(GOOD, dlen=24))
            if t == 5:
                for alloc in (8, 16, 23):
                    self.pr_in(None, READ_RESERVATION, alloc=alloc, expect=E(GOOD, dlen=alloc))
            self.pr_out(f"RESERVE type {t} again by the holder", RESERVE, t, param_basic(ka(3)),
                        expect=E(GOOD))
            if all_reg:
                self.pr_out(f"RESERVE type {t} via path 1 (a registrant: holds it too)", RESERVE,
                            t, param_basic(kb(2)), dev="p1", expect=E(GOOD))
            else:
                self.pr_out(f"RESERVE type {t} via path 1 while path 0 holds it", RESERVE, t,
                            param_basic(kb(2)), dev="p1", expect=E(CONFLICT))
            self.pr_out(f"RESERVE type {other} by the holder (other type)", RESERVE, other,
                        param_basic(ka(3)), expect=E(CONFLICT))
            # SPC-4 wants ILLEGAL REQUEST / INVALID RELEASE OF PERSISTENT RESERVATION here;
            # LIO answers RESERVATION CONFLICT.
            self.pr_out(f"RELEASE with the wrong type {other}", RELEASE, other,
                        param_basic(ka(3)), expect=E(CONFLICT))
            self.pr_out(f"RELEASE type {t} with a wrong key", RELEASE, t, param_basic(BADKEY),
                        expect=E(CONFLICT))
            if t == 3:
                self.pr_out("CLEAR via path 1 with an unregistered key", CLEAR,
                            param=param_basic(BADKEY), dev="p1", expect=E(CONFLICT))
            if all_reg:
                self.pr_out(f"RELEASE type {t} via path 1 (any registrant releases it)", RELEASE,
                            t, param_basic(kb(2)), dev="p1", expect=E(GOOD), res=None)
            else:
                self.pr_out(f"RELEASE type {t} via path 1, a registrant but not the holder "
                            "(no effect)", RELEASE, t, param_basic(kb(2)), dev="p1",
                            expect=E(GOOD))
                self.pr_out(f"RELEASE type {t} by the holder", RELEASE, t, param_basic(ka(3)),
                            expect=E(GOOD), res=None)

        self.section = "CLEAR"
        self.pr_out("RESERVE type 5 via path 0", RESERVE, 5, param_basic(ka(3)), expect=E(GOOD),
                    res=(ka(3), 5))
        self.pr_out("CLEAR with a wrong key via path 1", CLEAR, param=param_basic(BADKEY),
                    dev="p1", expect=E(CONFLICT))
        # No state check after this CLEAR: its unit attention for path 0 must reach the next step.
        self.pr_out("CLEAR via path 1", CLEAR, param=param_basic(kb(2)), dev="p1",
                    expect=E(GOOD), keys=[], res=None, check_state=False)
        self.pr_in("READ KEYS via path 0 right after path 1's CLEAR (unit attention passed "
                   "through)", READ_KEYS, expect=E(CHECK, 0x06, 0x2A, 0x03))
        self.pr_in("READ KEYS via path 0 again", READ_KEYS, expect=E(GOOD, dlen=8))

        self.section = "PREEMPT"
        self.pr_out(f"REGISTER {ka(4):#x} via path 0", REGISTER, param=param_basic(0, ka(4)),
                    expect=E(GOOD), keys=[ka(4)])
        self.pr_out(f"REGISTER {kb(4):#x} via path 1", REGISTER, param=param_basic(0, kb(4)),
                    dev="p1", expect=E(GOOD), keys=[ka(4), kb(4)])
        self.pr_out("RESERVE type 3 via path 0", RESERVE, 3, param_basic(ka(4)), expect=E(GOOD),
                    res=(ka(4), 3))
        self.pr_out("PREEMPT the holder via path 1", PREEMPT, 3, param_basic(kb(4), ka(4)),
                    dev="p1", expect=E(GOOD), keys=[kb(4)], res=(kb(4), 3))
        self.pr_out("PREEMPT via path 0, no longer registered", PREEMPT, 3,
                    param_basic(ka(4), kb(4)), expect=E(CONFLICT))
        self.pr_out(f"REGISTER {ka(5):#x} via path 0", REGISTER, param=param_basic(0, ka(5)),
                    expect=E(GOOD), keys=[kb(4), ka(5)])
        self.pr_out("PREEMPT the holder via path 0, new type 1", PREEMPT, 1,
                    param_basic(ka(5), kb(4)), expect=E(GOOD), keys=[ka(5)], res=(ka(5), 1))
        # A PREEMPT AND ABORT that succeeds deadlocks LIO with tcm_loop on this kernel (the
        # command's own submission work flushes itself in core_tmr_lun_reset); only the cases
        # the device refuses before that can run. See docs/e2e-results.md.
        self.pr_out("PREEMPT AND ABORT via path 1, no longer registered", PREEMPT_AND_ABORT, 1,
                    param_basic(kb(4), ka(5)), dev="p1", expect=E(CONFLICT))
        self.pr_out(f"REGISTER {kb(5):#x} via path 1", REGISTER, param=param_basic(0, kb(5)),
                    dev="p1", expect=E(GOOD), keys=[ka(5), kb(5)])
        self.pr_out("PREEMPT AND ABORT a key nobody holds", PREEMPT_AND_ABORT, 1,
                    param_basic(ka(5), BADKEY), expect=E(CONFLICT))
        self.pr_out("PREEMPT AND ABORT with service action key 0", PREEMPT_AND_ABORT, 1,
                    param_basic(ka(5), 0), expect=E(CHECK, 0x05, 0x26, 0x00))
        self.pr_out("PREEMPT AND ABORT with a wrong reservation key", PREEMPT_AND_ABORT, 1,
                    param_basic(BADKEY, kb(5)), expect=E(CONFLICT))
        self.pr_out("PREEMPT a registrant that is not the holder", PREEMPT, 1,
                    param_basic(ka(5), kb(5)), expect=E(GOOD), keys=[ka(5)])
        self.pr_out("PREEMPT a key nobody holds", PREEMPT, 1, param_basic(ka(5), BADKEY),
                    expect=E(CONFLICT))
        self.pr_out("PREEMPT with service action key 0", PREEMPT, 1, param_basic(ka(5), 0),
                    expect=E(CHECK, 0x05, 0x26, 0x00))
        self.pr_out("RELEASE type 1 via path 0", RELEASE, 1, param_basic(ka(5)), expect=E(GOOD),
                    res=None)
        self.pr_out(f"REGISTER {kb(6):#x} via path 1", REGISTER, param=param_basic(0, kb(6)),
                    dev="p1", expect=E(GOOD), keys=[ka(5), kb(6)])
        self.pr_out("RESERVE type 7 (all registrants) via path 0", RESERVE, 7,
                    param_basic(ka(5)), expect=E(GOOD), res=(0, 7))
        self.pr_out("PREEMPT with service action key 0 under an all-registrants reservation, "
                    "new type 5", PREEMPT, 5, param_basic(ka(5), 0), expect=E(GOOD), keys=[ka(5)],
                    res=(ka(5), 5))
        self.pr_out("CLEAR via path 0", CLEAR, param=param_basic(ka(5)), expect=E(GOOD),
                    keys=[], res=None)

        self.section = "REGISTER AND MOVE"
        self.pr_out(f"REGISTER {ka(6):#x} via path 0", REGISTER, param=param_basic(0, ka(6)),
                    expect=E(GOOD), keys=[ka(6)])
        self.pr_out("RESERVE type 1 via path 0", RESERVE, 1, param_basic(ka(6)), expect=E(GOOD),
                    res=(ka(6), 1))
        self.pr_out(f"REGISTER AND MOVE to path 1 (its relative port, SAS {d['initiator1']})",
                    REGISTER_AND_MOVE, 1, lambda side: param_move(ka(6), kb(6), side.rtpi["p1"], tid1), expect=E(GOOD),
                    keys=[ka(6), kb(6)], res=(kb(6), 1))
        self.pr_out("REGISTER AND MOVE via path 0, no longer the holder", REGISTER_AND_MOVE, 1,
                    lambda side: param_move(ka(6), kb(7), side.rtpi["p1"], tid1), expect=E(CONFLICT))
        # The destination is registered already: LIO gives it the service action key.
        self.pr_out("REGISTER AND MOVE back to registered path 0 with UNREG", REGISTER_AND_MOVE,
                    1, lambda side: param_move(kb(6), ka(7), side.rtpi["p0"], tid0, unreg=True), dev="p1",
                    expect=E(GOOD), keys=[ka(7)], res=(ka(7), 1))
        self.pr_out("REGISTER AND MOVE to the issuing I_T nexus itself", REGISTER_AND_MOVE, 1,
                    lambda side: param_move(ka(7), ka(8), side.rtpi["p0"], tid0), expect=E(CHECK, 0x05, 0x26, 0x00))
        self.pr_out("REGISTER AND MOVE with a wrong reservation key", REGISTER_AND_MOVE, 1,
                    lambda side: param_move(BADKEY, kb(7), side.rtpi["p1"], tid1), expect=E(CONFLICT))
        # LIO: after a REGISTER AND MOVE onto an I_T nexus that was registered already, READ FULL
        # STATUS shows that nexus as the holder with the new key, yet its RELEASE conflicts.
        self.pr_out("RELEASE type 1 via path 0 after the move onto it", RELEASE, 1,
                    param_basic(ka(7)), expect=E(CONFLICT))
        self.pr_out("CLEAR via path 0", CLEAR, param=param_basic(ka(7)), expect=E(GOOD),
                    keys=[], res=None)
        self.pr_out(f"REGISTER {ka(7):#x} via path 0", REGISTER, param=param_basic(0, ka(7)),
                    expect=E(GOOD), keys=[ka(7)])
        # LIO: INVALID FIELD IN CDB when there is no reservation to move.
        self.pr_out("REGISTER AND MOVE with no reservation", REGISTER_AND_MOVE, 1,
                    lambda side: param_move(ka(7), kb(7), side.rtpi["p1"], tid1),
                    expect=E(CHECK, *ILLEGAL_CDB))
        self.pr_out("CLEAR via path 0", CLEAR, param=param_basic(ka(7)), expect=E(GOOD),
                    keys=[], res=None)

        self.section = "APTPL"
        self.pr_out(f"REGISTER {ka(8):#x} with APTPL", REGISTER,
                    param=param_basic(0, ka(8), APTPL), expect=E(GOOD), keys=[ka(8)])
        self.pr_in("REPORT CAPABILITIES (PTPL_A set)", REPORT_CAPABILITIES, expect=E(GOOD, dlen=8))
        self.pr_out("RESERVE type 5 with APTPL active", RESERVE, 5, param_basic(ka(8)),
                    expect=E(GOOD), res=(ka(8), 5))
        self.pr_out("REGISTER AND MOVE to path 1 with APTPL", REGISTER_AND_MOVE, 5,
                    lambda side: param_move(ka(8), kb(8), side.rtpi["p1"], tid1, aptpl=True), expect=E(GOOD),
                    keys=[ka(8), kb(8)], res=(kb(8), 5))
        self.pr_out("CLEAR via path 1", CLEAR, param=param_basic(kb(8)), dev="p1",
                    expect=E(GOOD), keys=[], res=None)
        self.pr_in("REPORT CAPABILITIES after CLEAR", REPORT_CAPABILITIES, expect=E(GOOD, dlen=8))

        self.section = "ALL_TG_PT"
        self.pr_out(f"REGISTER {ka(9):#x} with ALL_TG_PT", REGISTER,
                    param=param_basic(0, ka(9), ALL_TG_PT), expect=E(GOOD), keys=[ka(9)])
        self.pr_in(None, READ_FULL_STATUS, expect=E(GOOD, dlen=56))
        self.pr_out("unregister with ALL_TG_PT", REGISTER,
                    param=param_basic(ka(9), 0, ALL_TG_PT), expect=E(GOOD), keys=[])

        self.section = "SPEC_I_PT"
        self.pr_out(f"REGISTER {ka(10):#x} with SPEC_I_PT for path 1's initiator", REGISTER,
                    param=param_basic(0, ka(10), SPEC_I_PT, [tid1]), expect=E(GOOD),
                    keys=[ka(10), ka(10)])
        self.pr_in(None, READ_FULL_STATUS, dev="p1", expect=E(GOOD, dlen=104))
        # SPC-4 wants INVALID FIELD IN CDB; LIO answers INVALID FIELD IN PARAMETER LIST.
        self.pr_out("REGISTER with SPEC_I_PT from a registered I_T nexus", REGISTER,
                    param=param_basic(ka(10), ka(11), SPEC_I_PT, [tid1]),
                    expect=E(CHECK, 0x05, 0x26, 0x00))
        self.pr_out("CLEAR via path 1", CLEAR, param=param_basic(ka(10)), dev="p1",
                    expect=E(GOOD), keys=[], res=None)
        self.pr_out("REGISTER with SPEC_I_PT for an unknown initiator", REGISTER,
                    param=param_basic(0, ka(12), SPEC_I_PT, [sas_tid("naa.5001405199999999")]),
                    expect=E(CHECK, 0x05, 0x26, 0x00))

        self.section = "errors"
        self.pr_out(f"REGISTER {ka(13):#x} via path 0", REGISTER, param=param_basic(0, ka(13)),
                    expect=E(GOOD), keys=[ka(13)])
        self.pr_out("RESERVE with a wrong key", RESERVE, 1, param_basic(BADKEY),
                    expect=E(CONFLICT))
        # SPC wants RESERVATION CONFLICT; LIO answers LOGICAL UNIT COMMUNICATION FAILURE.
        self.pr_out("RESERVE via path 1, not registered", RESERVE, 1, param_basic(0), dev="p1",
                    expect=E(CHECK, 0x02, 0x08, 0x00))
        self.pr_in("PR IN, unknown service action 0x1f", 0x1F, expect=E(CHECK, *ILLEGAL_CDB))
        self.pr_in("PR IN, unknown service action 0x04", 0x04, expect=E(CHECK, *ILLEGAL_CDB))
        self.pr_out("PR OUT, unknown service action 0x1f", 0x1F, param=param_basic(ka(13)),
                    expect=E(CHECK, *ILLEGAL_CDB))
        self.pr_out("PR OUT REPLACE LOST RESERVATION (not supported by LIO)",
                    REPLACE_LOST_RESERVATION, 1, param_basic(ka(13)),
                    expect=E(CHECK, *ILLEGAL_CDB))
        self.pr_out("REGISTER with a 23-byte parameter list", REGISTER,
                    param=param_basic(ka(13), ka(14))[:23], expect=E(CHECK, 0x05, 0x1A, 0x00))
        self.pr_out("REGISTER with parameter list length 0", REGISTER, param=b"",
                    expect=E(CHECK, 0x05, 0x1A, 0x00))

        self.section = "descriptor modes"
        self.pr_out("REGISTER on a read-only fd (refused, device untouched)", REGISTER,
                    param=param_basic(ka(13), ka(15)), mode="ro",
                    expect=E(CHECK, 0x05, 0x20, 0x00), garbage_ok=True)
        self.pr_out("RESERVE type 1 via path 0", RESERVE, 1, param_basic(ka(13)), expect=E(GOOD),
                    res=(ka(13), 1))
        self.pr_out("CLEAR on a read-only fd (refused, reservation stays)", CLEAR,
                    param=param_basic(ka(13)), mode="ro", expect=E(CHECK, 0x05, 0x20, 0x00),
                    garbage_ok=True)
        self.pr_out("PR OUT unknown service action 0x1f on a read-only fd (never reaches the "
                    "device)", 0x1F, param=param_basic(ka(13)), mode="ro",
                    expect=E(CHECK, 0x05, 0x20, 0x00), garbage_ok=True)
        self.pr_in("READ RESERVATION on a read-only fd (PR IN is allowed)", READ_RESERVATION,
                   mode="ro", expect=E(GOOD, dlen=24))
        self.pr_out("REGISTER on an O_RDONLY|O_NONBLOCK fd (refused)", REGISTER,
                    param=param_basic(ka(13), ka(15)), mode="ro-nb",
                    expect=E(CHECK, 0x05, 0x20, 0x00), garbage_ok=True)
        self.pr_in("READ KEYS on a write-only fd", READ_KEYS, mode="wo", expect=E(GOOD, dlen=16))
        self.pr_out("RESERVE type 1 again by the holder, on a write-only fd (allowed)", RESERVE, 1,
                    param_basic(ka(13)), mode="wo", expect=E(GOOD))
        self.pr_out("RESERVE type 1 again by the holder, on an O_RDWR|O_NONBLOCK fd", RESERVE, 1,
                    param_basic(ka(13)), mode="rw-nb", expect=E(GOOD))
        self.pr_in("READ KEYS on an O_PATH fd (SG_IO fails: EBADF)", READ_KEYS, mode="path",
                   expect=E(CHECK, 0x0B, 0x00, 0x06), own_connection=True)
        self.pr_out("REGISTER on an O_PATH fd (not open for writing: refused)", REGISTER,
                    param=param_basic(ka(13), ka(15)), mode="path",
                    expect=E(CHECK, 0x05, 0x20, 0x00), garbage_ok=True, own_connection=True)

        self.section = "non-SCSI fds"
        io_error = E(CHECK, 0x0B, 0x00, 0x06)
        self.pr_in("READ KEYS on /dev/null", READ_KEYS, dev="null", expect=io_error)
        self.pr_out("REGISTER on /dev/null", REGISTER, param=param_basic(0, ka(16)), dev="null",
                    expect=io_error)
        self.pr_in("READ KEYS on a regular file", READ_KEYS, dev="file", expect=io_error)
        self.pr_out("REGISTER on a regular file", REGISTER, param=param_basic(0, ka(16)),
                    dev="file", expect=io_error)
        self.pr_out("REGISTER on a regular file opened read-only", REGISTER,
                    param=param_basic(0, ka(16)), dev="file", mode="ro",
                    expect=E(CHECK, 0x05, 0x20, 0x00), garbage_ok=True)
        self.pr_in("READ KEYS on a directory", READ_KEYS, dev="dir", expect=io_error)
        self.pr_in("READ KEYS, allocation length 0, on /dev/null", READ_KEYS, alloc=0,
                   dev="null", expect=io_error)
        self.pr_in("READ KEYS via path 0 on the same connection", READ_KEYS,
                   expect=E(GOOD, dlen=16))
        self.pr_out("RELEASE type 1", RELEASE, 1, param_basic(ka(13)), expect=E(GOOD), res=None)
        self.pr_out("CLEAR", CLEAR, param=param_basic(ka(13)), expect=E(GOOD), keys=[])
        self.pr_in(None, READ_FULL_STATUS, dev="p1", expect=E(GOOD, dlen=8))

        for t in (1, 3, 5):
            self.migrate_pr(t)

    def migrate_pr(self, t):
        """QEMU 11's live migration of a reservation (scsi-block migrate-pr), as the helpers see it.
        The guest holds a type t reservation with key k from the source host's I_T nexus (path 0);
        after the migration stream the destination QEMU (path 1) reads the reservation and the keys
        (READ KEYS again, bigger, when the first was short), registers k on its own nexus, preempts
        it with the guest's type and registers again. Then a failed migration: the source takes the
        reservation back the same way from path 0. None of these comes from the guest."""
        k = ka(0x20 + t)
        self.section = f"migrate-pr, type {t}"
        self.pr_out(f"guest on the source (path 0): REGISTER {k:#x}", REGISTER, param=param_basic(0, k),
                    expect=E(GOOD), keys=[k])
        self.pr_out(f"guest on the source: RESERVE type {t}", RESERVE, t, param_basic(k),
                    expect=E(GOOD), res=(k, t), holder="p0")
        for side, dev in (("destination (path 1)", "p1"), ("source (path 0), migration failed", "p0")):
            self.pr_in(f"{side}: READ RESERVATION", READ_RESERVATION, alloc=24, dev=dev,
                       expect=E(GOOD, dlen=24))
            self.pr_in(f"{side}: READ KEYS, header only", READ_KEYS, alloc=8, dev=dev,
                       expect=E(GOOD, dlen=8))
            self.pr_in(f"{side}: READ KEYS again with room for the keys", READ_KEYS, alloc=24,
                       dev=dev, expect=E(GOOD, dlen=16))
            self.pr_out(f"{side}: REGISTER AND IGNORE EXISTING KEY {k:#x}", REGISTER_AND_IGNORE,
                        param=param_basic(0, k), dev=dev, expect=E(GOOD), keys=[k, k])
            # LIO releases the holder's reservation, removes the other nexuses registered with k
            # and makes the preempting nexus the holder.
            self.pr_out(f"{side}: PREEMPT {k:#x} with type {t}", PREEMPT, t, param_basic(k, k), dev=dev,
                        expect=E(GOOD), keys=[k], holder=dev)
            self.pr_out(f"{side}: REGISTER AND IGNORE EXISTING KEY {k:#x} again", REGISTER_AND_IGNORE,
                        param=param_basic(0, k), dev=dev, expect=E(GOOD), holder=dev)
            self.pr_in(f"{side}: READ FULL STATUS", READ_FULL_STATUS, dev=dev, expect=E(GOOD))
        self.pr_out("CLEAR", CLEAR, param=param_basic(k), expect=E(GOOD), keys=[], res=None)


def read_devices(path):
    """/share/devices.txt: 'lun0.path0=/dev/sda target=naa... initiator=naa... serial=labpr0'.
    Path I of every LUN must use the same initiator port (so transport IDs are the same)."""
    luns, inits = {}, {}
    for line in open(path):
        m = re.match(r"lun(\d+)\.path(\d+)=(\S+) target=\S+ initiator=(\S+)", line)
        if m:
            luns.setdefault(int(m.group(1)), {})[f"p{m.group(2)}"] = m.group(3)
            if inits.setdefault(int(m.group(2)), m.group(4)) != m.group(4):
                raise SystemExit(f"suite: path {m.group(2)} has two initiator ports: {line}")
    return luns, inits


def rtpi_of(dev):
    rc, out = run(["sg_inq", "-p", "0x83", dev])
    m = re.search(r"Relative target port:\s*(0x[0-9a-f]+)", out)
    if not m:
        raise SystemExit(f"suite: no relative target port in sg_inq -p 0x83 {dev}:\n{out}")
    return int(m.group(1), 16)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref", required=True, help="socket of Debian's qemu-pr-helper")
    ap.add_argument("--ours", required=True, help="socket of our agent")
    ap.add_argument("--devices", default="/share/devices.txt")
    ap.add_argument("--results", required=True)
    ap.add_argument("--checks", required=True)
    args = ap.parse_args()

    luns, inits = read_devices(args.devices)
    if set(luns) < {0, 1} or any(set(luns[j]) < {"p0", "p1"} for j in (0, 1)):
        raise SystemExit(f"suite: need 2 LUNs with 2 paths each, got {luns}")
    rtpis = {j: {p: rtpi_of(luns[j][p]) for p in ("p0", "p1")} for j in (0, 1)}
    devices = {"initiator0": inits[0], "initiator1": inits[1], "rtpi": rtpis}
    with open(PLAIN_FILE, "w") as f:
        f.write("not a SCSI device\n")

    ref = Side("reference", args.ref, luns[0], rtpis[0])
    ours = Side("ours", args.ours, luns[1], rtpis[1])
    suite = Suite(ref, ours, devices)
    t0 = time.monotonic()
    aborted = None
    try:
        suite.run()
    except Aborted as e:
        aborted = str(e)
        print(f"suite: ABORTED after {e}", flush=True)
    finally:
        for side in (ref, ours):
            if side.conn:
                side.conn.close()
    checks = []
    for s in suite.steps:
        why = "; ".join(p.splitlines()[0] for p in s["problems"])
        if s["verdict"] == "XFAIL":
            why = f"known bug {s['known_bug_id']} (docs/e2e-results.md): {why}"
        elif s["verdict"] == "XPASS":
            why = f"passed although marked as known bug {s['known_bug_id']}: drop the marker"
        checks.append((s["verdict"], f"step {s['n']:02d} [{s['section']}] {s['title']}", why))
    if aborted:
        checks.append(("FAIL", "suite ran to the end", f"aborted after {aborted}"))
    for side in (ref, ours):
        ok = side.connections == 1
        checks.append(("PASS" if ok else "FAIL",
                       f"{side.name}: the whole suite ran over one connection",
                       "" if ok else f"{side.connections} connections were needed"))
    with open(args.checks, "a") as f:
        for verdict, name, why in checks:
            f.write(checkfile.line(verdict, name, why))
    results = {
        "luns": {"reference": luns[0], "ours": luns[1]}, "devices": devices,
        "seconds": round(time.monotonic() - t0, 1), "aborted": aborted,
        "connections": {"reference": ref.connections, "ours": ours.connections},
        "steps": suite.steps, "known_bugs": KNOWN_BUGS,
    }
    with open(args.results, "w") as f:
        json.dump(results, f, indent=1)
    failed = sum(1 for c in checks if c[0] == "FAIL")
    passed = sum(1 for c in checks if c[0] in ("PASS", "XPASS"))
    xfail = sum(1 for c in checks if c[0] == "XFAIL")
    print(f"suite: {passed} passed, {failed} failed, {xfail} known bugs (XFAIL) in "
          f"{results['seconds']} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
