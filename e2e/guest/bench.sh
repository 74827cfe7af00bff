# bench.sh - sourced by suite.sh (boot 1) once the suite is done: issue 8's real-device benchmark.
# prbench (bench/prbench.c, built on the host: the guest has no compiler) sends PR IN READ KEYS in a
# closed loop through each helper to its own LUN's path 0 (the reference LUN 0, ours LUN 1: the same
# LIO ramdisk), with 1 and 16 connections, after a warm-up. One line per run goes to
# /share/bench.txt for the results page; a run with an error fails its check.
BENCH_SECONDS=${BENCH_SECONDS:-10}
: > /share/bench.txt
if [ -x "${E2E_PRBENCH:-/nonexistent}" ]; then
    for conns in 1 16; do
        for side in reference ours; do
            if [ "$side" = reference ]; then sock=$REF_SOCK dev=$LAB_LUN0_PATH0; else sock=$OURS_SOCK dev=$LAB_LUN1_PATH0; fi
            waiting "bench: $side, $conns connection(s), ${BENCH_SECONDS} s"
            "$E2E_PRBENCH" "$sock" "$dev" "$conns" 3 > /dev/null 2>&1
            line=$("$E2E_PRBENCH" "$sock" "$dev" "$conns" "$BENCH_SECONDS" 2>&1 | tail -n 1)
            echo "$side $line" >> /share/bench.txt
            case "$line" in
                *" errors=0 "*) pass "bench: $side, $conns connection(s), READ KEYS on $dev through SG_IO: $line" ;;
                *) fail "bench: $side, $conns connection(s), READ KEYS on $dev through SG_IO without an error" "$line" ;;
            esac
        done
    done
else
    fail "bench: prbench built on the host" "E2E_PRBENCH=${E2E_PRBENCH:-unset} is not executable"
fi
