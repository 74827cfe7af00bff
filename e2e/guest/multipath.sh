#!/bin/bash
# multipath.sh - guest side of e2e boot 3: our multipath backend on LUN 0's dm-multipath map,
# with multipathd running (reservation_key file). Debian's qemu-pr-helper (built without multipath)
# serves as an SG_IO reader of each path. The agent runs from the console snapshot (ssh on
# 127.0.0.1:8101, key $E2E_CONSOLE_KEY). See multipath.py for the checks. Then privileges.sh: the
# agent with -u/-g, and without CAP_SYS_RAWIO, on LUN 1.
set -u
. "$E2E_HOME/guest/common.sh"
: > "$CHECKS"
REF_SOCK=/tmp/ref.sock OURS_SOCK=/tmp/ours.sock

check "lab: the dm-multipath map \$LAB_MPATH=${LAB_MPATH:-unset}" test -b "${LAB_MPATH:-/nonexistent}"
check "lab: multipathd runs" pidof multipathd
check "lab: multipath.conf sets reservation_key" grep -q '^[[:space:]]*reservation_key' /etc/multipath.conf
multipath -ll 2>&1

# The console listens on 127.0.0.1, and the lab's init leaves the loopback interface down.
if command -v ip >/dev/null; then ip link set lo up; else busybox ip link set lo up; fi

rm -f "$REF_SOCK"
qemu-pr-helper -k "$REF_SOCK" > /share/reference.log 2>&1 &
REF_PID=$!
wait_until 30 "Debian's qemu-pr-helper to accept on $REF_SOCK" test -S "$REF_SOCK" \
    || { fail "reference: qemu-pr-helper accepts" "no socket"; exit 1; }
if ! start_ours "$OURS_SOCK" /share/ours.log "$E2E_CONSOLE_ASSEMBLY"; then
    fail "ours: the agent accepts on $OURS_SOCK" "timed out (see ours.log)"
    cp /tmp/prhelper-data/log/karaf.log /share/karaf.log 2>/dev/null
    exit 1
fi
pass "ours: the agent accepts on $OURS_SOCK (after ${OURS_START_MS} ms)"
# The console's features are installed at the first start, after the socket is served.
wait_until 180 "the agent's console on 127.0.0.1:8101" ssh_ready \
    && pass "ours: the console answers over ssh" || fail "ours: the console answers over ssh" "no answer in 180 s"
# Installing the console's features must not have restarted the agent's bundles (autoRefresh=false).
check "ours: switching the console on did not close the socket (no 'Stopped serving' in karaf.log)" \
    test "$(grep -c 'Stopped serving' /tmp/prhelper-data/log/karaf.log)" = 0

waiting "multipath.py"
OURS_PID=$OURS_PID REF_PID=$REF_PID python3 "$E2E_HOME/guest/multipath.py" "$OURS_SOCK" "$REF_SOCK" "$LAB_MPATH" "$LAB_PATH0" "$LAB_PATH1" \
    "$E2E_CONSOLE_ASSEMBLY/etc" /tmp/prhelper-data/log/karaf.log \
    || fail "multipath.py finished" "exit status $?"

. "$E2E_HOME/guest/privileges.sh"

stop_pid "$OURS_PID" "our agent" 60
check "ours: exit status 0 after SIGTERM (was $STOP_RC)" test "$STOP_RC" = 0
kill -TERM "$REF_PID" 2>/dev/null
cp /tmp/prhelper-data/log/karaf.log /share/karaf.log 2>/dev/null
if grep -E '\| ERROR \||Exception' /share/karaf.log > /share/errors.txt; then
    fail "ours: no ERROR or exception in karaf.log" "$(head -3 /share/errors.txt)"
else
    pass "ours: no ERROR or exception in karaf.log"
fi
exit 0
