# Shell functions shared by bench/run.sh and bench/soak.sh (sourced, not run).

# wait_socket PATH PID: returns once PATH is a socket; exits if PID ends first or after 60 s.
wait_socket() {
    local i=0
    while [ ! -S "$1" ]; do
        kill -0 "$2" 2>/dev/null || { echo "process $2 exited before $1 appeared" >&2; exit 1; }
        i=$((i + 1))
        [ $i -lt 60000 ] || { echo "no socket $1 after 60 s" >&2; exit 1; }
        sleep 0.001
    done
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
}

# machine_header COMMAND: what a result depends on, as Markdown lines.
machine_header() {
    echo "machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(free -g | awk '/^Mem/ { print $2 }') GiB, kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "ours: $("$ASSEMBLY/bin/qemu-pr-helper" -V | head -n 1), $(java -version 2>&1 | head -n 1)"
    echo "command: $1"
}
