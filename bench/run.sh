#!/bin/sh
# Runs prbench against Debian's qemu-pr-helper and against our agent in the same invocation, on fds
# of /dev/null (SG_IO fails fast, so this measures the daemons' own overhead).
#   bench/run.sh [SECONDS] [CONNECTIONS...]      defaults: 5 s; 1 16 128
# Needs: gcc, qemu-pr-helper (Debian qemu-system-common), a built distribution (mvn install).
set -eu
cd "$(dirname "$0")/.."
secs=${1:-5}
[ $# -gt 0 ] && shift
conns=${*:-1 16 128}
work=$(mktemp -d /tmp/prbench.XXXXXX)
trap 'kill $ref $ours 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
gcc -O2 -pthread -o "$work/prbench" bench/prbench.c

wait_socket() {
    i=0
    while [ ! -S "$1" ]; do
        i=$((i + 1))
        [ $i -lt 3000 ] || { echo "no socket $1" >&2; exit 1; }
        sleep 0.01
    done
}

qemu-pr-helper -k "$work/ref.sock" & ref=$!
PRHELPER_DATA=$work/data karaf-assembly/target/assembly/bin/qemu-pr-helper -q -k "$work/ours.sock" & ours=$!
wait_socket "$work/ref.sock"
wait_socket "$work/ours.sock"
# Warm-up: the JIT compiles the request path.
"$work/prbench" "$work/ours.sock" /dev/null 4 3 >/dev/null

echo "machine: $(nproc) cores, $(uname -r); $(qemu-pr-helper -V | head -n 1); java $(java -version 2>&1 | head -n 1)"
for c in $conns; do
    for who in ref ours; do
        printf '%-5s ' "$who"
        "$work/prbench" "$work/$who.sock" /dev/null "$c" "$secs"
    done
done
echo "rss_kb ref=$(ps -o rss= -p $ref) ours=$(ps -o rss= -p $ours)"
