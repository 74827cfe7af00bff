#!/usr/bin/env python3
"""Our multipath backend on the lab's dm-multipath map (guest side, run by multipath.sh).

    multipath.py OURS_SOCKET REF_SOCKET MAP PATH0 PATH1 ASSEMBLY_ETC KARAF_LOG

Requests through our agent go to the map; the device state is read independently through Debian's
qemu-pr-helper on each path (SG_IO, one I_T nexus each) and with sg_persist / mpathpersist. The
agent's console (ssh, key $E2E_CONSOLE_KEY) stops and starts the multipath bundle under traffic and
runs the pr: commands. Writes PASS/FAIL lines to /share/checks.txt like common.sh.
"""
import glob
import os
import re
import stat
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # noqa: E402
from prwire import Closed, Connection, cdb_in, cdb_out, param_basic, param_move  # noqa: E402

READ_KEYS, READ_RESERVATION, REPORT_CAPABILITIES, READ_FULL_STATUS = 0, 1, 2, 3
REGISTER, RESERVE, RELEASE, CLEAR, PREEMPT, REGISTER_AND_IGNORE, REGISTER_AND_MOVE = 0, 1, 2, 3, 4, 6, 7
GOOD, CHECK, CONFLICT = 0x00, 0x02, 0x18
KEY = 0x4D50415448000001
OTHER = 0x4D50415448000002
CHECKS = "/share/checks.txt"

ours_sock, ref_sock, MAP, P0, P1, ETC, KARAF_LOG = sys.argv[1:8]
CONSOLE_KEY = os.environ.get("E2E_CONSOLE_KEY", "")
LUN1 = os.environ.get("LAB_LUN1_PATH0", "")  # another LUN, for the slow-device fault


def record(ok, name, why=""):
    checks.append(CHECKS, "PASS" if ok else "FAIL", name, "" if ok else why)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f": {why}"), flush=True)


def waiting(what):
    with open("/share/waiting", "w") as f:
        f.write(what + "\n")


def call(sock, device, cdb, param=b""):
    waiting(f"a reply from {sock} for {device}")
    conn = Connection(sock, 60)
    fd = os.open(device, os.O_RDWR)
    try:
        return conn.request(fd, cdb, param)
    finally:
        os.close(fd)
        conn.close()


def ours(cdb, param=b""):
    return call(ours_sock, MAP, cdb, param)


def ref(path, cdb, param=b""):
    return call(ref_sock, path, cdb, param)


def out(sa, prtype=0, key=0, sakey=0, flags=0):
    p = param_basic(key, sakey, flags)
    return cdb_out(sa, prtype, len(p)), p


def settle():
    """Unit attentions queued for a nexus would answer its next command: consume them."""
    for p in (P0, P1):
        for _ in range(5):
            if subprocess.run(["sg_turs", p], capture_output=True).returncode == 0:
                break


def expect(name, reply, status, sense=None):
    ok = reply.status == status and (sense is None or reply.sense_triple() == sense)
    record(ok, f"{name}: {reply.describe()}", f"wanted status {status:#04x}"
           + (f" sense {sense}" if sense else "") + f", got {reply.describe()}")


def same_as_path(name, sa):
    """PR IN through our agent on the map equals the device's answer on path 0, byte for byte."""
    settle()
    mine, theirs = ours(cdb_in(sa, 8192)), ref(P0, cdb_in(sa, 8192))
    ok = (mine.status, mine.sense, mine.data) == (theirs.status, theirs.sense, theirs.data)
    record(ok, f"{name}: map via ours == path 0 via SG_IO ({len(mine.data)} bytes)",
           f"ours {mine.describe()} {mine.data.hex()} | path 0 {theirs.describe()} {theirs.data.hex()}")
    return mine


def keys_on(path):
    settle()
    r = ref(path, cdb_in(READ_KEYS, 8192))
    return [int.from_bytes(r.data[i:i + 8], "big") for i in range(8, len(r.data), 8)] if r.status == GOOD else None


def sg_persist_shows(path, key):
    r = subprocess.run(["sg_persist", "--in", "-k", path], capture_output=True, text=True)
    return f"{key:#x}" in r.stdout.lower()


def main():
    settle()
    same_as_path("READ KEYS before anything", READ_KEYS)
    expect("REGISTER through the map", ours(*out(REGISTER, sakey=KEY)), GOOD)
    record(keys_on(P0) == [KEY, KEY], "REGISTER through the map registered both I_T nexuses (READ KEYS on path 0)",
           f"keys {keys_on(P0)}")
    for p in (P0, P1):
        record(sg_persist_shows(p, KEY), f"sg_persist --in -k {p} shows the key", "key missing")
    same_as_path("READ KEYS", READ_KEYS)
    expect("RESERVE type 5 (WR_EX_RO) through the map", ours(*out(RESERVE, 5, KEY)), GOOD)
    r = same_as_path("READ RESERVATION", READ_RESERVATION)
    record(len(r.data) == 24 and int.from_bytes(r.data[8:16], "big") == KEY and r.data[21] == 0x05,
           "READ RESERVATION shows the key and type 5", r.data.hex())
    mp = subprocess.run(["mpathpersist", "--in", "-r", MAP], capture_output=True, text=True).stdout
    record(f"{KEY:x}" in mp.lower(), "mpathpersist --in -r on the map shows the key", mp.strip())
    caps = same_as_path("REPORT CAPABILITIES (all 8 bytes)", REPORT_CAPABILITIES)
    record(len(caps.data) == 8, "REPORT CAPABILITIES returns 8 bytes (qemu-pr-helper: 6)", caps.data.hex())
    full = same_as_path("READ FULL STATUS (qemu-pr-helper refuses it on maps)", READ_FULL_STATUS)
    record(int.from_bytes(full.data[4:8], "big") >= 2 * 24, "READ FULL STATUS lists both nexuses",
           full.data.hex())
    settle()
    # libmpathpersist refuses a key other than the one multipathd holds for the map (prkeys file)
    # without sending anything: ILLEGAL REQUEST, INVALID FIELD IN PARAMETER LIST.
    expect("RESERVE with a key that is not the map's reservation key", ours(*out(RESERVE, 5, OTHER)), CHECK,
           (0x05, 0x26, 0x00))
    settle()
    expect("PREEMPT of an unregistered key through the map", ours(*out(PREEMPT, 5, KEY, OTHER)), CONFLICT)
    expect("PR IN with an unknown service action", ours(cdb_in(0x1F, 8192)), CHECK, (0x05, 0x24, 0x00))
    expect("PR OUT with a 20-byte parameter list", ours(cdb_out(REGISTER, 0, 20), bytes(20)), CHECK,
           (0x05, 0x1A, 0x00))
    expect("RELEASE through the map", ours(*out(RELEASE, 5, KEY)), GOOD)
    same_as_path("READ RESERVATION after RELEASE", READ_RESERVATION)
    expect("CLEAR through the map", ours(*out(CLEAR, key=KEY)), GOOD)
    record(keys_on(P0) == [], "CLEAR left no registration", f"keys {keys_on(P0)}")

    register_and_ignore()
    register_and_move()
    preempt()
    migrate_pr()
    path_failure()
    hot_swap()
    console_commands()
    multipathd_stopped()
    lun_removed()
    slow_device()
    lun_removed_in_flight()
    settle()
    ours(*out(CLEAR, key=KEY))


