"""Client side of the pr-helper wire protocol, for the e2e suite (Python 3.9+, standard library only).

One Connection is one Unix stream socket to a helper (Debian's qemu-pr-helper or our agent), kept for
many requests as QEMU does. All integers on the wire are big-endian:
  handshake  server -> be32 feature flags; client -> be32 0
  request    16-byte CDB with exactly one descriptor (SCM_RIGHTS) on the first byte, then for
             PR OUT the parameter list (length = CDB bytes 7..8, QEMU's rule for both opcodes)
  reply      be32 status, be32 data size, 96 bytes of sense, then `data size` bytes
"""
import array
import socket
import struct

PR_IN, PR_OUT = 0x5E, 0x5F
SENSE_LEN = 96

# PERSISTENT RESERVE IN service actions
READ_KEYS, READ_RESERVATION, REPORT_CAPABILITIES, READ_FULL_STATUS = 0, 1, 2, 3
# PERSISTENT RESERVE OUT service actions
REGISTER, RESERVE, RELEASE, CLEAR, PREEMPT, PREEMPT_AND_ABORT = 0, 1, 2, 3, 4, 5
REGISTER_AND_IGNORE, REGISTER_AND_MOVE, REPLACE_LOST_RESERVATION = 6, 7, 8
# PR OUT parameter list byte 20 (basic list) / byte 17 (REGISTER AND MOVE)
SPEC_I_PT, ALL_TG_PT, APTPL = 0x08, 0x04, 0x01
UNREG = 0x02

STATUS_NAMES = {0x00: "GOOD", 0x02: "CHECK CONDITION", 0x08: "BUSY",
                0x18: "RESERVATION CONFLICT", 0x28: "TASK SET FULL"}
SENSE_KEYS = ["NO SENSE", "RECOVERED ERROR", "NOT READY", "MEDIUM ERROR", "HARDWARE ERROR",
              "ILLEGAL REQUEST", "UNIT ATTENTION", "DATA PROTECT", "BLANK CHECK", "VENDOR SPECIFIC",
              "COPY ABORTED", "ABORTED COMMAND", "RESERVED", "VOLUME OVERFLOW", "MISCOMPARE",
              "COMPLETED"]
SA_NAMES_IN = {0: "READ KEYS", 1: "READ RESERVATION", 2: "REPORT CAPABILITIES",
               3: "READ FULL STATUS"}
SA_NAMES_OUT = {0: "REGISTER", 1: "RESERVE", 2: "RELEASE", 3: "CLEAR", 4: "PREEMPT",
                5: "PREEMPT AND ABORT", 6: "REGISTER AND IGNORE EXISTING KEY",
                7: "REGISTER AND MOVE", 8: "REPLACE LOST RESERVATION"}


class Closed(Exception):
    """The helper closed the connection (or it broke) before a whole reply arrived."""


class Reply:
    def __init__(self, status, sense, data):
        self.status, self.sense, self.data = status, sense, data
        self.ms = None                    # reply time, set by the caller

    def sense_triple(self):
        """(key, asc, ascq) of fixed-format sense, or None when there is none."""
        s = self.sense
        if not any(s):
            return None
        if s[0] & 0x7F in (0x70, 0x71):
            return s[2] & 0x0F, s[12], s[13]
        if s[0] & 0x7F in (0x72, 0x73):
            return s[1] & 0x0F, s[2], s[3]
        return None

    def describe(self):
        text = f"{self.status:#04x} {STATUS_NAMES.get(self.status, '?')}"
        t = self.sense_triple()
        if t:
            text += f", {SENSE_KEYS[t[0]]} {t[0]:02x}/{t[1]:02x}/{t[2]:02x}"
        elif any(self.sense):
            text += ", sense " + self.sense[:18].hex(" ")
        if self.data:
            text += f", {len(self.data)} data bytes"
        return text

    def to_json(self):
        return {"status": self.status, "sense": self.sense.hex(), "data": self.data.hex(),
                "text": self.describe()}


class Connection:
    """One connection to a helper; request() may be called many times."""

    def __init__(self, path, timeout):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        (self.server_features,) = struct.unpack(">I", self._recv_exact(4))
        self.sock.sendall(struct.pack(">I", 0))

    def _recv_exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            try:
                chunk = self.sock.recv(n - len(buf))
            except socket.timeout:
                raise
            except OSError as e:
                raise Closed(f"connection broke: {e}") from e
            if not chunk:
                raise Closed(f"the helper closed the connection after {len(buf)} of {n} bytes")
            buf += chunk
        return bytes(buf)

    def request(self, fd, cdb, param=b""):
        """Sends CDB (zero-padded to 16 bytes) with fd attached, then param; returns a Reply."""
        cdb = bytes(cdb).ljust(16, b"\0")
        fds = array.array("i", [fd])
        try:
            self.sock.sendmsg([cdb], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds.tobytes())])
            if param:
                self.sock.sendall(param)
        except OSError as e:
            raise Closed(f"sending the request failed: {e}") from e
        status, size = struct.unpack(">iI", self._recv_exact(8))
        sense = self._recv_exact(SENSE_LEN)
        data = self._recv_exact(size) if size else b""
        return Reply(status, sense, data)

    def close(self):
        self.sock.close()


def cdb_in(sa, alloc):
    """PERSISTENT RESERVE IN: service action, 16-bit allocation length at bytes 7..8."""
    return struct.pack(">BB5xHx", PR_IN, sa & 0x1F, alloc)


def cdb_out(sa, prtype, length, scope=0):
    """PERSISTENT RESERVE OUT: service action, scope/type, 32-bit parameter list length at 5..8."""
    return struct.pack(">BBB2xIx", PR_OUT, sa & 0x1F, (scope << 4) | (prtype & 0x0F), length)


def param_basic(key=0, sakey=0, flags=0, tids=None):
    """The basic PR OUT parameter list (24 bytes); with SPEC_I_PT and tids, the TransportID list."""
    p = struct.pack(">QQ4xBx2x", key, sakey, flags)
    if tids is not None:
        body = b"".join(tids)
        p += struct.pack(">I", len(body)) + body
    return p


def param_move(key, sakey, rtpi, tid, unreg=False, aptpl=False):
    """The REGISTER AND MOVE parameter list: 24 bytes + one TransportID."""
    flags = (UNREG if unreg else 0) | (APTPL if aptpl else 0)
    return struct.pack(">QQxBHI", key, sakey, flags, rtpi, len(tid)) + tid


def sas_tid(naa_name):
    """SAS TransportID (protocol identifier 6, format 0, 24 bytes) of 'naa.5001405100000001'."""
    address = int(naa_name.split(".", 1)[1], 16)
    return struct.pack(">B3xQ12x", 0x06, address)
