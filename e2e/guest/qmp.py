#!/usr/bin/env python3
"""qmp.py SOCKET COMMAND [ARGUMENTS-JSON]: one QMP command to a QEMU; prints its "return" as JSON.

Exit 1 with the error on stderr when QEMU answers with an error or the socket cannot be used.
Asynchronous events that arrive before the answer are skipped.
"""
import json
import socket
import sys


def main():
    path, command = sys.argv[1], sys.argv[2]
    arguments = json.loads(sys.argv[3]) if len(sys.argv) > 3 else None
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(60)
    s.connect(path)
    lines = s.makefile("r")

    def answer():
        for line in lines:
            msg = json.loads(line)
            if "return" in msg or "error" in msg:
                return msg
        raise SystemExit("qmp.py: connection closed before an answer")

    json.loads(lines.readline())                                # the greeting
    s.sendall(b'{"execute": "qmp_capabilities"}\n')
    answer()
    request = {"execute": command}
    if arguments is not None:
        request["arguments"] = arguments
    s.sendall(json.dumps(request).encode() + b"\n")
    msg = answer()
    if "error" in msg:
        print(f"qmp.py: {command}: {msg['error'].get('desc')}", file=sys.stderr)
        return 1
    print(json.dumps(msg["return"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
