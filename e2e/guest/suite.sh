#!/bin/bash
# suite.sh - guest side of e2e boot 1 (run by the lab guest as /share/cmd.sh via e2e/run.sh).
#
# Needs: E2E_HOME (the e2e folder on the host root), E2E_ASSEMBLY (snapshot of the built assembly)
# and the lab's variables for 2 LUNs x 2 paths (+ multipath maps).
#   1. checks the lab (both LUNs, both paths, distinct WWIDs, one multipath map per LUN), then
#      stops multipathd: its path checker's TEST UNIT READYs would consume unit attentions at
#      random times, and the suite compares unit attentions too;
#   2. starts Debian's qemu-pr-helper (/tmp/ref.sock, acts on LUN 0) and our agent
#      (/tmp/ours.sock, acts on LUN 1);
#   3. runs suite.py (byte-for-byte comparison, see there);
#   4. policy.sh: sockets with device policies added live, checked on LUN 1's paths and map;
#   5. bench.sh: READ KEYS in a closed loop through both helpers on real disks (issue 8);
#   6. stops our agent with SIGTERM and requires exit status 0, the socket removed, and no ERROR
#      or exception in its log.
set -u
. "$E2E_HOME/guest/common.sh"
: > "$CHECKS"
REF_SOCK=/tmp/ref.sock OURS_SOCK=/tmp/ours.sock

# ------------------------------------------------------------ the lab
check_suite_lab
# ------------------------------------------------------------ versions
{
    echo "guest_kernel=$(uname -r)"
    echo "reference=$(qemu-pr-helper --version | head -1)"
    echo "reference_package=$(dpkg-query -W -f='${Version}' qemu-system-common 2>/dev/null)"
    echo "ours=$("$E2E_ASSEMBLY/bin/qemu-pr-helper" -V | head -1)"
    echo "java=$(java -version 2>&1 | head -1)"
    echo "sg3_utils=$(sg_persist --version 2>&1 | head -1)"
    echo "python=$(python3 --version 2>&1)"
    echo "lio=$(sg_inq "$LAB_LUN0_PATH0" 2>/dev/null | sed -n 's/^ *Vendor identification: *//p;s/^ *Product identification: *//p;s/^ *Product revision level: *//p' | tr '\n' ' ')"
} > /share/versions.txt
cat /share/versions.txt

# ------------------------------------------------------------ the helpers
rm -f "$REF_SOCK"
qemu-pr-helper -k "$REF_SOCK" > /share/reference.log 2>&1 &
REF_PID=$!
if ! await_serving 30 "Debian's qemu-pr-helper to serve $REF_SOCK" "$REF_SOCK" "$REF_PID"; then
    fail "reference: qemu-pr-helper accepts on $REF_SOCK" "no socket within 30s"; exit 1
fi
pass "reference: qemu-pr-helper accepts on $REF_SOCK"
if ! start_ours "$OURS_SOCK" /share/ours.log; then
    fail "ours: the agent accepts on $OURS_SOCK within ${AGENT_START_TIMEOUT}s" \
        "timed out waiting for our agent's socket (see ours.log)"
    cp /tmp/prhelper-data/log/karaf.log /share/karaf.log 2>/dev/null
    exit 1
fi
pass "ours: the agent accepts on $OURS_SOCK (after ${OURS_START_MS} ms)"
echo "ours_start_ms=$OURS_START_MS" >> /share/versions.txt

# ------------------------------------------------------------ the suite
waiting "suite.py to start"
python3 "$E2E_HOME/guest/suite.py" --ref "$REF_SOCK" --ours "$OURS_SOCK" \
    --results /share/results.json --checks "$CHECKS"
suite_rc=$?
check "suite.py ran to the end (exit status $suite_rc, 0 or 1)" test "$suite_rc" -le 1

# ------------------------------------------------------------ socket policies on real disks
. "$E2E_HOME/guest/policy.sh"

# ------------------------------------------------------------ real-device benchmark
. "$E2E_HOME/guest/bench.sh"

# ------------------------------------------------------------ stop
stop_pid "$OURS_PID" "our agent" 60
check "ours: SIGTERM stops the agent with exit status 0 (got $STOP_RC)" test "$STOP_RC" = 0
check "ours: the socket is removed at exit" test ! -e "$OURS_SOCK"
stop_pid "$REF_PID" "qemu-pr-helper" 30
cp /tmp/prhelper-data/log/karaf.log /share/karaf.log 2>/dev/null
errors=$(grep -E -c ' ERROR |Exception' /share/karaf.log 2>/dev/null)
check "ours: no ERROR or exception in karaf.log (${errors:-no log} found)" test "${errors:-1}" = 0
grep -q $'^FAIL\t' "$CHECKS" && exit 1
exit 0
