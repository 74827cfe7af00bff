#!/bin/bash
# san.sh - guest side of e2e boot 4 and of e2e/san-bench.sh: the SAN-latency benchmark (issue 16).
# Sets up the SAN lab (san-lab.sh: LIO LUNs over iSCSI on lo, two initiator names, a multipath map
# per LUN, netem delay) and checks it; then, for each delay, command and device set, at each
# connection count, the same closed loop three ways, connection i on LUN i % 8:
#   direct  bench/sgio-direct.c: SG_IO issued by the client itself (the device's own latency)
#   ref     Debian's qemu-pr-helper on /tmp/ref.sock, driven by bench/prbench.c
#   ours    our agent (default policy) on /tmp/ours.sock, driven by bench/prbench.c
# then the slow-LUN case: the others' figures with and without SAN_SLOW_CONNS connections busy on a
# LUN whose packets take SAN_SLOW_MS more each way. Raw lines: /share/san-bench.txt; the table:
# /share/san-results.md (guest/san_report.py). A run with an error (or, direct, a stuck thread)
# fails its check; the figures themselves never do.
#
# Environment (e2e/san-bench.sh and e2e/run.sh set them): SAN_SECONDS (5) per run, SAN_DELAYS
# ("2 10", ms one way), SAN_CONNS ("1 8 32 128"), SAN_COMMANDS ("readkeys regignore"), SAN_DEVSETS
# ("plain mpath"), SAN_SLOW_MS (750; 0 = no slow-LUN case), SAN_SLOW_CONNS (8), SAN_SLOW_BASE (32,
# the connections on the other LUNs), E2E_PRBENCH, E2E_SGIO_DIRECT, E2E_ASSEMBLY, E2E_HOME.
set -u
. "$E2E_HOME/guest/common.sh"
: > "$CHECKS"
. "$E2E_HOME/guest/san-lab.sh"
SAN_SECONDS=${SAN_SECONDS:-5}
SAN_DELAYS=${SAN_DELAYS:-2 10}
SAN_CONNS=${SAN_CONNS:-1 8 32 128}
SAN_COMMANDS=${SAN_COMMANDS:-readkeys regignore}
SAN_DEVSETS=${SAN_DEVSETS:-plain mpath}
SAN_SLOW_MS=${SAN_SLOW_MS:-750}
SAN_SLOW_CONNS=${SAN_SLOW_CONNS:-8}
SAN_SLOW_BASE=${SAN_SLOW_BASE:-32}
REF_SOCK=/tmp/ref.sock OURS_SOCK=/tmp/ours.sock
RAW=/share/san-bench.txt
: > "$RAW"
for tool in "${E2E_PRBENCH:-}" "${E2E_SGIO_DIRECT:-}"; do
    [ -x "$tool" ] || { fail "SAN bench: the clients built on the host" "'$tool' is not executable"; exit 1; }
done

# Our agent takes 20-50 s to serve its socket under TCG: start it first, so that it comes up while
# the lab is being set up.
rm -f "$OURS_SOCK"
OURS_T0=$(now_ms)
PRHELPER_DATA=/tmp/prhelper-data "$E2E_ASSEMBLY/bin/qemu-pr-helper" -k "$OURS_SOCK" >> /share/ours.log 2>&1 &
OURS_PID=$!

t0=$(now_ms)
if ! san_lab_setup; then
    fail "SAN lab: set up (san-lab.sh)" "see output.log"
    kill "$OURS_PID" 2>/dev/null; exit 1
fi
pass "SAN lab: set up in $(( ($(now_ms) - t0) / 1000 )) s ($SAN_LUNS LUNs + 1 slow, 2 iSCSI paths each)"
san_lab_check

rm -f "$REF_SOCK"
qemu-pr-helper -k "$REF_SOCK" > /share/reference.log 2>&1 &
REF_PID=$!
wait_until 30 "Debian's qemu-pr-helper to accept on $REF_SOCK" test -S "$REF_SOCK" \
    || { fail "reference: qemu-pr-helper accepts" "no socket"; kill "$OURS_PID"; exit 1; }
