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
#      (QEMU reconnects on it), then READ RESERVATION; L1 checks the device again;
#   6. a live migration of L2 while it holds the reservation: a destination QEMU on the other path
#      ($LAB_PATH1, another I_T nexus, as another host would have) through a second socket of the
#      agent, `migrate` over a Unix socket; then phase 3 in L2, on the destination: what the guest
#      sees of its reservation (QEMU 7.2 has no migrate-pr: it stays with the source's nexus).
# Every wait is bounded and names what it waits for.
set -u
. "$E2E_HOME/guest/common.sh"
: > "$CHECKS"
SOCK=/tmp/ours.sock
DEST_SOCK=/tmp/ours-dest.sock
DEV=$LAB_PATH0
# The destination's socket: a second socket of the same agent, added live like any socket.
DEST_CFG=$E2E_ASSEMBLY/etc/org.prhelper.socket-dest.cfg
L2_BOOT_TIMEOUT=${L2_BOOT_TIMEOUT:-900}     # nested TCG: ~110-200 s to reach the disk when idle
T=$(mktemp -d /tmp/l2.XXXXXX)
CON=$T/console.log
DCON=$T/dest-console.log
QEMU_PID="" CAT_PID="" DQEMU_PID="" DCAT_PID=""

cleanup() {
    [ -n "$QEMU_PID" ] && kill -KILL "$QEMU_PID" 2>/dev/null
    [ -n "$DQEMU_PID" ] && kill -KILL "$DQEMU_PID" 2>/dev/null
    [ -n "$CAT_PID" ] && kill "$CAT_PID" 2>/dev/null
    [ -n "$DCAT_PID" ] && kill "$DCAT_PID" 2>/dev/null
    rm -f "$DEST_CFG"
    [ -f "$DCON" ] && tr -d '\r' < "$DCON" > /share/l2-dest-console.log
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
echo "L2-WAITING-FOR-MIGRATION"
if read -t 1800 line < /dev/console; then echo "L2: got '$line' after the migration"; else echo "L2: no line within 1800 s"; fi
step migrated-read-reservation sg_persist --in -r /dev/sda
step migrated-read-keys sg_persist --in -k /dev/sda
step migrated-write dd if=/dev/zero of=/dev/sda bs=512 count=1 seek=2048 conv=fsync
step migrated-register sg_persist --out --register --param-rk=0xbeef --param-sark=0xcafe /dev/sda
EOF
(cd "$T/extra" && echo cmd.sh | cpio --quiet -o -H newc) > "$T/extra.cpio"
cat "$LAB_DIR/initramfs-l2.cpio" "$T/extra.cpio" > "$T/initrd"

# ------------------------------------------------------------ L2
# l2_qemu NAME DEVICE SOCKET [QEMU OPTIONS] &: the nested QEMU (exec'd, so $! is its pid), serial on
# the FIFOs $T/NAME.{in,out}, QMP on $T/NAME-qmp.sock; source and destination of the migration
# differ only in these.
l2_qemu() {
    local name=$1 dev=$2 sock=$3
    shift 3
    exec qemu-system-x86_64 -accel tcg -machine q35 -smp 1 -m 256 \
        -nodefaults -no-user-config -display none -no-reboot \
        -chardev pipe,id=ser0,path="$T/$name" -serial chardev:ser0 \
        -qmp unix:"$T/$name-qmp.sock",server=on,wait=off \
        -kernel "$LAB_DIR/vmlinux-l2" -initrd "$T/initrd" \
        -append "$(cat "$LAB_DIR/cmdline-l2")" \
        -object pr-manager-helper,id=helper0,path="$sock" \
        -device virtio-scsi-pci,id=scsi0 \
        -blockdev node-name=hd,driver=raw,file.driver=host_device,file.filename="$dev",file.pr-manager=helper0 \
        -device scsi-block,bus=scsi0.0,drive=hd "$@" > "/share/l2-$name-qemu.log" 2>&1
}
qmp() { python3 "$E2E_HOME/guest/qmp.py" "$@"; }

mkfifo "$T/source.in" "$T/source.out"
cat "$T/source.out" > "$CON" &
CAT_PID=$!
l2_start=$(now_ms)
l2_qemu source "$DEV" "$SOCK" &
QEMU_PID=$!
say "nested QEMU pid $QEMU_PID started on $DEV through $SOCK"

console_has() { grep -q "$1" "$CON" 2>/dev/null || ! kill -0 "$QEMU_PID" 2>/dev/null; }
console_line() { tr -d '\r' < "$CON" | grep -q -F -x "$1"; }
absent() { ! grep -q "$1" <<< "$2"; }
l2_rc() { tr -d '\r' < "$CON" | sed -n "s/^L2-STEP $1 rc=//p" | tail -1; }

if ! wait_until "$L2_BOOT_TIMEOUT" "the nested guest to boot and finish phase 1 (register + reserve through our agent)" \
        console_has L2-WAITING-FOR-GO || ! grep -q L2-WAITING-FOR-GO "$CON"; then
    fail "nested: L2 boots and finishes phase 1" "no L2-WAITING-FOR-GO on the L2 console within ${L2_BOOT_TIMEOUT}s (QEMU $(kill -0 "$QEMU_PID" 2>/dev/null && echo running || echo exited); see l2-console.log, l2-source-qemu.log)"
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
echo go > "$T/source.in"
if ! wait_until 600 "the nested guest to finish phase 2 (first PR command after the agent restart)" \
        console_has L2-WAITING-FOR-MIGRATION || ! grep -q L2-WAITING-FOR-MIGRATION "$CON"; then
    fail "nested: L2 finishes phase 2" "no L2-WAITING-FOR-MIGRATION on the L2 console within 600s (see l2-console.log)"
    exit 1
fi
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

# ------------------------------------------------------------ phase 3: live migration
printf 'path = %s\n' "$DEST_SOCK" > "$DEST_CFG"
if ! await_serving 120 "our agent to serve its second socket $DEST_SOCK (added live)" "$DEST_SOCK" "$OURS_PID"; then
    fail "migration: the agent serves a second socket added live ($DEST_SOCK)" "not within 120 s (see karaf.log)"; exit 1
fi
pass "migration: the agent serves a second socket added live ($DEST_SOCK)"
mkfifo "$T/dest.in" "$T/dest.out"
cat "$T/dest.out" > "$DCON" &
DCAT_PID=$!
l2_qemu dest "$LAB_PATH1" "$DEST_SOCK" -incoming unix:"$T/migration.sock" &
DQEMU_PID=$!
dest_waits() { qmp "$T/dest-qmp.sock" query-status 2>/dev/null | grep -q '"inmigrate"'; }
if ! wait_until 120 "the destination QEMU (pid $DQEMU_PID, $LAB_PATH1) to wait for the migration" dest_waits; then
    fail "migration: a destination QEMU on path 1 through $DEST_SOCK waits for the migration" "see l2-dest-qemu.log"; exit 1
fi
check "migration: the destination's pr-manager is connected to our agent (query-pr-managers)" \
    sh -c "python3 '$E2E_HOME/guest/qmp.py' '$T/dest-qmp.sock' query-pr-managers | grep -q '\"connected\": true'"
t0=$(now_ms)
check "migration: migrate over a Unix socket accepted by the source QEMU" \
    qmp "$T/source-qmp.sock" migrate "{\"uri\": \"unix:$T/migration.sock\"}"
migrated() { qmp "$T/source-qmp.sock" query-migrate | grep -q -E '"status": "(completed|failed|cancelled)"'; }
wait_until 600 "the migration to end" migrated
mig=$(qmp "$T/source-qmp.sock" query-migrate); echo "$mig" > /share/migration.json
check "migration: completed ($(( ($(now_ms) - t0) / 1000 )) s)" grep -q '"status": "completed"' <<< "$mig"
check "migration: the destination runs the guest" sh -c "python3 '$E2E_HOME/guest/qmp.py' '$T/dest-qmp.sock' query-status | grep -q '\"status\": \"running\"'"
qmp "$T/source-qmp.sock" quit >/dev/null 2>&1
wait_until 60 "the source QEMU to quit" not_running "$QEMU_PID" || kill -KILL "$QEMU_PID"
wait "$QEMU_PID" 2>/dev/null; QEMU_PID=""
echo go > "$T/dest.in"
dest_ended() { grep -q L2-END "$DCON" 2>/dev/null || ! kill -0 "$DQEMU_PID" 2>/dev/null; }
if ! wait_until 600 "the migrated guest to finish phase 3 and power off" dest_ended || ! grep -q L2-END "$DCON"; then
    fail "migration: L2 finishes phase 3 on the destination" "no L2-END within 600s (see l2-dest-console.log)"; exit 1
fi
wait_until 60 "the destination QEMU to exit after L2 powered off" not_running "$DQEMU_PID" || kill -KILL "$DQEMU_PID"
wait "$DQEMU_PID"; qemu_rc=$?; DQEMU_PID=""
say "destination QEMU exited with $qemu_rc after $(( ($(now_ms) - l2_start) / 1000 )) s since L2's start"
check "migration: the guest read its go line on the destination" grep -q "L2: got 'go' after the migration" "$DCON"
drc() { tr -d '\r' < "$DCON" | sed -n "s/^L2-STEP $1 rc=//p" | tail -1; }
# What the guest sees with QEMU 7.2 (no migrate-pr): the reservation is the logical unit's, so PR IN
# still shows it, but it is held by the source's nexus, and the destination's nexus is not even
# registered: the guest's writes and its own key are refused with RESERVATION CONFLICT.
rc=$(drc migrated-read-reservation)
check "migration: on the destination the guest still reads its reservation (sg_persist --in -r rc=${rc:-none})" \
    test "${rc:-x}" = 0
check "migration: ... with its key 0xbeef, type 5" \
    grep -Pzq 'Key=0xbeef\r?\n(.*\n)*?.*Write Exclusive, registrants only' "$DCON"
rc=$(drc migrated-read-keys)
check "migration: READ KEYS on the destination (rc=${rc:-none})" test "${rc:-x}" = 0
rc=$(drc migrated-write)
check "migration: a write from the destination fails: its nexus is not registered (dd rc=${rc:-none})" \
    test "${rc:-0}" != 0
rc=$(drc migrated-register)
check "migration: the guest's REGISTER with its key is refused: RESERVATION CONFLICT (sg_persist rc=${rc:-none}, 24)" \
    test "${rc:-x}" = 24
waiting "sg_persist --in -s $DEV in L1"
s_out=$(timeout 60 sg_persist --in -s "$DEV" 2>&1); echo "$s_out"; echo "$s_out" > /share/after-migration-status.txt
check "migration: L1 sees the reservation still held by the source's nexus (path 0, SAS 0x5001405100000000)" \
    grep -Pzq 'Key=0xbeef\n(.*\n){0,3}.*<< Reservation holder >>(.*\n)*?.*SAS address: 0x5001405100000000' <<< "$s_out"
check "migration: the destination's nexus (path 1, SAS 0x5001405100000001) is not registered" \
    absent "0x5001405100000001" "$s_out"
check "migration: the destination QEMU exited with status 0 (got $qemu_rc)" test "$qemu_rc" = 0
timeout 60 sg_persist --out --clear --param-rk=0xbeef "$DEV" >/dev/null 2>&1

stop_pid "$OURS_PID" "our agent" 60
check "nested: SIGTERM stops the restarted agent with exit status 0 (got $STOP_RC)" test "$STOP_RC" = 0
OURS_PID=""
cp /tmp/prhelper-data/log/karaf.log /share/karaf.log 2>/dev/null
errors=$(grep -E -c ' ERROR |Exception' /share/karaf.log 2>/dev/null)
check "nested: no ERROR or exception in karaf.log (${errors:-no log} found)" test "${errors:-1}" = 0
grep -q $'^FAIL\t' "$CHECKS" && exit 1
exit 0
