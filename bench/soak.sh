#!/bin/bash
# Soak: CONNECTIONS connections in a closed loop against our agent for MINUTES, with a row of
# figures per interval, and the agent's open descriptors and RSS before, during and after.
#
#   bench/soak.sh [MINUTES] [CONNECTIONS] [INTERVAL_SECONDS]      defaults: 10 1024 60
#
# Each connection sends PR IN READ KEYS with a descriptor of /dev/null (SG_IO fails at once), so
# the figures are the agent's own. A failed request counts as an error and the connection is
# opened again. Exits non-zero on errors, if the agent dies, or if its descriptor count does not
# return to the warm-up's (+5) within 10 s of the load's end.
# SOAK_DAEMON=reference runs the same soak against Debian's qemu-pr-helper, for comparison.
# SOAK_MEMORY_MB=128 runs the daemon in a cgroup of its own with that memory limit (as systemd's
# MemoryMax=128M or a container's limit would), reports the cgroup's peak and its OOM kills, and
# fails on any OOM kill.
# Needs: gcc, a built distribution (mvn install), qemu-pr-helper for the comparison.
set -eu
cd "$(dirname "$0")/.."
mins=${1:-10}
conns=${2:-1024}
every=${3:-60}
ASSEMBLY=${PRHELPER_ASSEMBLY:-karaf-assembly/target/assembly}
# shellcheck source=bench/lib.sh
. bench/lib.sh
start_work prsoak
[ -z "${SOAK_MEMORY_MB:-}" ] || memory_cgroup "$SOAK_MEMORY_MB"

case ${SOAK_DAEMON:-ours} in
    ours) PRHELPER_DATA=$work/data "${in_cgroup[@]}" "$ASSEMBLY/bin/qemu-pr-helper" -q -k "$work/daemon.sock" >"$work/agent.log" 2>&1 & ;;
    reference) "${in_cgroup[@]}" qemu-pr-helper -k "$work/daemon.sock" >"$work/agent.log" 2>&1 & ;;
    *) echo "SOAK_DAEMON is ours or reference, not ${SOAK_DAEMON}" >&2; exit 2 ;;
esac
PID=$!
pids+=("$PID")
wait_socket "$work/daemon.sock" "$PID"
# Warm-up: the JIT compiles the request path, pools and log files open.
"$work/prbench" "$work/daemon.sock" /dev/null 4 5 >/dev/null
sleep 2
fds_start=$(fd_count "$PID")
rss_start=$(rss_kb "$PID")

echo "# prhelper soak, $(date -u '+%Y-%m-%d %H:%M UTC'), daemon: ${SOAK_DAEMON:-ours}"
[ "${SOAK_DAEMON:-ours}" = ours ] || echo "reference: $(qemu-pr-helper -V | head -n 1)"
machine_header "bench/soak.sh $mins $conns $every"
[ -z "$cgroup" ] || echo "memory limit: ${SOAK_MEMORY_MB} MB (cgroup $cgroup); the launcher gave the JVM $(tr '\0' ' ' <"/proc/$PID/cmdline" | grep -o -- '-Xmx[0-9]*[mMgG]' | tail -n 1)"
echo
echo "| t s | ops/s | p50 us | p99 us | p999 us | max us | errors | agent fds | agent RSS MB |"
echo "|---|---|---|---|---|---|---|---|---|"
# A row as each interval ends, so a long soak shows its progress (read by the shell: Debian's awk,
# mawk, reads a pipe in blocks and would print the rows only at the end).
"$work/prbench" "$work/daemon.sock" /dev/null "$conns" $((mins * 60)) "$every" "$PID" | tee "$work/out" | while read -r kind fields; do
    [ "$kind" = interval ] || continue
    declare -A v=()
    for kv in $fields; do v[${kv%%=*}]=${kv#*=}; done
    echo "| ${v[t_s]} | ${v[ops/s]} | ${v[p50_us]} | ${v[p99_us]} | ${v[p999_us]} | ${v[max_us]} | ${v[errors]} | ${v[server_fds]} | $((v[server_rss_kb] / 1024)) |"
done
status=${PIPESTATUS[0]}
echo
echo "whole run: $(grep -v '^interval' "$work/out")"
alive=yes
kill -0 "$PID" 2>/dev/null || { alive=no; status=1; }
fds_end=-1
for _ in $(seq 100); do
    [ "$alive" = yes ] || break
    fds_end=$(fd_count "$PID")
    [ "$fds_end" -gt $((fds_start + 5)) ] || break
    sleep 0.1
done
[ "$fds_end" -le $((fds_start + 5)) ] || status=1
echo
echo "| agent | after warm-up | after the load (connections closed) |"
echo "|---|---|---|"
echo "| open descriptors | $fds_start | $fds_end |"
echo "| RSS MB | $(awk -v k="$rss_start" 'BEGIN { printf "%.1f", k / 1024 }') | $([ "$alive" = yes ] && awk -v k="$(rss_kb "$PID")" 'BEGIN { printf "%.1f", k / 1024 }' || echo "dead") |"
echo "| alive | yes | $alive |"
if [ -n "$cgroup" ]; then
    kills=$(cgroup_oom_kills)
    echo "| cgroup OOM kills | | $kills |"
    echo "| cgroup peak MB (limit ${SOAK_MEMORY_MB}) | | $(cgroup_peak_mb) |"
    [ "$kills" = 0 ] || status=1
fi
exit "$status"