if ! await_serving "$AGENT_START_TIMEOUT" "our agent (pid $OURS_PID) to serve $OURS_SOCK" "$OURS_SOCK" "$OURS_PID"; then
    fail "ours: the agent accepts on $OURS_SOCK" "timed out or exited (see ours.log)"
    cp /tmp/prhelper-data/log/karaf.log /share/karaf.log 2>/dev/null
    kill "$REF_PID" "$OURS_PID" 2>/dev/null; exit 1
fi
pass "ours: the agent accepts on $OURS_SOCK ($(( ($(now_ms) - OURS_T0) / 1000 )) s after its start)"

devs() { # devs plain|mpath|slow: the device list of a set
    local j
    case $1 in
        plain) for j in $(seq 0 $((SAN_LUNS - 1))); do eval echo "\$SAN_LUN${j}_PATH0"; done ;;
        mpath) for j in $(seq 0 $((SAN_LUNS - 1))); do eval echo "\$SAN_LUN${j}_MPATH"; done ;;
        slow) echo "$SAN_SLOW_PATH0" ;;
    esac
}
# one SIDE CMD SET CONNS SECONDS: one closed-loop run; prints its result line
one() {
    local side=$1 cmd=$2 set=$3 n=$4 secs=$5 list
    list=$(devs "$set" | tr '\n' ' ')
    case $side in
        direct) timeout $((secs + 90)) "$E2E_SGIO_DIRECT" -w 60 -c "$cmd" -k "$SAN_KEY" "$n" "$secs" $list 2>>/share/direct-errors.log ;;
        ref)  timeout $((secs + 90)) "$E2E_PRBENCH" -g -c "$cmd" -k "$SAN_KEY" "$REF_SOCK" "$(echo $list | tr ' ' ,)" "$n" "$secs" ;;
        ours) timeout $((secs + 90)) "$E2E_PRBENCH" -g -c "$cmd" -k "$SAN_KEY" "$OURS_SOCK" "$(echo $list | tr ' ' ,)" "$n" "$secs" ;;
    esac | tail -n 1
}
# cpu_ticks PID [FIELD]: the process's user + system CPU time so far (FIELD 15: system only), in clock ticks
cpu_ticks() { awk -v f="${2:-0}" '{ print f ? $f : $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# measured SIDE CMD SET CONNS SECONDS: one run, its line with the helper's CPU per request appended
# (cpu_us_per_req: what the daemon itself spent, user + system, for the requests of this run;
# sys_us_per_req: the system part, which includes the network and SCSI work the kernel charges to it)
measured() {
    local side=$1 pid= before sys_before line
    case $side in ref) pid=$REF_PID ;; ours) pid=$OURS_PID ;; esac
    [ -n "$pid" ] && before=$(cpu_ticks "$pid") && sys_before=$(cpu_ticks "$pid" 15)
    line=$(one "$@")
    if [ -n "$pid" ]; then
        line="$line $(echo "$line" | awk -v t=$(( $(cpu_ticks "$pid") - before )) \
            -v s=$(( $(cpu_ticks "$pid" 15) - sys_before )) -v hz="$(getconf CLK_TCK)" '{
            for (i = 1; i <= NF; i++) if ($i ~ /^requests=/) { split($i, kv, "="); r = kv[2] }
            if (r > 0) printf "cpu_us_per_req=%.0f sys_us_per_req=%.0f", t / hz * 1e6 / r, s / hz * 1e6 / r }')"
    fi
    echo "$line"
}
# record TAGS SIDE LINE: keeps the line and checks it (0 errors, no stuck thread, some requests)
record() {
    local tags=$1 side=$2 line=$3
    echo "$tags side=$side $line" >> "$RAW"
    case "$line" in
        *" errors=0 "*stuck=*|"") fail "SAN bench: $side, $tags: 0 errors" "${line:-no result line}" ;;
        *" errors=0 "*) pass "SAN bench: $side, $tags: 0 errors ($line)" ;;
        *) fail "SAN bench: $side, $tags: 0 errors" "$line" ;;
    esac
}