def full_status(path):
    """READ FULL STATUS on a path (SG_IO): [(key, holder, rtpi, transport id)]."""
    settle()
    r = ref(path, cdb_in(READ_FULL_STATUS, 8192))
    d, at = r.data, 8
    found = []
    while r.status == GOOD and at + 24 <= len(d):
        length = int.from_bytes(d[at + 20:at + 24], "big")
        found.append((int.from_bytes(d[at:at + 8], "big"), bool(d[at + 12] & 0x01),
                      int.from_bytes(d[at + 18:at + 20], "big"), d[at + 24:at + 24 + length]))
        at += 24 + length
    return found


def multipathd_key():
    """The key multipathd holds for the map (from its prkeys file), as `multipathd getprkey` prints it."""
    dm = os.path.basename(os.path.realpath(MAP))
    return subprocess.run(["multipathd", "getprkey", "map", dm], capture_output=True, text=True).stdout.strip()


def register_and_ignore():
    """REGISTER AND IGNORE EXISTING KEY with a key, which our backend sends down every path itself (not
    through libmpathpersist) after giving multipathd the key: both nexuses change key, multipathd's
    prkeys file follows, and the library, which checks keys against that file, accepts the new key."""
    settle()
    expect("REGISTER AND IGNORE (new registration) through the map", ours(*out(REGISTER_AND_IGNORE, sakey=OTHER)),
           GOOD)
    record(keys_on(P0) == [OTHER, OTHER], "REGISTER AND IGNORE through the map registered both I_T nexuses",
           f"keys {keys_on(P0)}")
    record(multipathd_key() == f"{OTHER:#x}", "multipathd holds the key REGISTER AND IGNORE gave",
           f"multipathd getprkey: {multipathd_key()!r}")
    settle()
    expect("REGISTER AND IGNORE (another key) through the map", ours(*out(REGISTER_AND_IGNORE, sakey=KEY)), GOOD)
    record(keys_on(P0) == [KEY, KEY], "REGISTER AND IGNORE changed both nexuses' key",
           f"keys {keys_on(P0)}")
    record(multipathd_key() == f"{KEY:#x}", "multipathd holds the new key", f"multipathd getprkey: {multipathd_key()!r}")
    settle()
    expect("RESERVE with that key through the map (libmpathpersist checks it against multipathd's)",
           ours(*out(RESERVE, 5, KEY)), GOOD)
    expect("RELEASE through the map", ours(*out(RELEASE, 5, KEY)), GOOD)
    expect("CLEAR through the map", ours(*out(CLEAR, key=KEY)), GOOD)


def register_and_move():
    """REGISTER AND MOVE, which libmpathpersist lacks: our backend tries each path until the holder's."""
    settle()
    ours(*out(CLEAR, key=KEY))
    expect("REGISTER AND MOVE setup: REGISTER on path 0 only (SG_IO)", ref(P0, *out(REGISTER, sakey=KEY)), GOOD)
    (source,) = full_status(P0)
    expect("REGISTER AND MOVE setup: REGISTER on path 1 only (SG_IO)", ref(P1, *out(REGISTER, sakey=KEY)), GOOD)
    dest = [e for e in full_status(P0) if e[3] != source[3]]
    expect("REGISTER AND MOVE setup: unregister path 1", ref(P1, *out(REGISTER, key=KEY)), GOOD)
    expect("REGISTER AND MOVE setup: RESERVE type 1 on path 0", ref(P0, *out(RESERVE, 1, KEY)), GOOD)
    if len(dest) != 1:
        record(False, "REGISTER AND MOVE setup: path 1's transport ID", f"full status {full_status(P0)}")
        return
    _, _, rtpi, tid = dest[0]
    param = param_move(KEY, OTHER, rtpi, tid)
    settle()
    expect("REGISTER AND MOVE through the map (to path 1's nexus)",
           ours(cdb_out(REGISTER_AND_MOVE, 1, len(param)), param), GOOD)
    after = full_status(P0)
    record((OTHER, True, rtpi, tid) in after and any(e[3] == source[3] and not e[1] for e in after),
           "REGISTER AND MOVE: path 1's nexus now holds the reservation with the new key, path 0's does not",
           f"full status {after}")
    settle()
    expect("REGISTER AND MOVE through the map when no path holds the reservation",
           ours(cdb_out(REGISTER_AND_MOVE, 1, len(param)), param), CONFLICT)
    settle()
    ref(P1, *out(CLEAR, key=OTHER))


def map_paths():
    """The path devices dm-multipath currently uses for the map (its slaves in sysfs)."""
    return sorted(os.listdir(f"/sys/block/{os.path.basename(os.path.realpath(MAP))}/slaves"))


def path1_out(name):
    """Takes path 1 out of the map (it then plays another host); returns its device name."""
    dev1 = os.path.basename(os.path.realpath(P1))
    settle()
    subprocess.run(["multipathd", "del", "path", dev1], capture_output=True)
    deadline = time.monotonic() + 30
    while dev1 in map_paths() and time.monotonic() < deadline:
        time.sleep(0.5)
    record(dev1 not in map_paths(), f"{name}: path 1 ({dev1}) out of the map", f"slaves {map_paths()}")
    return dev1


def path1_back(name, dev1):
    """Puts path 1 back into the map; multipathd must register the map's key on it."""
    subprocess.run(["multipathd", "add", "path", dev1], capture_output=True)
    waiting("multipathd to add path 1 back and register the map's key on it (up to 90s)")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not (dev1 in map_paths() and keys_on(P1) == [KEY, KEY]):
        time.sleep(2)
    record(dev1 in map_paths() and keys_on(P1) == [KEY, KEY], name, f"slaves {map_paths()}, keys {keys_on(P1)}")


