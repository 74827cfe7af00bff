#!/bin/bash
# boot.sh - boot the e2e lab guest and run a command (or a script) in it.
#
#   e2e/lab/boot.sh [options] 'sg_persist --in -k $LAB_PATH0'
#   e2e/lab/boot.sh [options] -f script.sh
#
# The guest boots Debian's kernel under QEMU/TCG with the host root mounted read-only over 9p and a
# tmpfs overlay, so every host binary is there. Before the command runs the guest has, for every
# LUN J (default 2) and path I (default 2):
#   $LAB_LUNJ_PATHI   SCSI disk of LIO ramdisk LUN J through tcm_loop path I (own I_T nexus)
#   $LAB_LUNJ_MPATH   dm-multipath map over LUN J's paths (unless -M)
#   $LAB_PATH0, $LAB_PATH1, $LAB_MPATH   the same for LUN 0 (the lab's classic names)
#   $LAB_DIR, $LAB_HOME (this folder)
# The command runs as root with bash in /share, a writable 9p share of a host folder; its output is
# streamed here and this script exits with the command's status. If the guest does not report a
# status (timeout, crash) it exits 125 and says what the guest was waiting for (/share/waiting); 126
# when the guest froze (-w).
#
# Options:
#   -f FILE       run FILE (a bash script) instead of a command string
#   -p N          paths per LUN (default 2)
#   -l N          LUNs (default 2)
#   -M            no multipath (udevd still runs)
#   -m MiB        guest memory (default 2048)
#   -s N          guest vCPUs (default 2)
#   -t SECONDS    timeout for the whole run (default 900)
#   -w SECONDS    freeze watchdog: stop the guest when its heartbeat (a file the guest rewrites every
#                 10 s) is older than this (default 300); exit status 126
#   -d            on a freeze, first dump where each vCPU is (freeze-dump.py: registers and kernel
#                 stack named with the guest's kallsyms) to the share's freeze-dump.txt and stderr
#   -k DIR        use this share directory and keep it (default: a new one under $LAB_DIR/runs,
#                 removed at exit unless -K)
#   -K            keep the share directory (path printed at the end)
#   -v            also show the guest serial console (kernel + setup log)
#   -q            do not print the setup/timing lines
# Environment: LAB_DIR (default /tmp/prhelper-e2e), QEMU (default qemu-system-x86_64),
#              LAB_QEMU_EXTRA (extra qemu arguments), LAB_APPEND (extra kernel command line),
#              LAB_ACCEL (default tcg,thread=multi: a host thread per vCPU; tcg,thread=single runs
#              them in turn on one).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
LAB_DIR=${LAB_DIR:-/tmp/prhelper-e2e}
QEMU=${QEMU:-qemu-system-x86_64}

