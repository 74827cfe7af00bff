#!/bin/bash
# Benchmarks our agent against Debian's qemu-pr-helper in one invocation and prints a table.
#
#   bench/run.sh [SECONDS] [CONNECTIONS...]      defaults: 5 s; 1 16 128 1024
#
# 1. daemon overhead: prbench (a C closed-loop client: N connections, each sending PR IN READ KEYS
#    with an fd of /dev/null attached, where SG_IO fails fast) against both daemons, the same
#    connection counts in turn; per run: ops/s, latency p50/p99/p999/max, daemon CPU seconds per
#    1,000 requests (utime+stime from /proc/PID/stat), daemon RSS after the run;
# 2. footprint: RSS of one socket at rest, of one agent serving 50 sockets against 50
#    qemu-pr-helper processes at rest and after 128 connections, and where ours goes (NMT);
# 3. cold start to socket-ready: qemu-pr-helper, and our agent with a fresh data folder (empty
#    bundle cache) and with a warm one;
# 4. a soak of 1,024 connections under a 128 MB memory limit (bench/soak.sh), SOAK_MINUTES long
#    (default 1; the footprint goal is 10), unless SOAK_MINUTES=0;
# 5. the footprint goals against this run.
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
declare -A ops=() cpu=()
echo "## Daemon overhead: PR IN READ KEYS on /dev/null, closed loop, ${secs} s per run"
echo "| conns | daemon | ops/s | p50 us | p99 us | p999 us | max us | errors | CPU s / 1k req | RSS MB |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for c in $conns; do
    for who in ref ours; do
        if [ "$who" = ref ]; then pid=$REF; else pid=$OURS; fi
        before=$(cpu_ticks "$pid")
        line=$("$work/prbench" "$work/$who.sock" /dev/null "$c" "$secs" || true)
        after=$(cpu_ticks "$pid")
        ops[$who$c]=$(echo "$line" | sed -n 's/.*ops\/s=\([0-9]*\).*/\1/p')
        cpu[$who$c]=$(echo "$line" | awk -v ticks=$((after - before)) -v hz="$TICKS" '{
            for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
            printf "%.4f", (v["requests"] > 0 ? (ticks / hz) / (v["requests"] / 1000) : 0) }')
        echo "$line" | awk -v who="$who" -v cpu="${cpu[$who$c]}" -v rss="$(rss_kb "$pid")" '{
            for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
            name = who == "ref" ? "qemu-pr-helper" : "ours"
            printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %.1f |\n", v["conns"], name, v["ops/s"],
                v["p50_us"], v["p99_us"], v["p999_us"], v["max_us"], v["errors"], cpu, rss / 1024 }'
    done
done
kill "$REF" "$OURS"; wait "$REF" "$OURS" 2>/dev/null || true
echo

# ------------------------------------------------------------------ 2. footprint
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
echo "## Footprint (RSS MB)"
# One socket, at rest: a fresh agent, 5 s after its socket appeared.
ours "$work/one.sock" "$work/one-data"; ONE=$PID
ref "$work/one-ref.sock"; ONE_REF=$PID
wait_socket "$work/one.sock" "$ONE"; wait_socket "$work/one-ref.sock" "$ONE_REF"
sleep 5
one_rss=$(rss_kb "$ONE"); one_ref_rss=$(rss_kb "$ONE_REF")
kill "$ONE" "$ONE_REF"; wait "$ONE" "$ONE_REF" 2>/dev/null || true
# 50 sockets: one agent against 50 qemu-pr-helper processes, at rest and after 128 connections
# (READ KEYS, 3 s) on the first socket.
mkdir -p "$work/assembly"
tar -C "$ASSEMBLY" --exclude=./data --exclude=./karaf.pid -cf - . | tar -C "$work/assembly" -xf -
for i in $(seq 2 50); do
    printf 'path = %s\n' "$work/many-$i.sock" > "$work/assembly/etc/org.prhelper.socket-vm$i.cfg"
done
ours "$work/many-1.sock" "$work/many-data" "$work/assembly"; MANY=$PID
refs=()
for i in $(seq 1 50); do
    ref "$work/ref-$i.sock"; refs+=("$PID")
done
for i in $(seq 1 50); do wait_socket "$work/many-$i.sock" "$MANY"; wait_socket "$work/ref-$i.sock" "${refs[$((i - 1))]}"; done
sleep 2
refs_rss() { local t=0 p; for p in "${refs[@]}"; do t=$((t + $(rss_kb "$p"))); done; echo "$t"; }
many_rest=$(rss_kb "$MANY"); refs_rest=$(refs_rss)
"$work/prbench" "$work/many-1.sock" /dev/null 128 3 >/dev/null
"$work/prbench" "$work/ref-1.sock" /dev/null 128 3 >/dev/null
sleep 1
many_load=$(rss_kb "$MANY"); refs_load=$(refs_rss)
echo "| | qemu-pr-helper | ours | ours : reference |"
echo "|---|---|---|---|"
echo "| one socket, at rest | $(mb "$one_ref_rss") | $(mb "$one_rss") | $(awk -v a="$one_rss" -v b="$one_ref_rss" 'BEGIN { printf "%.1f", a / b }') |"
echo "| 50 sockets (50 processes for the reference), at rest | $(mb "$refs_rest") | $(mb "$many_rest") | $(awk -v a="$many_rest" -v b="$refs_rest" 'BEGIN { printf "%.2f", a / b }') |"
echo "| 50 sockets, after 128 connections | $(mb "$refs_load") | $(mb "$many_load") | $(awk -v a="$many_load" -v b="$refs_load" 'BEGIN { printf "%.2f", a / b }') |"
kill "$MANY" "${refs[@]}"; wait "$MANY" "${refs[@]}" 2>/dev/null || true
echo