def preempt():
    """A successful PREEMPT through the map. Path 1 is taken out of the map and plays another cluster
    node: its key holds the reservation until our map's key preempts it."""
    dev1 = path1_out("PREEMPT setup")
    try:
        expect("PREEMPT setup: the other node (path 1) registers", ref(P1, *out(REGISTER, sakey=OTHER)), GOOD)
        expect("PREEMPT setup: the other node reserves (type 1)", ref(P1, *out(RESERVE, 1, OTHER)), GOOD)
        expect("PREEMPT setup: REGISTER through the map (path 0 only now)", ours(*out(REGISTER, sakey=KEY)), GOOD)
        record(sorted(keys_on(P1) or []) == sorted([KEY, OTHER]), "PREEMPT setup: both nodes registered",
               f"keys {keys_on(P1)}")
        settle()
        expect("PREEMPT of the other node's key through the map", ours(*out(PREEMPT, 1, KEY, OTHER)), GOOD)
        record(keys_on(P1) == [KEY], "PREEMPT removed the other node's registration", f"keys {keys_on(P1)}")
        settle()
        r = ref(P1, cdb_in(READ_RESERVATION, 8192))
        record(r.status == GOOD and len(r.data) == 24 and int.from_bytes(r.data[8:16], "big") == KEY
               and r.data[21] == 0x01, "PREEMPT: the map's key holds the reservation, type 1", r.data.hex())
        mp = subprocess.run(["mpathpersist", "--in", "-r", MAP], capture_output=True, text=True).stdout
        record(f"{KEY:x}" in mp.lower(), "mpathpersist --in -r on the map shows our key after PREEMPT", mp.strip())
    finally:
        path1_back("path 1 back in the map: multipathd registered the map's key on it", dev1)
    settle()
    expect("RELEASE after PREEMPT through the map", ours(*out(RELEASE, 1, KEY)), GOOD)
    expect("CLEAR after PREEMPT through the map", ours(*out(CLEAR, key=KEY)), GOOD)


def holder_of(path):
    """(transport ID of the holder's initiator, reservation type), read on a path; None if no holder."""
    holders = [e[3] for e in full_status(path) if e[1]]
    r = ref(path, cdb_in(READ_RESERVATION, 24))
    return (holders[0], r.data[21] & 0x0F) if len(holders) == 1 and len(r.data) == 24 else None


def tid_of(path, key):
    """The transport ID with which path's nexus is registered (READ FULL STATUS; key registered only there)."""
    (entry,) = [e for e in full_status(path) if e[0] == key]
    return entry[3]


def migrate_sequence(name, send, t):
    """What QEMU 11's migrate-pr sends through the helper of the host that takes the reservation:
    READ RESERVATION, READ KEYS (short, then bigger), REGISTER AND IGNORE EXISTING KEY, PREEMPT with
    the guest's type, REGISTER AND IGNORE again. Every reply must be GOOD."""
    for what, cdb, param in (
            ("READ RESERVATION", cdb_in(READ_RESERVATION, 24), b""),
            ("READ KEYS, header only", cdb_in(READ_KEYS, 8), b""),
            ("READ KEYS with room for the keys", cdb_in(READ_KEYS, 24), b""),
            ("REGISTER AND IGNORE EXISTING KEY", *out(REGISTER_AND_IGNORE, sakey=KEY)),
            (f"PREEMPT type {t}", *out(PREEMPT, t, KEY, KEY)),
            ("REGISTER AND IGNORE EXISTING KEY again", *out(REGISTER_AND_IGNORE, sakey=KEY))):
        settle()
        expect(f"{name}: {what}", send(cdb, param), GOOD)


def migrate_pr():
    """QEMU 11's migrate-pr with this host's map on one side. Path 1, out of the map, is the other
    host (plain SG_IO through qemu-pr-helper). Types 1 and 3: the guest comes here (the map takes the
    reservation) and the migration fails (the other host takes it back). Type 5: the guest comes here
    to stay, and path 1 goes back into the map: multipathd must register the key on it and leave the
    reservation where the sequence put it."""
    dev1 = path1_out("migrate-pr setup (path 1 is the other host)")
    tid0 = tid1 = None
    try:
        for t in (1, 3, 5):
            settle()
            expect(f"migrate-pr type {t}: the guest on the other host registers (path 1)",
                   ref(P1, *out(REGISTER, sakey=KEY)), GOOD)
            expect(f"migrate-pr type {t}: and reserves", ref(P1, *out(RESERVE, t, KEY)), GOOD)
            tid1 = tid1 or tid_of(P1, KEY)
            migrate_sequence(f"migrate-pr type {t}, to this host through the map", ours, t)
            tid0 = tid0 or next((e[3] for e in full_status(P0) if e[3] != tid1), None)
            record(keys_on(P0) == [KEY] and holder_of(P0) == (tid0, t),
                   f"migrate-pr type {t}: the map's nexus (path 0) holds the reservation, type {t}; "
                   "the other host's registration is gone", f"keys {keys_on(P0)}, full status {full_status(P0)}")
            if t == 5:
                break
            migrate_sequence(f"migrate-pr type {t}, failed: the other host takes it back",
                             lambda cdb, param: ref(P1, cdb, param), t)
            record(keys_on(P0) == [KEY] and holder_of(P0) == (tid1, t),
                   f"migrate-pr type {t}, failed: the other host's nexus holds the reservation again, type {t}",
                   f"keys {keys_on(P0)}, full status {full_status(P0)}")
            settle()
            expect(f"migrate-pr type {t}: CLEAR from the other host", ref(P1, *out(CLEAR, key=KEY)), GOOD)
    finally:
        path1_back("migrate-pr: path 1 back in the map, multipathd registered the key on it (every path of the map)",
                   dev1)
    record(holder_of(P1) == (tid0, 5),
           "migrate-pr: multipathd left the reservation where the sequence put it (path 0's nexus, type 5)",
           f"full status {full_status(P1)}")
    mp = subprocess.run(["mpathpersist", "--in", "-r", MAP], capture_output=True, text=True).stdout
    record(f"{KEY:x}" in mp.lower() and "registrants only" in mp.lower(),
           "migrate-pr: mpathpersist --in -r on the map shows the key and type 5", mp.strip())
    settle()
    expect("migrate-pr: CLEAR through the map", ours(*out(CLEAR, key=KEY)), GOOD)


def path_failure():
    state = f"/sys/block/{os.path.basename(os.path.realpath(P0))}/device/state"
    expect("REGISTER through the map (before the path failure)", ours(*out(REGISTER, sakey=KEY)), GOOD)
    with open(state, "w") as f:
        f.write("offline\n")
    try:
        time.sleep(1)
        r = ours(cdb_in(READ_KEYS, 8192))
        expect("READ KEYS through the map with path 0 offline", r, GOOD)
        expect("CLEAR through the map with path 0 offline", ours(*out(CLEAR, key=KEY)), GOOD)
        expect("REGISTER through the map with path 0 offline", ours(*out(REGISTER, sakey=KEY)), GOOD)
        record(keys_on(P1) == [KEY], "only path 1's nexus is registered while path 0 is offline",
               f"keys {keys_on(P1)}")
        expect("RESERVE type 1 through the map with path 0 offline", ours(*out(RESERVE, 1, KEY)), GOOD)
        expect("RELEASE through the map with path 0 offline", ours(*out(RELEASE, 1, KEY)), GOOD)
    finally:
        with open(state, "w") as f:
            f.write("running\n")
    waiting("multipathd to reinstate path 0 and register its key again (up to 90s)")
    deadline = time.monotonic() + 90
    keys = None
    while time.monotonic() < deadline:
        keys = keys_on(P1)
        if keys == [KEY, KEY]:
            break
        time.sleep(2)
    record(keys == [KEY, KEY], "path 0 reinstated: multipathd registered the key on it again (reservation_key file)",
           f"after 90 s keys {keys}")


