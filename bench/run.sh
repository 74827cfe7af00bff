#!/bin/bash
# Benchmarks our agent against Debian's qemu-pr-helper in one invocation and prints a table.
#
#   bench/run.sh [SECONDS] [CONNECTIONS...]      defaults: 5 s; 1 16 128 1024
#
# 1. daemon overhead: prbench (a C closed-loop client: N connections, each sending PR IN READ KEYS
#    with an fd of /dev/null attached, where SG_IO fails fast) against both daemons, the same
#    connection counts in turn; per run: ops/s, latency p50/p99/p999/max, daemon CPU seconds per
#    1,000 requests (utime+stime from /proc/PID/stat), daemon RSS after the run;
# 2. footprint: one agent serving 50 sockets vs 50 qemu-pr-helper processes, RSS summed;
# 3. cold start to socket-ready: qemu-pr-helper, and our agent with a fresh data folder (empty
#    bundle cache) and with a warm one.
# Needs: gcc, qemu-pr-helper (Debian qemu-system-common), a built distribution (mvn install).
# The real-device numbers (LIO disk in the VM lab) come from e2e, not from here.
set -eu
cd "$(dirname "$0")/.."
secs=${1:-5}
[ $# -gt 0 ] && shift
conns=${*:-1 16 128 1024}
ASSEMBLY=${PRHELPER_ASSEMBLY:-karaf-assembly/target/assembly}
# shellcheck source=bench/lib.sh
. bench/lib.sh
start_work prbench
TICKS=$(getconf CLK_TCK)

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
ours() { # ours SOCKET DATA [ASSEMBLY]: starts our agent in the background, sets PID
    PRHELPER_DATA=$2 "${3:-$ASSEMBLY}/bin/qemu-pr-helper" -q -k "$1" >/dev/null 2>&1 &
    PID=$!
    pids+=("$PID")
}
ref() {
    qemu-pr-helper -k "$1" >/dev/null 2>&1 &
    PID=$!
    pids+=("$PID")
}

echo "# prhelper benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "reference: $(qemu-pr-helper -V | head -n 1)"
machine_header "bench/run.sh $secs $conns"
echo

# ------------------------------------------------------------------ 3. cold start (first: quiet machine)
echo "## Start to socket-ready (ms)"
t0=$(now_ms); ref "$work/start-ref.sock"; wait_socket "$work/start-ref.sock" "$PID"; ref_ms=$(( $(now_ms) - t0 ))
kill "$PID"
t0=$(now_ms); ours "$work/start-ours.sock" "$work/start-data"; wait_socket "$work/start-ours.sock" "$PID"
cold_ms=$(( $(now_ms) - t0 ))
kill "$PID"; wait "$PID" 2>/dev/null || true
t0=$(now_ms); ours "$work/start-ours.sock" "$work/start-data"; wait_socket "$work/start-ours.sock" "$PID"
warm_ms=$(( $(now_ms) - t0 ))
kill "$PID"; wait "$PID" 2>/dev/null || true
echo "| | qemu-pr-helper | ours, cold (empty bundle cache) | ours, warm |"
echo "|---|---|---|---|"
echo "| start to socket-ready | $ref_ms | $cold_ms | $warm_ms |"
echo

# ------------------------------------------------------------------ 1. daemon overhead
ref "$work/ref.sock"; REF=$PID
ours "$work/ours.sock" "$work/data"; OURS=$PID
wait_socket "$work/ref.sock" "$REF"
wait_socket "$work/ours.sock" "$OURS"
# Warm-up: the JIT compiles the request path.
"$work/prbench" "$work/ours.sock" /dev/null 4 3 >/dev/null
echo "## Daemon overhead: PR IN READ KEYS on /dev/null, closed loop, ${secs} s per run"
echo "| conns | daemon | ops/s | p50 us | p99 us | p999 us | max us | errors | CPU s / 1k req | RSS MB |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for c in $conns; do
    for who in ref ours; do
        if [ "$who" = ref ]; then pid=$REF; else pid=$OURS; fi
        before=$(cpu_ticks "$pid")
        line=$("$work/prbench" "$work/$who.sock" /dev/null "$c" "$secs" || true)
        after=$(cpu_ticks "$pid")
        echo "$line" | awk -v who="$who" -v ticks=$((after - before)) -v hz="$TICKS" -v rss="$(rss_kb "$pid")" '{
            for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
            name = who == "ref" ? "qemu-pr-helper" : "ours"
            cpu = v["requests"] > 0 ? (ticks / hz) / (v["requests"] / 1000) : 0
            printf "| %s | %s | %s | %s | %s | %s | %s | %s | %.4f | %.1f |\n", v["conns"], name, v["ops/s"],
                v["p50_us"], v["p99_us"], v["p999_us"], v["max_us"], v["errors"], cpu, rss / 1024 }'
    done
done
kill "$REF" "$OURS"; wait "$REF" "$OURS" 2>/dev/null || true
echo

# ------------------------------------------------------------------ 2. footprint, 50 sockets
echo "## Footprint: 50 sockets"
mkdir -p "$work/assembly"
tar -C "$ASSEMBLY" --exclude=./data --exclude=./karaf.pid -cf - . | tar -C "$work/assembly" -xf -
for i in $(seq 2 50); do
    printf 'path = %s\n' "$work/many-$i.sock" > "$work/assembly/etc/org.prhelper.socket-vm$i.cfg"
done
ours "$work/many-1.sock" "$work/many-data" "$work/assembly"; MANY=$PID
for i in $(seq 1 50); do wait_socket "$work/many-$i.sock" "$MANY"; done
sleep 2
ours_rss=$(rss_kb "$MANY")
ref_total=0
refs=()
for i in $(seq 1 50); do
    ref "$work/ref-$i.sock"; refs+=("$PID")
done
for i in $(seq 1 50); do wait_socket "$work/ref-$i.sock" "${refs[$((i - 1))]}"; done
sleep 1
for p in "${refs[@]}"; do ref_total=$((ref_total + $(rss_kb "$p"))); done
echo "| | RSS MB |"
echo "|---|---|"
echo "| 50 x qemu-pr-helper (sum) | $(awk -v k="$ref_total" 'BEGIN { printf "%.1f", k / 1024 }') |"
echo "| one agent, 50 sockets | $(awk -v k="$ours_rss" 'BEGIN { printf "%.1f", k / 1024 }') |"
echo "| ratio ours : reference | $(awk -v a="$ours_rss" -v b="$ref_total" 'BEGIN { printf "%.2f", a / b }') |"
