#!/bin/bash
# nested.sh - guest side of e2e boot 2: real QEMU as the client of OUR agent.
#
# Needs: E2E_HOME, E2E_ASSEMBLY and the lab's $LAB_PATH0 / $LAB_DIR.
#   1. starts our agent on /tmp/ours.sock;
#   2. boots a nested (L2) QEMU/TCG guest with -object pr-manager-helper (that socket) and
#      virtio-scsi + scsi-block on $LAB_PATH0; its serial port is a pair of FIFOs, so this script
#      reads the L2 console and can type into it;
#   3. phase 1 in L2: sg_persist registers 0xfeed and reserves (type 5) through QEMU -> our agent;
#      then L2 waits for a line on its console;
#   4. L1 checks the device with sg_persist --in -s (key, holder, initiator of path 0), kills our
#      agent (SIGKILL: a crash leaves its socket file behind) and starts it again on that path
#      while QEMU keeps running, then types "go";
#   5. phase 2 in L2: the very first PR command (REGISTER, changing the key to 0xbeef) must succeed
#      (QEMU reconnects on it), then READ RESERVATION; L1 checks the device again.
# Every wait is bounded and names what it waits for.
set -u
. "$E2E_HOME/guest/common.sh"
: > "$CHECKS"
SOCK=/tmp/ours.sock
DEV=$LAB_PATH0
L2_BOOT_TIMEOUT=${L2_BOOT_TIMEOUT:-900}     # nested TCG: ~110-200 s to reach the disk when idle
T=$(mktemp -d /tmp/l2.XXXXXX)
CON=$T/console.log
QEMU_PID="" CAT_PID=""

cleanup() {
    [ -n "$QEMU_PID" ] && kill -KILL "$QEMU_PID" 2>/dev/null
    [ -n "$CAT_PID" ] && kill "$CAT_PID" 2>/dev/null
    [ -n "${OURS_PID:-}" ] && kill -KILL "$OURS_PID" 2>/dev/null
    [ -f "$CON" ] && tr -d '\r' < "$CON" > /share/l2-console.log
    cp /tmp/prhelper-data/log/karaf.log /share/karaf.log 2>/dev/null
}
trap cleanup EXIT

echo "ours_version=$("$E2E_ASSEMBLY/bin/qemu-pr-helper" -V | head -1)" > /share/versions.txt
echo "guest_kernel=$(uname -r)" >> /share/versions.txt

if ! start_ours "$SOCK" /share/ours.log; then
    fail "nested: our agent accepts on $SOCK within ${AGENT_START_TIMEOUT}s" "timed out (see ours.log)"
    exit 1
fi
pass "nested: our agent accepts on $SOCK (after ${OURS_START_MS} ms)"

# ------------------------------------------------------------ L2 initramfs: base + /cmd.sh
mkdir -p "$T/extra"
cat > "$T/extra/cmd.sh" <<'EOF'
step() { name=$1; shift; "$@"; echo "L2-STEP $name rc=$?"; }
step read-keys sg_persist --in -k /dev/sda
step register sg_persist --out --register --param-sark=0xfeed /dev/sda
step reserve sg_persist --out --reserve --param-rk=0xfeed --prout-type=5 /dev/sda
step read-reservation sg_persist --in -r /dev/sda
echo "L2-WAITING-FOR-GO"
if read -t 900 line < /dev/console; then echo "L2: got '$line'"; else echo "L2: no go within 900 s"; fi
step after-restart-register sg_persist --out --register --param-rk=0xfeed --param-sark=0xbeef /dev/sda
step after-restart-read-reservation sg_persist --in -r /dev/sda
step after-restart-read-keys sg_persist --in -k /dev/sda
EOF
(cd "$T/extra" && echo cmd.sh | cpio --quiet -o -H newc | gzip -1) > "$T/extra.cpio.gz"
cat "$LAB_DIR/initramfs-l2.cpio.gz" "$T/extra.cpio.gz" > "$T/initrd.gz"

# ------------------------------------------------------------ L2
mkfifo "$T/serial.in" "$T/serial.out"
cat "$T/serial.out" > "$CON" &
CAT_PID=$!
l2_start=$(now_ms)
qemu-system-x86_64 -accel tcg -machine q35 -smp 1 -m 256 \
    -nodefaults -no-user-config -display none -no-reboot \
    -chardev pipe,id=ser0,path="$T/serial" -serial chardev:ser0 \
    -kernel "$LAB_DIR/vmlinuz" -initrd "$T/initrd.gz" \
    -append "console=ttyS0 quiet loglevel=3 panic=-1" \
    -object pr-manager-helper,id=helper0,path="$SOCK" \
    -device virtio-scsi-pci,id=scsi0 \
    -blockdev node-name=hd,driver=raw,file.driver=host_device,file.filename="$DEV",file.pr-manager=helper0 \
    -device scsi-block,bus=scsi0.0,drive=hd > /share/l2-qemu.log 2>&1 &
QEMU_PID=$!
say "nested QEMU pid $QEMU_PID started on $DEV through $SOCK"