def console(command):
    """Runs a command in the agent's Karaf console over ssh: (exit status, output without colours)."""
    waiting(f"the agent's console: {command}")
    r = subprocess.run(["ssh", "-p", "8101", "-i", CONSOLE_KEY, "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
                        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                        "lab@127.0.0.1", command], capture_output=True, text=True, timeout=180)
    return r.returncode, re.sub(r"\x1b\[[0-9;]*m", "", r.stdout + r.stderr)


def log_count(text):
    with open(KARAF_LOG, errors="replace") as f:
        return f.read().count(text)


def new_tally():
    return {"good": 0, "other": [], "error": None, "longest": 0.0}


def read_keys_until(stop, sock, device, tally):
    """READ KEYS on device over one connection to sock until stop is set, counted in tally (GOOD
    replies, the others described, the longest wait, and the error that ended the connection)."""
    try:
        conn = Connection(sock, 60)
        fd = os.open(device, os.O_RDWR)
        try:
            while not stop.is_set():
                t = time.monotonic()
                r = conn.request(fd, cdb_in(READ_KEYS, 8192))
                tally["longest"] = max(tally["longest"], time.monotonic() - t)
                if r.status == GOOD:
                    tally["good"] += 1
                else:
                    tally["other"].append(r.describe())
        finally:
            os.close(fd)
            conn.close()
    except (Closed, OSError) as e:
        tally["error"] = str(e)


def under_traffic(what, switch_off, switch_on):
    """READ KEYS in a loop on one connection through the map while the multipath backend is switched
    off and on twice: every request answered GOOD, the connection kept, the backend gone and back."""
    stop = threading.Event()
    result = new_tally()

    def settled(text, count):
        # Wait for the agent to log the swap rather than sleep a fixed time: Felix FileInstall polls etc/
        # and a loaded machine can miss a short delete-restore window altogether (seen in CI: gone 1, back 1).
        deadline = time.monotonic() + 60
        while log_count(text) < count and time.monotonic() < deadline:
            time.sleep(0.2)

    gone0, back0 = log_count("Backend multipath gone"), log_count("Backend multipath available")
    worker = threading.Thread(target=read_keys_until, args=(stop, ours_sock, MAP, result))
    worker.start()
    try:
        for cycle in range(1, 3):
            time.sleep(2)
            switch_off()
            settled("Backend multipath gone", gone0 + cycle)
            time.sleep(1)
            switch_on()
            settled("Backend multipath available", back0 + cycle)
        time.sleep(2)
    finally:
        stop.set()
        worker.join(60)
    gone, back = log_count("Backend multipath gone") - gone0, log_count("Backend multipath available") - back0
    record(gone == 2 and back == 2, f"{what}: the multipath backend went away and came back twice (karaf.log)",
           f"gone {gone}, back {back}")
    record(result["error"] is None and not result["other"] and result["good"] > 0,
           f"{what} under traffic: {result['good']} READ KEYS on one connection, all GOOD, none dropped",
           f"error {result['error']}, other replies {result['other'][:3]}")


def hot_swap():
    cfg = os.path.join(ETC, "org.prhelper.multipath.cfg")
    with open(cfg) as f:
        saved = f.read()

    def restore():
        with open(cfg, "w") as f:
            f.write(saved)
    under_traffic("configuration deleted and restored", lambda: os.remove(cfg), restore)

    def bundle(action):
        rc, text = console(f"bundle:{action} org.prhelper.multipath")
        if rc != 0:
            record(False, f"console: bundle:{action} org.prhelper.multipath", f"exit {rc}: {text.strip()}")
    under_traffic("bundle:stop / bundle:start of the multipath bundle",
                  lambda: bundle("stop"), lambda: bundle("start"))


def answered(name, reply):
    """A reply that a guest can act on: GOOD, RESERVATION CONFLICT, or CHECK CONDITION with sense."""
    ok = reply.status in (GOOD, CONFLICT) or (reply.status == CHECK and reply.sense_triple()[0] != 0)
    record(ok, f"{name}: {reply.describe()}", f"got {reply.describe()}")
    return reply


def multipathd_stopped():
    """Issue 9's fault: multipathd stopped. libmpathpersist works from the device-mapper table and
    sysfs, so requests through the map must still be answered (no hang, no dropped connection), plain
    devices are unaffected, and with multipathd back everything works as before."""
    settle()
    expect("multipathd stopped, setup: REGISTER through the map", ours(*out(REGISTER, sakey=KEY)), GOOD)
    subprocess.run(["multipathd", "shutdown"], capture_output=True, timeout=60)
    deadline = time.monotonic() + 30
    while subprocess.run(["pidof", "multipathd"], capture_output=True).returncode == 0 and time.monotonic() < deadline:
        time.sleep(0.5)
    stopped = subprocess.run(["pidof", "multipathd"], capture_output=True).returncode != 0
    record(stopped, "multipathd stopped (multipathd shutdown)", "still running after 30 s")
    try:
        settle()
        r = answered("multipathd stopped: READ KEYS through the map is answered", ours(cdb_in(READ_KEYS, 8192)))
        if r.status == GOOD:
            same_as_path("multipathd stopped: READ KEYS", READ_KEYS)
        answered("multipathd stopped: RESERVE through the map is answered", ours(*out(RESERVE, 5, KEY)))
        answered("multipathd stopped: READ RESERVATION through the map is answered",
                 ours(cdb_in(READ_RESERVATION, 8192)))
        answered("multipathd stopped: RELEASE through the map is answered", ours(*out(RELEASE, 5, KEY)))
        # multipathd cannot take the key: refused before anything is sent, as libmpathpersist does
        expect("multipathd stopped: REGISTER AND IGNORE through the map",
               ours(*out(REGISTER_AND_IGNORE, sakey=KEY)), CHECK, (0x0B, 0x08, 0x00))
        expect("multipathd stopped: READ KEYS on path 0 (SG_IO backend) unaffected",
               call(ours_sock, P0, cdb_in(READ_KEYS, 8192)), GOOD)
    finally:
        subprocess.run(["multipathd"], capture_output=True, timeout=60)
    waiting("multipathd to run again with both paths of the map (up to 60s)")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (
            subprocess.run(["multipathd", "show", "paths"], capture_output=True, text=True).stdout.count("active") >= 2):
        time.sleep(1)
    settle()
    expect("multipathd back: READ KEYS through the map", ours(cdb_in(READ_KEYS, 8192)), GOOD)
    expect("multipathd back: CLEAR through the map", ours(*out(CLEAR, key=KEY)), GOOD)
    expect("multipathd back: REGISTER through the map", ours(*out(REGISTER, sakey=KEY)), GOOD)
    record(keys_on(P0) == [KEY, KEY], "multipathd back: REGISTER through the map reaches both nexuses",
           f"keys {keys_on(P0)}")
    # a connection of its own to the new multipathd (the one to the old broke when it stopped)
    expect("multipathd back: REGISTER AND IGNORE through the map", ours(*out(REGISTER_AND_IGNORE, sakey=OTHER)), GOOD)
    record(keys_on(P0) == [OTHER, OTHER] and multipathd_key() == f"{OTHER:#x}",
           "multipathd back: REGISTER AND IGNORE reached both nexuses and the new multipathd",
           f"keys {keys_on(P0)}, multipathd getprkey {multipathd_key()!r}")
    settle()
    expect("multipathd back: REGISTER AND IGNORE with the first key again", ours(*out(REGISTER_AND_IGNORE, sakey=KEY)),
           GOOD)


