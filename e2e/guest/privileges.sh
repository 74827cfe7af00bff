# privileges.sh - the agent without root on a real disk (sourced by multipath.sh; bash).
#
# 1. started as root with -u nobody -g nogroup: /proc/PID/status shows uid/gid 65534 and only
#    CAP_SYS_RAWIO, and PR IN and PR OUT on LUN 1's path 0 (a descriptor opened by this root script)
#    reach the device;
# 2. started as nobody with no capability at all (setpriv): the same requests get what
#    qemu-pr-helper answers when SG_IO fails (ABORTED COMMAND 0b/00/06), and karaf.log says why.
# Uses policy.py for the requests ("STATUS KEY/ASC/ASCQ").

PRIV_DEV=$(readlink -f "$LAB_LUN1_PATH0")
priv_request() { # priv_request SOCKET OP
    waiting "policy.py $1 $PRIV_DEV $2"
    python3 "$E2E_HOME/guest/policy.py" "$1" "$PRIV_DEV" "$2" 2>&1
}
for _ in 1 2 3 4 5; do sg_turs "$PRIV_DEV" >/dev/null 2>&1 && break; done

rm -rf /tmp/dropped-data
PRHELPER_DATA=/tmp/dropped-data "$E2E_ASSEMBLY/bin/qemu-pr-helper" -u nobody -g nogroup -k /tmp/dropped.sock \
    >> /share/dropped.log 2>&1 &
DROPPED_PID=$!
if await_serving "$AGENT_START_TIMEOUT" "the agent started with -u nobody -g nogroup to serve /tmp/dropped.sock" \
        /tmp/dropped.sock "$DROPPED_PID"; then
    status=$(grep -E '^(Uid|Gid|CapEff|CapPrm|CapAmb|CapBnd)' "/proc/$DROPPED_PID/status" | tr '\t' ' ' | tr '\n' ';')
    check "-u nobody -g nogroup: uid/gid 65534, CAP_SYS_RAWIO only ($status)" \
        test "$status" = "Uid: 65534 65534 65534 65534;Gid: 65534 65534 65534 65534;CapPrm: 0000000000020000;CapEff: 0000000000020000;CapBnd: 0000000000020000;CapAmb: 0000000000020000;"
    got=$(priv_request /tmp/dropped.sock read-keys)
    check "-u nobody -g nogroup: READ KEYS on $PRIV_DEV reaches the device ($got)" test "$got" = "00 0/00/00"
    settle_before=$(sg_persist --in -k "$PRIV_DEV" 2>&1 | grep -c 0x5eed)
    got=$(priv_request /tmp/dropped.sock register)
    check "-u nobody -g nogroup: REGISTER on $PRIV_DEV reaches the device ($got)" test "$got" = "00 0/00/00"
    check "-u nobody -g nogroup: sg_persist shows the key 0x5eed it registered" \
        test "$(sg_persist --in -k "$PRIV_DEV" 2>&1 | grep -c 0x5eed)" -gt "$settle_before"
    sg_persist --out --register --param-rk=0x5eed --param-sark=0 "$PRIV_DEV" >/dev/null 2>&1
else
    fail "-u nobody -g nogroup: the agent accepts" "no answer on /tmp/dropped.sock (see dropped.log)"
fi
stop_pid "$DROPPED_PID" "the agent started with -u/-g" 60
check "-u nobody -g nogroup: exit status 0 after SIGTERM (was $STOP_RC)" test "$STOP_RC" = 0

rm -rf /tmp/nocap-data && mkdir -p /tmp/nocap-data && chown nobody:nogroup /tmp/nocap-data
setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --ambient-caps=-all --bounding-set=-all -- \
    env PRHELPER_DATA=/tmp/nocap-data "$E2E_ASSEMBLY/bin/qemu-pr-helper" -k /tmp/nocap.sock >> /share/nocap.log 2>&1 &
NOCAP_PID=$!
if await_serving "$AGENT_START_TIMEOUT" "the agent without capabilities to serve /tmp/nocap.sock" \
        /tmp/nocap.sock "$NOCAP_PID"; then
    for op in read-keys register; do
        got=$(priv_request /tmp/nocap.sock "$op")
        check "no CAP_SYS_RAWIO: $op on $PRIV_DEV is refused by the kernel, answered as qemu-pr-helper does ($got)" \
            test "$got" = "02 b/00/06"
    done
    check "no CAP_SYS_RAWIO: karaf.log names the missing capability" \
        grep -q "lacks CAP_SYS_RAWIO" /tmp/nocap-data/log/karaf.log
else
    fail "no CAP_SYS_RAWIO: the agent accepts" "no /tmp/nocap.sock (see nocap.log)"
fi
stop_pid "$NOCAP_PID" "the agent without capabilities" 60
