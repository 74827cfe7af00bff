# Shell functions shared by bench/run.sh and bench/soak.sh (sourced, not run).

# wait_socket PATH PID: returns once a helper answers the handshake on PATH (not just once the file
# exists: our launcher binds it before the JVM starts); exits if PID ends first or after 60 s.
wait_socket() {
    "$(dirname "${BASH_SOURCE[0]}")/await-serving" "$1" 60 "$2" \
        || { echo "no helper answered on $1 within 60 s (or process $2 exited)" >&2; exit 1; }
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l; }

# start_work NAME: a scratch folder $work holding a freshly compiled $work/prbench; on exit the
# processes listed in pids are killed and the folder removed.
pids=()
start_work() {
    work=$(mktemp -d "/tmp/$1.XXXXXX")
    trap cleanup EXIT
    ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
    gcc -O2 -pthread -o "$work/prbench" "$(dirname "${BASH_SOURCE[0]}")/prbench.c"
}
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
    [ -z "$cgroup" ] || rmdir "$cgroup" 2>/dev/null || true
}

# machine_header COMMAND: what a result depends on, as Markdown lines.
machine_header() {
    echo "machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(free -g | awk '/^Mem/ { print $2 }') GiB, kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "ours: $("$ASSEMBLY/bin/qemu-pr-helper" -V | head -n 1), $(java -version 2>&1 | head -n 1)"
    echo "command: $1"
}

# memory_cgroup MB: a new cgroup below this shell's with a memory limit of MB (cgroup v2's
# memory.max, or v1's memory.limit_in_bytes), as systemd's MemoryMax= or a container's limit would
# set it; sets $cgroup and in_cgroup. Removed on exit.
cgroup=
memory_cgroup() {
    local own
    if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
        own=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
        own=${own%/}
        # v2 enables the memory controller for children in the parent's subtree_control.
        grep -qw memory "$own/cgroup.subtree_control" || echo +memory >"$own/cgroup.subtree_control" || {
            echo "cannot enable the memory controller below $own (cgroup v2 allows it only in a cgroup without processes)" >&2
            exit 1
        }
        cgroup=$own/prbench-$$
        mkdir "$cgroup"
        echo "$(($1 * 1048576))" >"$cgroup/memory.max"
        echo 0 >"$cgroup/memory.swap.max" 2>/dev/null || true
    else
        own=/sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:\([^:]*,\)\{0,1\}memory\(,[^:]*\)\{0,1\}://p' /proc/self/cgroup)
        own=${own%/}
        cgroup=$own/prbench-$$
        mkdir "$cgroup"
        echo "$(($1 * 1048576))" >"$cgroup/memory.limit_in_bytes"
        echo 0 >"$cgroup/memory.swappiness" 2>/dev/null || true
    fi
    # shellcheck disable=SC2016 # $$ and $@ are the inner shell's
    in_cgroup=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cgroup")
}
# in_cgroup: the words that run a command in $cgroup under the same pid ("${in_cgroup[@]}" CMD...).
in_cgroup=()
# cgroup_oom_kills, cgroup_peak_mb: what the kernel counted in $cgroup.
cgroup_oom_kills() {
    if [ -f "$cgroup/memory.events" ]; then
        awk '$1 == "oom_kill" { print $2 }' "$cgroup/memory.events"
    else
        awk '$1 == "oom_kill" { k = $2 } END { print k + 0 }' "$cgroup/memory.oom_control"
    fi
}
cgroup_peak_mb() {
    local f=$cgroup/memory.peak
    [ -f "$f" ] || f=$cgroup/memory.max_usage_in_bytes
    [ -f "$f" ] && echo $(($(cat "$f") / 1048576)) || echo "n/a"
}