def lio_lun(path):
    """The LIO side of a lab disk: (configfs LUN folder, its link to the backstore, the backstore), or
    None. The disk's SCSI host:channel:target is the address of exactly one tcm_loop target."""
    dev = os.path.basename(os.path.realpath(path))
    address = ":".join(os.path.basename(os.path.realpath(f"/sys/block/{dev}/device")).split(":")[:3])
    tpgs = [t for t in glob.glob("/sys/kernel/config/target/loopback/*/tpgt_1")
            if open(os.path.join(t, "address")).read().strip() == address]
    if len(tpgs) != 1:
        return None
    lun = os.path.join(tpgs[0], "lun", "lun_0")
    (link,) = [os.path.join(lun, n) for n in os.listdir(lun) if os.path.islink(os.path.join(lun, n))]
    return lun, link, os.path.realpath(link)


def lun_removed():
    """Issue 9's fault: LUN 0 deleted from the target behind path 1 while both helpers hold an open
    descriptor of that path (as QEMU holds its disk's). A request on it must get the same answer from
    ours as from qemu-pr-helper, within the client's 60 s; the map goes on through path 0."""
    dev1 = os.path.basename(os.path.realpath(P1))
    found = lio_lun(P1)
    if found is None:
        record(False, "LUN removed: path 1's tcm_loop target found", f"no tcm_loop target for {P1}")
        return
    lun, link, backstore = found
    settle()
    fd = os.open(P1, os.O_RDWR)
    try:
        os.unlink(link)
        os.rmdir(lun)
        deadline = time.monotonic() + 30
        while os.path.exists(f"/sys/block/{dev1}") and time.monotonic() < deadline:
            time.sleep(0.5)
        record(not os.path.exists(f"/sys/block/{dev1}"), f"LUN removed: {dev1} is gone from the initiator",
               "still there after 30 s")
        replies = {}
        for name, sock in (("reference", ref_sock), ("ours", ours_sock)):
            waiting(f"a reply from {name} for the removed {P1}")
            conn = Connection(sock, 60)
            start = time.monotonic()
            try:
                replies[name] = (conn.request(fd, cdb_in(READ_KEYS, 8192)), time.monotonic() - start)
            except (Closed, OSError) as e:
                replies[name] = (None, str(e))
            finally:
                conn.close()
        (theirs, t_ref), (mine, t_ours) = replies["reference"], replies["ours"]
        same = mine is not None and theirs is not None and \
            (mine.status, mine.sense, mine.data) == (theirs.status, theirs.sense, theirs.data)
        record(same and t_ours < 60, f"LUN removed: READ KEYS on the held descriptor, ours == qemu-pr-helper: "
               + (f"{mine.describe()} after {t_ours:.2f} s" if mine else "no reply"),
               f"ours {mine.describe() if mine else t_ours} | reference {theirs.describe() if theirs else t_ref}")
        settle()
        expect("LUN removed behind path 1: READ KEYS through the map (path 0)", ours(cdb_in(READ_KEYS, 8192)), GOOD)
    finally:
        os.close(fd)
        if not os.path.isdir(lun):
            os.mkdir(lun)
            os.symlink(backstore, os.path.join(lun, os.path.basename(link)))


SLOW_KEY = 0x534C4F5744455601
# How long the slow LUN takes for a PR OUT. SG_IO on a block device never times out before 7 s (the
# kernel raises shorter timeouts to BLK_MIN_SG_TIMEOUT) and its timer fires on a whole second, so
# anything above 8 s outlasts a 7 s timeout; 12 s leaves room for a loaded TCG guest.
SLOW_SECONDS = 12.0


class StuckAptpl:
    """A real LIO disk made slow. LIO writes its persistent-reservation state file
    (dbroot/pr/aptpl_SERIAL) before it answers a PR OUT REGISTER; with that file replaced by a FIFO whose
    buffer is full, the target's write, and so the command, waits in the kernel until the FIFO is read.
    (scsi_debug cannot do this: on this kernel it answers PERSISTENT RESERVE with ILLEGAL REQUEST at once,
    whatever its delay.)"""

    def __init__(self, backstore):
        with open(os.path.join(backstore, "wwn", "vpd_unit_serial")) as f:
            serial = f.read().split(":", 1)[1].strip()
        with open("/sys/kernel/config/target/dbroot") as f:
            self.path = os.path.join(f.read().strip(), "pr", f"aptpl_{serial}")
        self.saved = self.path + ".e2e-saved"
        if os.path.exists(self.path):
            os.rename(self.path, self.saved)
        os.mkfifo(self.path, 0o600)
        self.fd = os.open(self.path, os.O_RDWR | os.O_NONBLOCK)

    def fill(self):
        # Whole pages only: a small write that fits in the last page's free space is merged there
        # instead of waiting for room.
        try:
            while True:
                os.write(self.fd, bytes(4096))
        except BlockingIOError:
            pass

    def drain(self):
        try:
            while os.read(self.fd, 65536):
                pass
        except BlockingIOError:
            pass

    def close(self):
        self.drain()
        os.close(self.fd)
        os.remove(self.path)
        if os.path.exists(self.saved):
            os.rename(self.saved, self.path)


def settle_paths(*paths):
    for p in paths:
        for _ in range(5):
            if subprocess.run(["sg_turs", p], capture_output=True).returncode == 0:
                break


def set_sgio_timeout(cfg, text, millis, what="slow device"):
    """Writes the SG_IO backend's configuration and waits until the agent has restarted the backend
    with it (FileInstall polls etc/, SCR reactivates the component)."""
    before = log_count("Backend sgio available")
    with open(cfg, "w") as f:
        f.write(text)
    deadline = time.monotonic() + 60
    while log_count("Backend sgio available") <= before and time.monotonic() < deadline:
        time.sleep(0.2)
    record(log_count("Backend sgio available") > before,
           f"{what}: the SG_IO backend restarted with timeoutMillis={millis} (karaf.log)",
           "no 'Backend sgio available' within 60 s")


def slow_register(sock, conn, fd, stuck):
    """One REGISTER on the slow LUN over conn while another connection to the same helper sends
    READ KEYS on LUN 0's path 0 (a healthy disk) in a loop. Returns (reply or error text, seconds,
    traffic figures)."""
    stop = threading.Event()
    traffic = new_tally()
    stuck.fill()
    drainer = threading.Timer(SLOW_SECONDS, stuck.drain)
    worker = threading.Thread(target=read_keys_until, args=(stop, sock, P0, traffic))
    worker.start()
    waiting(f"a reply from {sock} for REGISTER on the slow {LUN1} (the device takes {SLOW_SECONDS:.0f} s)")
    drainer.start()
    start = time.monotonic()
    try:
        reply = conn.request(fd, *out(REGISTER, sakey=SLOW_KEY))
    except (Closed, OSError) as e:
        reply = f"no reply: {e}"
    seconds = time.monotonic() - start
    drainer.join()
    stop.set()
    worker.join(60)
    return reply, seconds, traffic


