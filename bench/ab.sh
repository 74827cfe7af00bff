#!/bin/bash
# A/B of two builds of the agent, with Debian's qemu-pr-helper, in one session: the three daemons
# run side by side and prbench drives them in turn (A, B, reference) at each connection count, for
# ROUNDS rounds, so that a machine's drift between runs falls on all three alike.
#
#   bench/ab.sh ASSEMBLY_A ASSEMBLY_B [SECONDS [ROUNDS [CONNECTIONS...]]]   defaults: 3 s, 2 rounds, 1 16 128 1024
#
# ASSEMBLY_* are built distributions (karaf-assembly/target/assembly of two checkouts; copy one away
# before rebuilding). Load: PR IN READ KEYS with an fd of /dev/null (daemon overhead only). Prints one
# line per run: round, daemon (a, b, ref), CPU ms per 1,000 requests, and prbench's line.
set -eu
[ $# -ge 2 ] || { sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
A=$(cd "$1" && pwd) B=$(cd "$2" && pwd)
secs=${3:-3} rounds=${4:-2} args="$*"
shift 2; [ $# -gt 0 ] && shift; [ $# -gt 0 ] && shift
conns=${*:-1 16 128 1024}
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
start_work prbench-ab
TICKS=$(getconf CLK_TCK)
PRHELPER_DATA=$work/data-a "$A/bin/qemu-pr-helper" -q -k "$work/a.sock" >/dev/null 2>&1 & PA=$!; pids+=("$PA")
PRHELPER_DATA=$work/data-b "$B/bin/qemu-pr-helper" -q -k "$work/b.sock" >/dev/null 2>&1 & PB=$!; pids+=("$PB")
qemu-pr-helper -k "$work/ref.sock" >/dev/null 2>&1 & PR=$!; pids+=("$PR")
wait_socket "$work/a.sock" "$PA"; wait_socket "$work/b.sock" "$PB"; wait_socket "$work/ref.sock" "$PR"
echo "# bench/ab.sh, $(date -u '+%Y-%m-%d %H:%M UTC'); a = $A, b = $B"
echo "reference: $(qemu-pr-helper -V | head -n 1)"
ASSEMBLY=$B machine_header "bench/ab.sh $args"
# Warm-up: the JIT compiles both agents' request paths.
"$work/prbench" "$work/a.sock" /dev/null 4 3 >/dev/null
"$work/prbench" "$work/b.sock" /dev/null 4 3 >/dev/null
for round in $(seq "$rounds"); do
    for c in $conns; do
        for who in a b ref; do
            case $who in a) pid=$PA ;; b) pid=$PB ;; ref) pid=$PR ;; esac
            before=$(cpu_ticks "$pid")
            line=$("$work/prbench" "$work/$who.sock" /dev/null "$c" "$secs" || true)
            after=$(cpu_ticks "$pid")
            echo "$round $who $(echo "$line" | awk -v t=$((after - before)) -v hz="$TICKS" '{
                for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                printf "cpu_ms_per_1k=%.1f", (v["requests"] > 0 ? t / hz * 1e6 / v["requests"] : 0) }') $line"
        done
    done
done