console_has() { grep -q "$1" "$CON" 2>/dev/null || ! kill -0 "$QEMU_PID" 2>/dev/null; }
console_line() { tr -d '\r' < "$CON" | grep -q -F -x "$1"; }
absent() { ! grep -q "$1" <<< "$2"; }
l2_rc() { tr -d '\r' < "$CON" | sed -n "s/^L2-STEP $1 rc=//p" | tail -1; }

if ! wait_until "$L2_BOOT_TIMEOUT" "the nested guest to boot and finish phase 1 (register + reserve through our agent)" \
        console_has L2-WAITING-FOR-GO || ! grep -q L2-WAITING-FOR-GO "$CON"; then
    fail "nested: L2 boots and finishes phase 1" "no L2-WAITING-FOR-GO on the L2 console within ${L2_BOOT_TIMEOUT}s (QEMU $(kill -0 "$QEMU_PID" 2>/dev/null && echo running || echo exited); see l2-console.log, l2-qemu.log)"
    exit 1
fi
say "L2 reached phase 1's end after $(( ($(now_ms) - l2_start) / 1000 )) s"
for s in read-keys register reserve read-reservation; do
    rc=$(l2_rc "$s")
    check "nested: L2 sg_persist $s through QEMU and our agent (rc=${rc:-none})" test "${rc:-x}" = 0
done

# ------------------------------------------------------------ L1 view after phase 1
waiting "sg_persist --in -s $DEV in L1"
s_out=$(timeout 60 sg_persist --in -s "$DEV" 2>&1); echo "$s_out"
check "nested: L1 sees key 0xfeed" grep -q "Key=0xfeed" <<< "$s_out"
check "nested: L1 sees 0xfeed as reservation holder, type 5" \
    grep -Pzq 'Key=0xfeed\n(.*\n){0,3}.*<< Reservation holder >>\n.*type: Write Exclusive, registrants only' <<< "$s_out"
check "nested: the holder is path 0's initiator (SAS 0x5001405100000000)" \
    grep -Pzq 'Key=0xfeed\n(.*\n)*?.*SAS address: 0x5001405100000000' <<< "$s_out"

# ------------------------------------------------------------ crash our agent, QEMU stays up
kill -KILL "$OURS_PID"
wait_until 30 "our agent (pid $OURS_PID) to die of SIGKILL" not_running "$OURS_PID"
wait "$OURS_PID" 2>/dev/null
check "nested: QEMU is still running after our agent was killed (SIGKILL)" kill -0 "$QEMU_PID"
check "nested: the killed agent left its socket file behind" test -S "$SOCK"
if ! KEEP_STALE_SOCKET=1 start_ours "$SOCK" /share/ours.log; then
    fail "nested: our agent, restarted after SIGKILL, replaces the stale socket and accepts on $SOCK" \
        "timed out (see ours.log)"; exit 1
fi
pass "nested: our agent, restarted after SIGKILL, replaces the stale socket and accepts (after ${OURS_START_MS} ms)"

# ------------------------------------------------------------ phase 2
echo go > "$T/serial.in"
if ! wait_until 600 "the nested guest to finish phase 2 (first PR command after the agent restart) and power off" \
        console_has L2-END || ! grep -q L2-END "$CON"; then
    fail "nested: L2 finishes phase 2" "no L2-END on the L2 console within 600s (see l2-console.log)"
    exit 1
fi
wait_until 60 "the nested QEMU to exit after L2 powered off" not_running "$QEMU_PID" || kill -KILL "$QEMU_PID"
wait "$QEMU_PID"; qemu_rc=$?; QEMU_PID=""
say "nested QEMU exited with $qemu_rc after $(( ($(now_ms) - l2_start) / 1000 )) s"
check "nested: L2 read the go line on its console" console_line "L2: got 'go'"
for s in after-restart-register after-restart-read-reservation after-restart-read-keys; do
    rc=$(l2_rc "$s")
    check "nested: L2 sg_persist $s after the agent's crash and restart (rc=${rc:-none})" test "${rc:-x}" = 0
done
waiting "sg_persist --in -s $DEV in L1"
s_out=$(timeout 60 sg_persist --in -s "$DEV" 2>&1); echo "$s_out"
check "nested: L1 sees the new key 0xbeef as reservation holder" \
    grep -Pzq 'Key=0xbeef\n(.*\n){0,3}.*<< Reservation holder >>' <<< "$s_out"
check "nested: key 0xfeed is gone" absent "Key=0xfeed" "$s_out"
check "nested: the nested QEMU exited with status 0 (got $qemu_rc)" test "$qemu_rc" = 0

stop_pid "$OURS_PID" "our agent" 60
check "nested: SIGTERM stops the restarted agent with exit status 0 (got $STOP_RC)" test "$STOP_RC" = 0
OURS_PID=""
cp /tmp/prhelper-data/log/karaf.log /share/karaf.log 2>/dev/null
errors=$(grep -E -c ' ERROR |Exception' /share/karaf.log 2>/dev/null)
check "nested: no ERROR or exception in karaf.log (${errors:-no log} found)" test "${errors:-1}" = 0
grep -q $'^FAIL\t' "$CHECKS" && exit 1
exit 0