def traffic_text(t):
    return (f"{t['good']} READ KEYS on {P0} over another connection meanwhile, longest {t['longest']:.2f} s"
            + (f", {len(t['other'])} not GOOD ({t['other'][:2]})" if t["other"] else "")
            + (f", connection lost: {t['error']}" if t["error"] else ""))


def slow_device():
    """Issue 9's fault: a device slower than the SG_IO timeout. LUN 1 is made slow (StuckAptpl); our
    agent, its SG_IO timeout set to 7 s, must answer the REGISTER with the timeout's sense, not hang,
    keep serving LUN 0 on another connection meanwhile, and serve the same connection afterwards.
    The answer comes when the device lets go, not at 7 s: LIO's ABORT TASK does not find a command that
    is executing, so the kernel's error handler resets the LUN, and that waits for the command.
    Debian's qemu-pr-helper gets the same request for comparison, and our agent with its default 30 s
    timeout must wait for the device and answer GOOD: so the first answer was our timeout's."""
    found = lio_lun(LUN1)
    if found is None:
        record(False, "slow device: LUN 1's tcm_loop target found", f"no tcm_loop target for {LUN1}")
        return
    cfg = os.path.join(ETC, "org.prhelper.sgio.cfg")
    with open(cfg) as f:
        saved = f.read()
    paths1 = [LUN1, os.environ.get("LAB_LUN1_PATH1", LUN1)]
    began = time.monotonic()
    settle_paths(*paths1)
    stuck = StuckAptpl(found[2])
    fd = os.open(LUN1, os.O_RDWR)
    conn, ref_conn = Connection(ours_sock, 60), Connection(ref_sock, 60)
    try:
        set_sgio_timeout(cfg, "# e2e boot 3, slow device: short SG_IO timeout\ntimeoutMillis = 7000\n", 7000)
        mine, t_mine, traffic = slow_register(ours_sock, conn, fd, stuck)
        ok = not isinstance(mine, str) and mine.status == CHECK and mine.sense_triple() == (0x0B, 0x2E, 0x02)
        record(ok and t_mine < SLOW_SECONDS + 20,
               f"slow device, ours (timeoutMillis 7000): REGISTER on {LUN1} answered "
               + (f"{mine.describe()} after {t_mine:.1f} s" if ok else "") + f" (the device took {SLOW_SECONDS:.0f} s)",
               f"wanted CHECK CONDITION 0b/2e/02 within {SLOW_SECONDS + 20:.0f} s, got "
               + (mine if isinstance(mine, str) else mine.describe()) + f" after {t_mine:.1f} s")
        record(traffic["error"] is None and not traffic["other"] and traffic["good"] > 0
               and traffic["longest"] < SLOW_SECONDS / 2,
               f"slow device, ours: {traffic_text(traffic)}, all GOOD", traffic_text(traffic))
        settle_paths(*paths1)
        after = conn.request(fd, cdb_in(READ_KEYS, 8192))
        keys = [int.from_bytes(after.data[i:i + 8], "big") for i in range(8, len(after.data), 8)]
        record(after.status == GOOD, f"slow device, ours: the same connection answers READ KEYS afterwards: "
               f"{after.describe()}, keys {[hex(k) for k in keys]}", after.describe())
        # Whatever the device did with the timed-out REGISTER, take the key away for the next run.
        conn.request(fd, *out(REGISTER_AND_IGNORE, sakey=0))

        settle_paths(*paths1)
        theirs, t_theirs, ref_traffic = slow_register(ref_sock, ref_conn, fd, stuck)
        answered_ = not isinstance(theirs, str)
        record(answered_ and t_theirs < SLOW_SECONDS + 20,
               "slow device, qemu-pr-helper: REGISTER on the same slow LUN answered "
               + (f"{theirs.describe()} after {t_theirs:.1f} s" if answered_ else f"{theirs}") + "; "
               + traffic_text(ref_traffic), f"{theirs} after {t_theirs:.1f} s")
        if answered_ and not isinstance(mine, str):
            record((mine.status, mine.sense[:18]) == (theirs.status, theirs.sense[:18]),
                   "slow device: ours and qemu-pr-helper answer the timeout alike (status, sense bytes 0-17)",
                   f"ours {mine.describe()} {mine.sense[:18].hex()} | reference {theirs.describe()} "
                   f"{theirs.sense[:18].hex()}")
        settle_paths(*paths1)
        ref_conn.request(fd, *out(REGISTER_AND_IGNORE, sakey=0))

        set_sgio_timeout(cfg, saved, "default")
        settle_paths(*paths1)
        slow, t_slow, _ = slow_register(ours_sock, conn, fd, stuck)
        ok = not isinstance(slow, str) and slow.status == GOOD
        record(ok and t_slow >= SLOW_SECONDS - 1,
               f"slow device, ours with the default timeout: the same REGISTER waits for the device, "
               + (f"{slow.describe()} after {t_slow:.1f} s" if ok else ""),
               f"wanted GOOD after about {SLOW_SECONDS:.0f} s, got "
               + (slow if isinstance(slow, str) else slow.describe()) + f" after {t_slow:.1f} s")
        settle_paths(*paths1)
        conn.request(fd, *out(REGISTER_AND_IGNORE, sakey=0))
    finally:
        with open(cfg) as f:
            if f.read() != saved:
                with open(cfg, "w") as w:
                    w.write(saved)
        conn.close()
        ref_conn.close()
        os.close(fd)
        stuck.close()
    settle_paths(*paths1)
    record(keys_on(LUN1) == [], f"slow device: no key left on LUN 1 (the fault took {time.monotonic() - began:.0f} s)",
           f"keys {keys_on(LUN1)}")


# How long the LUN's removal runs with the REGISTER held in the target before the test lets the device
# go: 3 s, so that the REGISTER completes within the 7 s below which the kernel does not time an SG_IO
# out (the reference helper's effective timeout) and both helpers see the removal alone; then
# SLOW_SECONDS, so that the SG_IO timeout (7 s in both helpers) expires while the removal waits.
INFLIGHT_HOLDS = (3.0, SLOW_SECONDS)


def helper_fds(pid, rdev):
    """(descriptors the process holds, how many of them are the block device rdev), or None."""
    try:
        names = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return None
    held = 0
    for n in names:
        try:
            st = os.stat(f"/proc/{pid}/fd/{n}")
        except OSError:
            continue
        if stat.S_ISBLK(st.st_mode) and st.st_rdev == rdev:
            held += 1
    return len(names), held


def device_busy(dev):
    try:
        with open(f"/sys/block/{dev}/device/device_busy") as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return -1