PATHS=2 LUNS=2 MP=1 MEM=2048 SMP=2 TIMEOUT=900 FREEZE=300 SHARE="" KEEP=0 VERBOSE=0 QUIET=0 FILE="" DUMP=0
while getopts "f:p:l:Mm:s:t:w:dk:Kvqh" o; do
    case "$o" in
        f) FILE=$OPTARG ;; p) PATHS=$OPTARG ;; l) LUNS=$OPTARG ;; M) MP=0 ;;
        m) MEM=$OPTARG ;; s) SMP=$OPTARG ;; t) TIMEOUT=$OPTARG ;; w) FREEZE=$OPTARG ;; d) DUMP=1 ;;
        k) SHARE=$OPTARG; KEEP=1 ;; K) KEEP=1 ;; v) VERBOSE=1 ;; q) QUIET=1 ;;
        h|*) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [ -z "$FILE" ] && [ $# -eq 0 ]; then
    echo "usage: $0 [options] 'command' | -f script.sh   (-h for help)" >&2; exit 2
fi

# Build (or just check) kernel + initramfs.
LAB_DIR=$LAB_DIR "$HERE/build.sh" >/dev/null

mkdir -p "$LAB_DIR/runs"
[ -n "$SHARE" ] || SHARE=$(mktemp -d "$LAB_DIR/runs/run.XXXXXX")
mkdir -p "$SHARE"; SHARE=$(cd "$SHARE" && pwd)
rm -f "$SHARE"/{output.log,rc,setup.log,console.log,devices.txt,waiting,heartbeat,froze,freeze-dump.txt,kallsyms.gz}
# -d: the human monitor, for the freeze watchdog's register dump.
MONITOR=$(mktemp -u /tmp/prhelper-lab-monitor.XXXXXX)
DUMP_ARGS=()
[ "$DUMP" = 1 ] && DUMP_ARGS=(-monitor "unix:$MONITOR,server=on,wait=off")
if [ -n "$FILE" ]; then cp "$FILE" "$SHARE/cmd.sh"; else printf '%s\n' "$*" > "$SHARE/cmd.sh"; fi
: > "$SHARE/output.log"
echo "the guest to boot (kernel, initramfs, 9p root)" > "$SHARE/waiting"

TAILPID=""
cleanup() {
    [ -n "$TAILPID" ] && kill "$TAILPID" 2>/dev/null || true
    rm -f "$MONITOR"
    if [ "$KEEP" = 0 ]; then rm -rf "$SHARE"; fi
}
trap cleanup EXIT

say() { [ "$QUIET" = 1 ] || echo "[boot] $*" >&2; }

APPEND="console=ttyS0 quiet loglevel=3 panic=-1 lab.init=$HERE/guest-init.sh lab.dir=$LAB_DIR lab.paths=$PATHS lab.luns=$LUNS lab.mp=$MP lab.kallsyms=$DUMP${LAB_APPEND:+ $LAB_APPEND}"
if [ "$VERBOSE" = 1 ]; then SERIAL="-serial stdio"; APPEND=${APPEND/ quiet loglevel=3/}
else SERIAL="-serial file:$SHARE/console.log"; fi

# Stream the command's output while the guest runs (the share is 9p without caching in the guest,
# so its writes land in the host file at once).
tail -n +1 -f "$SHARE/output.log" &
TAILPID=$!

say "booting guest (TCG, ${SMP} vCPU, ${MEM} MiB, luns=$LUNS paths=$PATHS multipath=$MP, timeout ${TIMEOUT}s) share=$SHARE"
start=$(date +%s%N)
set +e
# -machine q35 with the default SeaBIOS; direct kernel boot.
# hostroot: the whole host filesystem, read-only; multidevs=remap keeps inode numbers unique across
# the host's several mounts (needed by overlayfs).
# shellcheck disable=SC2086
timeout --foreground "$TIMEOUT" "$QEMU" \
    -accel "${LAB_ACCEL:-tcg,thread=multi}" -machine q35 -smp "$SMP" -m "$MEM" \
    -nodefaults -no-user-config -display none -no-reboot $SERIAL \
    -kernel "$LAB_DIR/vmlinuz" -initrd "$LAB_DIR/initramfs.cpio.gz" -append "$APPEND" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs local,path="$SHARE",mount_tag=labshare,security_model=none \
    "${DUMP_ARGS[@]}" ${LAB_QEMU_EXTRA:-} &
qpid=$!
# The freeze watchdog: the heartbeat's age, once the guest has written one.
while kill -0 "$qpid" 2>/dev/null; do
    sleep 2
    if [ -f "$SHARE/heartbeat" ] && [ $(( $(date +%s) - $(stat -c %Y "$SHARE/heartbeat") )) -gt "$FREEZE" ]; then
        echo "no heartbeat for ${FREEZE}s, the last: $(cat "$SHARE/heartbeat")" > "$SHARE/froze"
        # Where each vCPU is, named with the guest's own kallsyms, before the guest goes.
        [ "$DUMP" = 1 ] && { python3 "$HERE/freeze-dump.py" "$MONITOR" "$SHARE/kallsyms.gz" > "$SHARE/freeze-dump.txt" 2>&1 || true; }
        kill -TERM "$qpid" 2>/dev/null
        break
    fi
done
wait "$qpid"
qrc=$?
set -e
end=$(date +%s%N)
sleep 0.2; kill "$TAILPID" 2>/dev/null || true; TAILPID=""
wall=$(( (end - start) / 1000000 ))
echo "$wall" > "$SHARE/wall-ms"

if [ "$QUIET" = 0 ] && [ -s "$SHARE/setup.log" ]; then
    sed 's/^/[guest] /' "$SHARE/setup.log" >&2
fi
say "guest wall time: $((wall / 1000)).$(printf %03d $((wall % 1000))) s (qemu rc=$qrc)"
[ "$KEEP" = 1 ] && say "share kept: $SHARE"
if [ -f "$SHARE/rc" ]; then
    exit "$(cat "$SHARE/rc")"
fi
if [ -f "$SHARE/froze" ]; then
    echo "[boot] FROZE: the guest stopped ($(cat "$SHARE/froze")); it was waiting for: $(cat "$SHARE/waiting" 2>/dev/null || echo '?')" >&2
    [ -s "$SHARE/freeze-dump.txt" ] && sed 's/^/[boot] freeze-dump: /' "$SHARE/freeze-dump.txt" >&2
    [ -f "$SHARE/console.log" ] && { echo "[boot] console tail:" >&2; tail -30 "$SHARE/console.log" >&2; }
    exit 126
fi
if [ "$qrc" = 124 ]; then
    echo "[boot] TIMEOUT: the guest did not finish within ${TIMEOUT}s; it was waiting for: $(cat "$SHARE/waiting" 2>/dev/null || echo '?')" >&2
else
    echo "[boot] the guest did not report a status (qemu rc=$qrc); it was waiting for: $(cat "$SHARE/waiting" 2>/dev/null || echo '?')" >&2
fi
[ -f "$SHARE/console.log" ] && { echo "[boot] console tail:" >&2; tail -30 "$SHARE/console.log" >&2; }
exit 125