# Where ours goes: the JVM's native memory tracking (which costs a few MB of its own, so a run
# apart from the figures above), one socket after 128 connections.
echo "## Where our RSS goes (NMT, one socket, after 128 connections)"
PRHELPER_JAVA_OPTS="-XX:NativeMemoryTracking=summary ${PRHELPER_JAVA_OPTS:-}" ours "$work/nmt.sock" "$work/nmt-data"; NMT=$PID
wait_socket "$work/nmt.sock" "$NMT"
"$work/prbench" "$work/nmt.sock" /dev/null 128 3 >/dev/null
sleep 1
echo "RSS $(mb "$(rss_kb "$NMT")") MB, of which mapped files $(mb "$(awk '/^RssFile/ { print $2 }' "/proc/$NMT/status")") MB (libjvm, JDK modules, jars)"
echo
echo "| area | committed MB |"
echo "|---|---|"
jcmd "$NMT" VM.native_memory summary | awk '
    /^Total:/ { for (i = 1; i <= NF; i++) if ($i ~ /^committed=/) { sub("committed=", "", $i); sub("KB,?", "", $i); printf "| total (tracked by the JVM) | %.1f |\n", $i / 1024 } }
    /^-/ { name = $0; sub(/^- */, "", name); sub(/ *\(reserved.*/, "", name)
           if (match($0, /committed=[0-9]+KB/)) { v = substr($0, RSTART + 10, RLENGTH - 12) / 1024; if (v >= 0.5) printf "| %s | %.1f |\n", name, v } }'
kill "$NMT"; wait "$NMT" 2>/dev/null || true
echo

# ------------------------------------------------------------------ 4. memory-limited soak
soak_result="not run (SOAK_MINUTES=0)"
if [ "${SOAK_MINUTES:-1}" != 0 ]; then
    echo "## Soak under a 128 MB memory limit: 1,024 connections, ${SOAK_MINUTES:-1} min"
    if SOAK_MEMORY_MB=128 PRHELPER_ASSEMBLY=$ASSEMBLY bench/soak.sh "${SOAK_MINUTES:-1}" 1024 30 | sed 's/^# /### /' | tee "$work/soak.out"; then
        soak_result="passed, ${SOAK_MINUTES:-1} min"
    else
        soak_result="FAILED, ${SOAK_MINUTES:-1} min"
    fi
    soak_result="$soak_result; p99 $(sed -n 's/^whole run: .*p99_us=\([0-9]*\).*/\1/p' "$work/soak.out") us, $(sed -n 's/^| cgroup OOM kills | | \([0-9]*\) |/\1/p' "$work/soak.out") OOM kills, cgroup peak $(sed -n 's/^| cgroup peak MB (limit 128) | | \([0-9a-z/]*\) |/\1/p' "$work/soak.out") MB"
    echo
fi

# ------------------------------------------------------------------ 5. goals
goal() { # goal NAME TARGET MEASURED MET(0/1)
    echo "| $1 | $2 | $3 | $([ "$4" = 1 ] && echo yes || echo no) |"
}
le() { awk -v a="$1" -v b="$2" 'BEGIN { print ((a <= b) ? 1 : 0) }'; }
echo "## Footprint goals against this run"
echo "| goal | target | measured | met |"
echo "|---|---|---|---|"
goal "RSS, 50 sockets after 128 connections" "<= 96 MB" "$(mb "$many_load") MB ($(awk -v a="$many_load" -v b="$refs_load" 'BEGIN { printf "%.2f", a / b }')x of 50 qemu-pr-helper)" "$(le "$many_load" $((96 * 1024)))"
goal "RSS, one socket at rest" "<= 64 MB" "$(mb "$one_rss") MB" "$(le "$one_rss" $((64 * 1024)))"
goal "soak, 1,024 connections, 128 MB limit" "10 min, no OOM kill, 0 errors" "$soak_result" "$(case $soak_result in passed,\ 10\ min*) echo 1 ;; *) echo 0 ;; esac)"
goal "cold start to socket-ready" "<= 1000 ms" "$cold_ms ms" "$(le "$cold_ms" 1000)"
goal "warm start to socket-ready" "<= 800 ms" "$warm_ms ms" "$(le "$warm_ms" 800)"
for c in 1 16 128; do
    [ -n "${ops[ours$c]:-}" ] || continue
    goal "CPU per request, $c connections" "<= 0.8x" "${cpu[ours$c]} / ${cpu[ref$c]} s per 1k = $(awk -v a="${cpu[ours$c]}" -v b="${cpu[ref$c]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')x" "$(awk -v a="${cpu[ours$c]}" -v b="${cpu[ref$c]}" 'BEGIN { print ((a <= 0.8 * b) ? 1 : 0) }')"
    goal "ops/s, $c connections" ">= 1.0x" "${ops[ours$c]} / ${ops[ref$c]} = $(awk -v a="${ops[ours$c]}" -v b="${ops[ref$c]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')x" "$(awk -v a="${ops[ours$c]}" -v b="${ops[ref$c]}" 'BEGIN { print ((a >= b) ? 1 : 0) }')"
done