def inflight_removal(name, sock, pid, path, found, stuck, key, hold):
    """One REGISTER on path sent through sock and held in the target (StuckAptpl); once the initiator
    shows it outstanding at the device (device_busy), the LUN is deleted from the path's tcm_loop target
    in another thread, and the device is let go hold s later. Returns the figures."""
    lun, link, _ = found
    dev = os.path.basename(os.path.realpath(path))
    rdev = os.stat(path).st_rdev
    fig = {"dev": dev, "reply": None, "t_reply": None, "t_busy": None, "t_unlink": None, "t_rmdir": None,
           "removal_error": None, "fds_before": helper_fds(pid, rdev) if pid else None}
    fd = os.open(path, os.O_RDWR)
    conn = Connection(sock, 60)
    try:
        stuck.fill()
        t0 = time.monotonic()

        def send():
            try:
                fig["reply"] = conn.request(fd, *out(REGISTER, sakey=key))
            except (Closed, OSError) as e:
                fig["reply"] = f"no reply: {e}"
            fig["t_reply"] = time.monotonic() - t0

        def remove():
            try:
                os.unlink(link)
                fig["t_unlink"] = time.monotonic() - t0
                os.rmdir(lun)
                fig["t_rmdir"] = time.monotonic() - t0
            except OSError as e:
                fig["removal_error"] = str(e)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        waiting(f"LUN removed in flight ({name}): the REGISTER on {path} outstanding at the device")
        deadline = time.monotonic() + 10
        while device_busy(dev) < 1 and sender.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        fig["busy"] = device_busy(dev)
        fig["t_busy"] = time.monotonic() - t0
        t_rm = time.monotonic() - t0
        remover = threading.Thread(target=remove, daemon=True)
        remover.start()
        drainer = threading.Timer(hold, stuck.drain)
        drainer.start()
        fig["t_remove"], fig["t_drain"] = t_rm, t_rm + hold
        waiting(f"LUN removed in flight ({name}): a reply and the removal of {lun} (up to 70 s)")
        sender.join(70)
        remover.join(max(1.0, 70 - (time.monotonic() - t0)))
        drainer.join()
        fig["removal_done"] = not remover.is_alive()
        if not sender.is_alive():
            # The helper must keep serving this connection: READ KEYS on LUN 0's path 0.
            fd0 = os.open(P0, os.O_RDWR)
            try:
                fig["after"] = conn.request(fd0, cdb_in(READ_KEYS, 8192))
            except (Closed, OSError) as e:
                fig["after"] = f"no reply: {e}"
            finally:
                os.close(fd0)
        # What the device kept of the REGISTER, read on the LUN's other path.
        settle_paths(LUN1)
        fig["keys"] = keys_on(LUN1)
        # helper_fds sees a descriptor of the removed disk: this process's own.
        fig["self_check"] = (helper_fds(os.getpid(), rdev) or (0, 0))[1]
    finally:
        conn.close()
        os.close(fd)
    # The helper's copy of the descriptor must be gone (checked before the LUN comes back, whose device
    # could get the same number).
    if pid:
        deadline = time.monotonic() + 5
        fig["fds_after"] = helper_fds(pid, rdev)
        while fig["fds_after"] and fig["fds_after"][1] and time.monotonic() < deadline:
            time.sleep(0.2)
            fig["fds_after"] = helper_fds(pid, rdev)
    return fig


def restore_lun(found, address, mpath):
    """Creates the LUN again in its tcm_loop target and waits for its disk at the initiator and for
    multipathd to put it back into the map. Returns the disk's name or None."""
    lun, link, backstore = found
    if not os.path.isdir(lun):
        os.mkdir(lun)
    if not os.path.islink(link):
        os.symlink(backstore, link)
    waiting(f"LUN removed in flight: the disk at {address}:0 back (up to 30 s)")
    dev, deadline = None, time.monotonic() + 30
    while dev is None and time.monotonic() < deadline:
        disks = glob.glob(f"/sys/bus/scsi/devices/{address}:0/block/sd*")
        dev = os.path.basename(disks[0]) if disks and os.path.exists(f"/dev/{os.path.basename(disks[0])}") else None
        if dev is None:
            time.sleep(0.2)
    if dev is None or not mpath:
        return dev
    slaves = f"/sys/block/{os.path.basename(os.path.realpath(mpath))}/slaves"
    waiting(f"LUN removed in flight: multipathd to put {dev} back into {mpath} (up to 60 s)")
    deadline, added = time.monotonic() + 60, False
    while dev not in os.listdir(slaves) and time.monotonic() < deadline:
        if not added and deadline - time.monotonic() < 50:
            subprocess.run(["multipathd", "add", "path", dev], capture_output=True, timeout=30)
            added = True
        time.sleep(0.5)
    return dev


def describe(reply):
    return reply if isinstance(reply, str) or reply is None else \
        f"{reply.describe()} [sense 0-17 {reply.sense[:18].hex()}]"


def lun_removed_in_flight():
    """Issue 9's fault: a LUN deleted from its tcm_loop target while a request is in flight at the
    device. LUN 1's path 1 gets a REGISTER that the target holds (StuckAptpl); once the initiator counts
    it outstanding, the LUN is deleted from that path's target, and the device is let go 3 s later, then,
    in a second round, 12 s later, past the SG_IO timeout (7 s: the kernel's minimum, which is what the
    reference helper gets, and ours configured to it). Each helper in turn, the LUN created again after
    each: a reply within the client's 60 s, the same status and sense bytes 0-17 from both, READ KEYS on
    LUN 0 over the same connection GOOD afterwards, the helper's copy of the descriptor closed, and the
    LUN back in LUN 1's multipath map. Deleting the LUN waits for the command (the kernel's removal of
    the disk drains its queue): the figures show when the link's removal returned."""
    path = os.environ.get("LAB_LUN1_PATH1", "")
    mpath = os.environ.get("LAB_LUN1_MPATH", "")
    found = lio_lun(path) if path else None
    if found is None:
        record(False, "LUN removed in flight: LUN 1's path 1 and its tcm_loop target found", f"path {path!r}")
        return
    dev = os.path.basename(os.path.realpath(path))
    address = ":".join(os.path.basename(os.path.realpath(f"/sys/block/{dev}/device")).split(":")[:3])
    pids = {"qemu-pr-helper": os.environ.get("REF_PID"), "ours": os.environ.get("OURS_PID")}
    cfg = os.path.join(ETC, "org.prhelper.sgio.cfg")
    with open(cfg) as f:
        saved = f.read()
    began = time.monotonic()
    settle_paths(LUN1, path)
    stuck = StuckAptpl(found[2])
    try:
        for hold in INFLIGHT_HOLDS:
            what = f"LUN removed in flight, device let go {hold:.0f} s after the removal began"
            if hold > 7:
                set_sgio_timeout(cfg, "# e2e boot 3, LUN removed in flight: short SG_IO timeout\n"
                                 "timeoutMillis = 7000\n", 7000, what)
            figs = {}
            for name, sock, key in (("qemu-pr-helper", ref_sock, 0x494E464C49474801),
                                    ("ours", ours_sock, 0x494E464C49474802)):
                settle_paths(LUN1, path)
                fig = inflight_removal(name, sock, pids[name], path, found, stuck, key, hold)
                figs[name] = fig
                subprocess.run(f"dmesg | tail -60 > /share/lun-inflight-dmesg-{name.split('-')[0]}-{hold:.0f}.txt",
                               shell=True)
                print(f"{what}, {name}: {fig}", flush=True)
                inflight_checks(f"{what}, {name}", fig, bool(pids[name]))
                new = restore_lun(found, address, mpath)
                in_map = bool(new and mpath and new in os.listdir(
                    f"/sys/block/{os.path.basename(os.path.realpath(mpath))}/slaves"))
                record(bool(new) and (in_map or not mpath),
                       f"{what}, {name}: LUN 1 back behind path 1 as /dev/{new}"
                       + (f", in {mpath} again" if in_map else ""), f"disk {new}, in the map {in_map}")
                if not new:
                    return
                path = f"/dev/{new}"
                settle_paths(LUN1, path)
                for p in (LUN1, path):
                    call(ref_sock, p, *out(REGISTER_AND_IGNORE, sakey=0))
            mine, theirs = figs["ours"]["reply"], figs["qemu-pr-helper"]["reply"]
            if not isinstance(mine, (str, type(None))) and not isinstance(theirs, (str, type(None))):
                record((mine.status, mine.sense[:18]) == (theirs.status, theirs.sense[:18]),
                       f"{what}: ours and qemu-pr-helper answer alike (status, sense bytes 0-17)",
                       f"ours {describe(mine)} | reference {describe(theirs)}")
    finally:
        with open(cfg) as f:
            if f.read() != saved:
                set_sgio_timeout(cfg, saved, "default", "LUN removed in flight")
        stuck.close()
        if not os.path.isdir(found[0]):
            restore_lun(found, address, mpath)
    settle_paths(LUN1, path)
    record(keys_on(LUN1) == [], f"LUN removed in flight: no key left on LUN 1 (the fault took "
           f"{time.monotonic() - began:.0f} s)", f"keys {keys_on(LUN1)}")