# Warm-up (not recorded): each path's first commands, and the JIT of our agent's request paths
# (C1 compiles a method after some hundred calls, and a TCG guest compiles slowly): every command
# on plain paths and on maps, as the runs below will use them.
waiting "SAN bench: warm-up"
for side in direct ref; do one $side readkeys plain 8 3 > /dev/null; done
for cmd in $SAN_COMMANDS; do
    for set in $SAN_DEVSETS; do one ours "$cmd" "$set" 8 3 > /dev/null; done
done

for delay in $SAN_DELAYS; do
    san_delay "$delay" || fail "SAN lab: netem delay set to $delay ms" "tc failed"
    for cmd in $SAN_COMMANDS; do
        for set in $SAN_DEVSETS; do
            for n in $SAN_CONNS; do
                for side in direct ref ours; do
                    waiting "SAN bench: $side, delay $delay ms, $cmd, $set, $n connection(s), ${SAN_SECONDS} s"
                    record "delay=$delay cmd=$cmd set=$set" $side "$(measured $side "$cmd" "$set" "$n" "$SAN_SECONDS")"
                done
            done
        done
    done
done

# The slow LUN: the figures of SAN_SLOW_BASE connections on the 8 LUNs (READ KEYS, plain paths, the
# first delay) without, then with SAN_SLOW_CONNS connections of the same client kind busy on the
# slow LUN (its own target on 127.0.0.2, whose packets netem delays SAN_SLOW_MS more).
if [ "$SAN_SLOW_MS" != 0 ]; then
    delay=${SAN_DELAYS%% *}
    san_delay "$delay"
    for side in direct ref ours; do
        waiting "SAN bench: slow LUN, $side, without"
        record "delay=$delay cmd=readkeys set=plain slow=without" $side "$(one $side readkeys plain "$SAN_SLOW_BASE" "$SAN_SECONDS")"
        san_slow $((delay + SAN_SLOW_MS))
        sg_turs "$SAN_SLOW_PATH0" >/dev/null 2>&1     # the first command after the change is slower still
        t=$(now_ms); sg_persist --in -k "$SAN_SLOW_PATH0" >/dev/null 2>&1
        say "slow LUN: one READ KEYS with sg_persist took $(( $(now_ms) - t )) ms"
        waiting "SAN bench: slow LUN, $side, with $SAN_SLOW_CONNS connection(s) on the slow LUN"
        one $side readkeys slow "$SAN_SLOW_CONNS" $((SAN_SECONDS + 6)) > /tmp/slow-bg.txt &
        bg=$!
        sleep 3
        record "delay=$delay cmd=readkeys set=plain slow=with" $side "$(one $side readkeys plain "$SAN_SLOW_BASE" "$SAN_SECONDS")"
        wait "$bg"
        record "delay=$delay cmd=readkeys set=slow slow=load" $side "$(cat /tmp/slow-bg.txt)"
        san_slow "$delay"
    done
fi

waiting "SAN bench: stopping the helpers"
stop_pid "$OURS_PID" "our agent" 60
check "ours: exit status 0 after SIGTERM (was $STOP_RC)" test "$STOP_RC" = 0
kill -TERM "$REF_PID" 2>/dev/null
cp /tmp/prhelper-data/log/karaf.log /share/karaf.log 2>/dev/null
tc qdisc del dev lo root 2>/dev/null

if python3 "$E2E_HOME/guest/san_report.py" "$RAW" "$SAN_SECONDS" > /share/san-results.md; then
    rows=$(grep -c '^| [0-9]' /share/san-results.md)
    check "SAN bench: results reported (/share/san-results.md, $rows rows)" test "$rows" -gt 0
    cat /share/san-results.md
else
    fail "SAN bench: results reported" "san_report.py failed"
fi
exit 0
