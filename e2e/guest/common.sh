# common.sh - shell helpers for the e2e guest scripts (sourced; bash).
#
# Checks go to /share/checks.txt as "PASS<TAB>name" or "FAIL<TAB>name<TAB>why"; e2e/run.sh counts
# them. Before anything that can block, `waiting` names it in /share/waiting, so a host-side timeout
# can say what the guest was waiting for.

CHECKS=/share/checks.txt
WAITING=/share/waiting

waiting() { echo "$*" > "$WAITING"; }
say() { echo "[$(cut -d' ' -f1 /proc/uptime)] $*"; }
pass() { printf 'PASS\t%s\n' "$1" >> "$CHECKS"; say "PASS $1"; }
fail() { printf 'FAIL\t%s\t%s\n' "$1" "$2" >> "$CHECKS"; say "FAIL $1: $2"; }
check() { # check NAME CONDITION-COMMAND... ; the failure reason is the command line
    local name=$1; shift
    if "$@"; then pass "$name"; else fail "$name" "not true: $*"; fi
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# wait_until SECONDS WHAT COMMAND... : polls COMMAND every 0.2 s; returns 1 (after saying what it
# waited for) when SECONDS pass.
wait_until() {
    local limit=$1 what=$2 start
    shift 2
    waiting "$what (up to ${limit}s)"
    start=$(now_ms)
    while ! "$@"; do
        if [ $(( $(now_ms) - start )) -ge $(( limit * 1000 )) ]; then
            say "TIMEOUT after ${limit}s waiting for $what"
            return 1
        fi
        sleep 0.2
    done
    return 0
}

# start_ours SOCKET LOG [ASSEMBLY]: starts our agent from the assembly snapshot (default
# $E2E_ASSEMBLY) in the background and waits up to $AGENT_START_TIMEOUT s until it serves its socket.
# Sets OURS_PID and OURS_START_MS.
AGENT_START_TIMEOUT=${AGENT_START_TIMEOUT:-180}
# With KEEP_STALE_SOCKET=1 a socket file left by a killed agent stays for the agent to replace.
start_ours() {
    local sock=$1 log=$2 assembly=${3:-$E2E_ASSEMBLY} t0
    [ "${KEEP_STALE_SOCKET:-0}" = 1 ] || rm -f "$sock"
    t0=$(now_ms)
    PRHELPER_DATA=/tmp/prhelper-data "$assembly/bin/qemu-pr-helper" -k "$sock" >> "$log" 2>&1 &
    OURS_PID=$!
    if ! await_serving "$AGENT_START_TIMEOUT" "our agent (pid $OURS_PID) to serve $sock" "$sock" "$OURS_PID"; then
        return 1
    fi
    OURS_START_MS=$(( $(now_ms) - t0 ))
    say "our agent (pid $OURS_PID) serves $sock after ${OURS_START_MS} ms"
}
# await_serving SECONDS WHAT SOCKET PID: returns once a helper answers the handshake on SOCKET
# (bench/await-serving: the file alone is not enough, our launcher binds it before the JVM starts);
# 1 after SECONDS, or as soon as PID exits.
await_serving() {
    waiting "$2 (up to ${1}s)"
    "$E2E_HOME/../bench/await-serving" "$3" "$1" "$4" && return 0
    if not_running "$4"; then say "process $4 exited while waiting for $2"; else say "TIMEOUT after ${1}s waiting for $2"; fi
    return 1
}

# stop_pid PID NAME SECONDS: SIGTERM, wait up to SECONDS for the exit; sets STOP_RC (or "timeout",
# then the process is killed with SIGKILL).
stop_pid() {
    local pid=$1 name=$2 limit=$3
    kill -TERM "$pid" 2>/dev/null
    if wait_until "$limit" "$name (pid $pid) to exit after SIGTERM" not_running "$pid"; then
        wait "$pid"; STOP_RC=$?
    else
        kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; STOP_RC=timeout
    fi
}
not_running() { ! kill -0 "$1" 2>/dev/null || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }

# ssh_ready: the agent's console (boot 3) runs a command for the user "lab".
ssh_ready() {
    ssh -p 8101 -i "$E2E_CONSOLE_KEY" -o BatchMode=yes -o LogLevel=ERROR -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 lab@127.0.0.1 'pr:backends' >/dev/null 2>&1
}

# check_suite_lab: the lab suite.py needs (2 LUNs x 2 paths, a multipath map per LUN), checked; then
# multipathd stopped (its path checker's TEST UNIT READYs would consume unit attentions at random
# times, and the suite compares unit attentions too) and whatever it left pending consumed, so that
# both LUNs start alike.
check_suite_lab() {
    local lab_ok=1 v d
    say "devices:"; cat /share/devices.txt
    wwid() { cat "/sys/block/${1#/dev/}/device/wwid" 2>/dev/null; }
    for v in LAB_LUN0_PATH0 LAB_LUN0_PATH1 LAB_LUN1_PATH0 LAB_LUN1_PATH1; do
        [ -b "${!v:-/nonexistent}" ] || { fail "lab: $v is a block device" "${!v:-unset}"; lab_ok=0; }
    done
    if [ "$lab_ok" = 1 ]; then
        check "lab: LUN 0's two paths have one WWID ($(wwid "$LAB_LUN0_PATH0"))" \
            test "$(wwid "$LAB_LUN0_PATH0")" = "$(wwid "$LAB_LUN0_PATH1")"
        check "lab: LUN 1's two paths have one WWID ($(wwid "$LAB_LUN1_PATH0"))" \
            test "$(wwid "$LAB_LUN1_PATH0")" = "$(wwid "$LAB_LUN1_PATH1")"
        check "lab: the two LUNs have different WWIDs" \
            test "$(wwid "$LAB_LUN0_PATH0")" != "$(wwid "$LAB_LUN1_PATH0")"
    fi
    check "lab: a dm-multipath map for LUN 0 (\$LAB_MPATH=${LAB_MPATH:-unset})" test -b "${LAB_MPATH:-/nonexistent}"
    check "lab: a dm-multipath map for LUN 1 (\$LAB_LUN1_MPATH=${LAB_LUN1_MPATH:-unset})" test -b "${LAB_LUN1_MPATH:-/nonexistent}"
    multipath -ll 2>&1
    if pidof multipathd >/dev/null; then
        multipathd shutdown >/dev/null 2>&1 || kill -TERM $(pidof multipathd)
        wait_until 30 "multipathd to exit" sh -c '! pidof multipathd >/dev/null' \
            || kill -KILL $(pidof multipathd) 2>/dev/null
    fi
    for d in $LAB_LUN0_PATH0 $LAB_LUN0_PATH1 $LAB_LUN1_PATH0 $LAB_LUN1_PATH1; do
        for _ in 1 2 3 4 5; do sg_turs "$d" >/dev/null 2>&1 && break; done
    done
}