def inflight_checks(what, fig, by_pid):
    def t(key):
        return f"{fig[key]:.2f} s" if fig.get(key) is not None else "-"
    reply = fig["reply"]
    ok = reply is not None and not isinstance(reply, str) and fig["t_reply"] < 60
    record(ok, f"{what}: REGISTER on {fig['dev']} (outstanding at the device: device_busy {fig['busy']} after "
           f"{t('t_busy')}) answered {describe(reply)} after {t('t_reply')}; LUN deleted at {t('t_remove')}, "
           f"device let go at {t('t_drain')}: link removed at {t('t_unlink')}, rmdir done at {t('t_rmdir')}; "
           "LUN 1's keys then "
           + (str([hex(k) for k in fig["keys"]]) if fig.get("keys") is not None else "unreadable"),
           f"reply {describe(reply)} after {t('t_reply')}, removal done {fig['removal_done']}, "
           f"error {fig['removal_error']}")
    record(fig["removal_done"] and fig["removal_error"] is None, f"{what}: the LUN's removal finished",
           f"done {fig['removal_done']}, error {fig['removal_error']}")
    after = fig.get("after")
    record(after is not None and not isinstance(after, str) and after.status == GOOD,
           f"{what}: READ KEYS on {P0} over the same connection afterwards: {describe(after)}", describe(after))
    if by_pid:
        before, later = fig["fds_before"], fig["fds_after"]
        record(before is not None and later is not None and later[1] == 0 and fig.get("self_check") == 1,
               f"{what}: the helper closed its copy of the descriptor (descriptors {before[0] if before else '?'} "
               f"before, {later[0] if later else '?'} after)",
               f"before {before}, after {later}, the client's own copy seen {fig.get('self_check')}")

def sg_persist(*args):
    settle()  # a CLEAR or PREEMPT leaves a unit attention on the other nexuses: sg_persist would show it
    return subprocess.run(["sg_persist", "--in", *args], capture_output=True, text=True).stdout.lower()


def console_commands():
    """The pr: commands from the agent's console on path 0 (SG_IO backend) and on the map (multipath
    backend), each checked with sg_persist on the paths."""
    settle()
    expect("console setup: CLEAR through the map", ours(*out(CLEAR, key=KEY)), GOOD)
    settle()
    mine = 0x434F4E534F4C4531
    for dev, key, backend, paths in ((P0, mine, "sgio", [P0]), (MAP, KEY, "multipath", [P0, P1])):
        where = f"{dev} ({backend})"
        rc, text = console(f"pr:register --force --sa-key {key:#x} {dev}")
        record(rc == 0 and all(sg_persist("-k", p).count(f"{key:#x}") == (2 if dev == MAP else 1) for p in paths),
               f"console: pr:register on {where}, sg_persist -k on {', '.join(paths)} shows the key",
               f"exit {rc}: {text.strip()} | {[sg_persist('-k', p) for p in paths]}")
        rc, text = console(f"pr:reserve --force --key {key:#x} --type wr_ex {dev}")
        rr = sg_persist("-r", paths[-1])
        record(rc == 0 and f"key={key:#x}" in rr and "write exclusive" in rr,
               f"console: pr:reserve --type wr_ex on {where}, sg_persist -r on {paths[-1]} shows it",
               f"exit {rc}: {text.strip()} | {rr.strip()}")
        rc, text = console(f"pr:keys {dev}")
        record(rc == 0 and text.count(f"{key:#018x}") == (2 if dev == MAP else 1),
               f"console: pr:keys {where} lists the key for each registered nexus", f"exit {rc}: {text.strip()}")
        rc, text = console(f"pr:full-status {dev}")
        rows = [line for line in text.splitlines() if line.startswith(f"{key:#018x}")]
        record(rc == 0 and len(rows) == len(paths) and sum("yes" in r.split("|")[2] for r in rows) >= 1
               and all("SAS 0x" in r for r in rows),
               f"console: pr:full-status {where}: one row per nexus, SAS transport IDs, the holder marked",
               f"exit {rc}: {text.strip()}")
        rc, text = console(f"pr:clear --force --key {key:#x} {dev}")
        record(rc == 0 and all("no registered reservation keys" in sg_persist("-k", p) for p in paths),
               f"console: pr:clear on {where}, sg_persist -k shows no key left",
               f"exit {rc}: {text.strip()} | {[sg_persist('-k', p) for p in paths]}")
    rc, text = console("pr:audit -n 20 --socket shell")
    record(rc == 0 and text.count("CLEAR") >= 2 and text.count("REGISTER") >= 2,
           "console: pr:audit shows the console's PR OUT requests under socket shell", f"exit {rc}: {text.strip()}")
    rc, text = console("pr:clear --key 0x1 /dev/null")
    record(rc != 0 and "add --force" in text, "console: pr:clear without a terminal and without --force sends nothing",
           f"exit {rc}: {text.strip()}")


if __name__ == "__main__":
    main()
