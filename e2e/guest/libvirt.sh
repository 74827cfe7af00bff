#!/bin/bash
# libvirt.sh - guest side of e2e boot 5: libvirt's managed pr-helper, for real (issue 17, part 1).
#
# Needs: E2E_HOME, E2E_ASSEMBLY and the lab's $LAB_PATH0 / $LAB_PATH1 (one LUN, two I_T nexuses).
# Debian's libvirt (libvirtd, virtlogd; installed on the host by e2e/lab/build.sh) runs in the lab
# guest with its defaults: mount namespace, cgroups (the lab's init mounts no cgroup file system, so
# this script mounts cgroup2), DAC labels; the default network is not autostarted (no dnsmasq).
# One round per pr_helper in qemu.conf: Debian's qemu-pr-helper (the reference), our JVM launcher
# bin/qemu-pr-helper, and bin/prhelper-vm with our agent running as the host's service. Each round:
#   1. VM A boots with a scsi-block disk on path 0 with <reservations managed='yes'/>; libvirt's
#      helper: pid (its pidfile), socket, mount namespace and cgroup (QEMU's), RSS as started;
#   2. VM B starts with no disk; in A, sg_persist registers and reserves (type 5); L1 sees it;
#   3. a second scsi-block disk (path 1, managed) is hot-plugged into B: libvirt starts B's own helper
#      (another pid and socket) before adding the pr-manager; B registers through it. With
#      E2E_LIBVIRT_B=paused (CI's form) B never runs its guest: a nested guest's boot is most of this
#      boot's time; QEMU's own query-pr-managers then says whether B is connected to its helper;
#   4. A's helper is killed (SIGKILL): A's next PR command reaches libvirt's new helper;
#   5. libvirtd is restarted with both VMs running: both keep working, helpers untouched;
#   6. virsh destroy: no helper process and no socket file remain.
# Every wait is bounded and names what it waits for.
set -u
. "$E2E_HOME/guest/common.sh"
: > "$CHECKS"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
W=/tmp/lv
L2_TIMEOUT=${L2_TIMEOUT:-900}          # a nested guest under libvirt: boot to its first prompt
STEP_TIMEOUT=${STEP_TIMEOUT:-300}      # one command in a nested guest
RESULTS=/share/libvirt.txt             # one line per measurement, for e2e/report.py
KEY_A=0xa1 KEY_B=0xb2
B_MODE=${E2E_LIBVIRT_B:-boots}         # boots, or paused: VM B never runs its guest
: > "$RESULTS"
rm -rf "$W"; mkdir -p "$W"; chmod 755 "$W"

cleanup() {
    for d in $(vsh list --name 2>/dev/null); do vsh destroy "$d" >/dev/null 2>&1; done
    [ -f /run/libvirtd.pid ] && kill "$(cat /run/libvirtd.pid)" 2>/dev/null
    [ -n "${OURS_PID:-}" ] && kill -KILL "$OURS_PID" 2>/dev/null
    mkdir -p /share/logs
    cp /var/log/libvirt/libvirtd.log /var/log/libvirt/qemu/*.log /share/logs/ 2>/dev/null
    for c in "$W"/*.console; do [ -f "$c" ] && tr -d '\r' < "$c" > "/share/logs/$(basename "$c").log"; done
    cp /tmp/prhelper-data/log/karaf.log /share/logs/agent-karaf.log 2>/dev/null
    for l in "$E2E_ASSEMBLY"/data/qemu-pr-helper/*/log/karaf.log; do
        [ -f "$l" ] && cp "$l" "/share/logs/launcher-$(basename "$(dirname "$(dirname "$l")")")-karaf.log"
    done
    kill $(jobs -p) 2>/dev/null
}
trap cleanup EXIT

# ------------------------------------------------------------ libvirt
mountpoint -q /sys/fs/cgroup || mount -t cgroup2 cgroup2 /sys/fs/cgroup
rm -f /etc/libvirt/qemu/networks/autostart/default.xml
echo 'log_outputs = "3:file:/var/log/libvirt/libvirtd.log"' >> /etc/libvirt/libvirtd.conf
cp /etc/libvirt/qemu.conf "$W/qemu.conf.orig"
virtlogd -d

# Every virsh call is bounded: a virsh that connects while libvirtd is still starting can wait for good.
vsh() { timeout 300 virsh "$@"; }
virsh_ok() { [ -S /run/libvirt/libvirt-sock ] && timeout 20 virsh version >/dev/null 2>&1; }
start_libvirtd() {
    libvirtd -d
    # The whole lab guest stopped for good within seconds of a libvirtd start in 5 of 16 starts (both
    # vCPUs busy, once with soft-lockup reports): 4 of 9 where virsh connected at once, 1 of 7 after
    # this wait. Not understood yet (e2e/README.md, boot 5).
    wait_until 60 "libvirtd to create its socket" test -S /run/libvirt/libvirt-sock
    sleep 5
    wait_until 300 "libvirtd to answer virsh" virsh_ok || { fail "libvirt: libvirtd answers" "not within 300 s"; exit 1; }
}
stop_libvirtd() {
    local pid
    pid=$(cat /run/libvirtd.pid 2>/dev/null) || return 0
    kill -TERM "$pid"
    wait_until 60 "libvirtd (pid $pid) to exit" not_running "$pid" || kill -KILL "$pid"
}

# ------------------------------------------------------------ the nested guests
# L2's console (ttyS0) is a file, $W/NAME.console; it runs the lines sent to its second serial port
# (ttyS1, a Unix socket $W/NAME.sock that QEMU listens on, fed by guest/serial_in.py from the FIFO
# $W/NAME.cmd) as commands: "ID COMMAND..." -> "L2-STEP ID rc=N" on the console. (A serial port of
# type "pipe" slowed the nested guest down: no L2-READY within 400 s, against 43-55 s of L2 uptime
# with a file.)
mkdir -p "$W/extra"
cat > "$W/extra/cmd.sh" <<'EOF'
exec 3< /dev/ttyS1    # held open: input that arrives while no one has the tty open is lost
echo L2-READY
while read -r line <&3; do
    id=${line%% *}; cmd=${line#* }
    [ "$id" = quit ] && break
    sh -c "$cmd"; echo "L2-STEP $id rc=$?"
done
EOF
(cd "$W/extra" && echo cmd.sh | cpio --quiet -o -H newc) > "$W/extra.cpio"
cat "$LAB_DIR/initramfs-l2.cpio" "$W/extra.cpio" > "$W/initrd"
cp "$LAB_DIR/vmlinux-l2" "$W/vmlinux"
chmod 644 "$W/initrd" "$W/vmlinux"

disk_xml() { # DEVICE TARGET
    cat <<EOF
<disk type='block' device='lun'>
  <driver name='qemu' type='raw'/>
  <source dev='$1'><reservations managed='yes'/></source>
  <target dev='$2' bus='scsi'/>
</disk>
EOF
}
domain_xml() { # NAME [DEVICE]
    cat <<EOF
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$W/vmlinux</kernel>
    <initrd>$W/initrd</initrd>
    <cmdline>$(cat "$LAB_DIR/cmdline-l2")</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='scsi' index='0' model='virtio-scsi'/>
    $([ -n "${2:-}" ] && disk_xml "$2" sda)
    <serial type='file'><source path='$W/$1.console'/><target port='0'/></serial>
    <serial type='unix'><source mode='bind' path='$W/$1.sock'/><target port='1'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}

# start_vm NAME DEVICE|"" [VIRSH START OPTIONS]: defines and starts it
start_vm() {
    local name=$1 dev=$2 t0 out
    shift 2
    domain_xml "$name" "$dev" > "$W/$name.xml"
    vsh define "$W/$name.xml" >/dev/null
    t0=$(now_ms)
    out=$(vsh start "$name" "$@" 2>&1); local rc=$?
    VM_START_MS=$(( $(now_ms) - t0 ))
    mkfifo "$W/$name.cmd"
    python3 "$E2E_HOME/guest/serial_in.py" "$W/$name.sock" "$W/$name.cmd" &
    say "virsh start $name: rc=$rc after $VM_START_MS ms: $out"
    return $rc
}
console() { tr -d '\r' < "$W/$1.console" 2>/dev/null; }
vm_ready() { console "$1" | grep -q '^L2-READY'; }
STEP=0
# step NAME TIMEOUT COMMAND: types COMMAND on NAME's console, waits for its status; sets STEP_RC
step() {
    local name=$1 limit=$2 id
    shift 2
    STEP=$((STEP + 1)); id=$STEP
    timeout 30 bash -c 'echo "$1" > "$2"' _ "$id $*" "$W/$name.cmd" || say "nothing reads $W/$name.cmd (see serial_in.py's error)"
    if wait_until "$limit" "$name to run '$*' (step $id)" step_done "$name" "$id"; then
        STEP_RC=$(console "$name" | sed -n "s/^L2-STEP $id rc=//p" | tail -1)
    else
        STEP_RC=timeout
    fi
    say "$name step $id '$*': rc=$STEP_RC"
}
step_done() { console "$1" | grep -q "^L2-STEP $2 rc="; }

# libvirt's own names for a domain's managed helper
helper_pid() { cat /run/libvirt/qemu/*-"$1"-pr-helper0.pid 2>/dev/null; }
helper_sock() { ls /var/lib/libvirt/qemu/domain-*-"$1"/pr-helper0.sock 2>/dev/null; }
qemu_pid() { cat "/run/libvirt/qemu/$1.pid" 2>/dev/null; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && ! not_running "$1"; }
helper_up() { local p; p=$(helper_pid "$1"); alive "$p" && [ "$p" != "${2:-}" ] && [ -S "$(helper_sock "$1")" ]; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null; }
same_ns() { [ "$(readlink "/proc/$1/ns/mnt")" = "$(readlink "/proc/$2/ns/mnt")" ]; }
# libvirt puts QEMU in <vm cgroup>/emulator and the helper in <vm cgroup>
# pr_connected NAME: QEMU says its pr-manager is connected to the helper (QMP query-pr-managers)
pr_connected() { vsh qemu-monitor-command "$1" '{"execute":"query-pr-managers"}' | grep -q '"connected":true'; }
vm_cgroup() { sed -n 's#^0::##p' "/proc/$1/cgroup" | sed 's#/emulator$##'; }
result() { echo "$*" >> "$RESULTS"; }
keys_in_l1() { timeout 60 sg_persist --in -k "$LAB_PATH0" 2>&1; }
# status_in_l1: the LUN's full status as the lab guest sees it, printed and kept in S_OUT
status_in_l1() { S_OUT=$(timeout 60 sg_persist --in -s "$LAB_PATH0" 2>&1); echo "$S_OUT"; }
# booted HELPER NAME: waits for NAME's nested guest; on failure the round cannot go on
booted() {
    wait_until "$L2_TIMEOUT" "the nested guest $2 to boot" vm_ready "$2" && return 0
    fail "libvirt $1: $2 boots" "no L2-READY within ${L2_TIMEOUT}s"
    stop_libvirtd
    return 1
}

# ------------------------------------------------------------ one round per pr_helper
round() {
    local h=$1 prog=$2 a=vm-a-$1 b=vm-b-$1 pa pb pa2 agent_rss=""
    say "===== round $h: pr_helper = $prog"
    cp "$W/qemu.conf.orig" /etc/libvirt/qemu.conf
    echo "pr_helper = \"$prog\"" >> /etc/libvirt/qemu.conf
    if [ "$h" = prhelper-vm ]; then
        # the shared agent, run as the host's service would run it (docs/deploy.md)
        if ! PRHELPER_CONTROL_SOCKET=/run/prhelper/control.sock start_ours /run/qemu-pr-helper.sock /share/agent.log; then
            fail "libvirt $h: the shared agent starts" "timed out (see agent.log)"; return
        fi
    fi
    start_libvirtd

    # 1. VM A with a managed disk
    if ! start_vm "$a" "$LAB_PATH0"; then
        fail "libvirt $h: virsh start of a VM with a managed scsi-block disk" "see logs/$a.log"; stop_libvirtd; return
    fi
    pass "libvirt $h: virsh start of a VM with a managed scsi-block disk (${VM_START_MS} ms)"
    pa=$(helper_pid "$a")
    check "libvirt $h: libvirt started the helper (pid ${pa:-none} from its pidfile, socket $(helper_sock "$a"))" helper_up "$a"
    check "libvirt $h: the helper runs in QEMU's mount namespace" same_ns "$pa" "$(qemu_pid "$a")"
    check "libvirt $h: the helper is in the VM's cgroup ($(vm_cgroup "$(qemu_pid "$a")"))" \
        test "$(sed -n 's#^0::##p' "/proc/$pa/cgroup" 2>/dev/null)" = "$(vm_cgroup "$(qemu_pid "$a")")"
    result "$h start_ms=$VM_START_MS helper_rss_kb=$(rss_kb "$pa")"
    [ "$h" = prhelper-vm ] && agent_rss=$(rss_kb "$OURS_PID")

    # 2. VM B without disks; A registers and reserves
    if [ "$B_MODE" = paused ]; then
        start_vm "$b" "" --paused || fail "libvirt $h: virsh start --paused of a VM without disks" "see logs/$b.log"
    else
        start_vm "$b" "" || fail "libvirt $h: virsh start of a VM without disks" "see logs/$b.log"
    fi
    check "libvirt $h: no helper for a VM without managed disks" test -z "$(helper_pid "$b")"
    booted "$h" "$a" || return
    step "$a" "$STEP_TIMEOUT" "sg_persist --out --register --param-sark=$KEY_A /dev/sda && sg_persist --out --reserve --param-rk=$KEY_A --prout-type=5 /dev/sda"
    check "libvirt $h: in A, sg_persist registers and reserves through QEMU and the helper (rc=$STEP_RC)" test "$STEP_RC" = 0
    status_in_l1
    check "libvirt $h: L1 sees A's key as holder, type 5, on path 0's nexus" \
        grep -Pzq "Key=$KEY_A\n(.*\n){0,3}.*<< Reservation holder >>\n.*type: Write Exclusive, registrants only\n(.*\n)*?.*SAS address: 0x5001405100000000" <<< "$S_OUT"
    result "$h helper_rss_after_commands_kb=$(rss_kb "$pa")"

    # 3. hot-plug a managed disk into B
    [ "$B_MODE" = paused ] || booted "$h" "$b" || return
    disk_xml "$LAB_PATH1" sda > "$W/$b-disk.xml"
    local t0; t0=$(now_ms)
    if vsh attach-device "$b" "$W/$b-disk.xml" --live; then
        pass "libvirt $h: hot-plug of a managed scsi-block disk ($(( $(now_ms) - t0 )) ms)"
    else
        fail "libvirt $h: hot-plug of a managed scsi-block disk" "virsh attach-device failed"
    fi
    pb=$(helper_pid "$b")
    check "libvirt $h: the hot-plug started B's own helper (pid ${pb:-none}, socket $(helper_sock "$b"))" helper_up "$b"
    check "libvirt $h: two VMs, two helpers and two sockets" \
        test -n "$pb" -a "$pb" != "$pa" -a "$(helper_sock "$b")" != "$(helper_sock "$a")"
    if [ "$B_MODE" = paused ]; then
        check "libvirt $h: B's QEMU is connected to its helper (query-pr-managers)" pr_connected "$b"
    else
        step "$b" "$STEP_TIMEOUT" "for i in \$(seq 300); do [ -b /dev/sda ] && break; sleep 0.1; done; sg_persist --out --register --param-sark=$KEY_B /dev/sda"
        check "libvirt $h: in B, sg_persist registers through the hot-plugged disk (rc=$STEP_RC)" test "$STEP_RC" = 0
        status_in_l1
        check "libvirt $h: L1 sees B's key on path 1's nexus, A's reservation unchanged" \
            grep -Pzq "Key=$KEY_A\n(.*\n){0,3}.*<< Reservation holder >>(.*\n)*?.*Key=$KEY_B\n(.*\n)*?.*SAS address: 0x5001405100000001" <<< "$S_OUT"
    fi
    result "$h hotplug_helper_rss_kb=$(rss_kb "$pb")"

    # 4. the helper dies: libvirt starts another, the guest's next command gets through
    kill -KILL "$pa"
    wait_until 30 "A's helper (pid $pa) to die" not_running "$pa"
    step "$a" "$STEP_TIMEOUT" "sg_persist --in -k /dev/sda"
    local first=$STEP_RC
    result "$h first_command_after_kill_rc=$first"
    if wait_until 300 "libvirt to start a new helper for A" helper_up "$a" "$pa"; then
        pa2=$(helper_pid "$a")
        pass "libvirt $h: after SIGKILL of A's helper libvirt started a new one (pid $pa2)"
    else
        fail "libvirt $h: after SIGKILL of A's helper libvirt started a new one" "none within 300 s"
    fi
    # QEMU gives up on the command after 5 connection attempts 1 s apart: the new helper's socket must
    # accept by then. Our JVM launcher binds it before the JVM starts (10-20 s in this guest), so the
    # connection waits in the backlog.
    check "libvirt $h: A's first PR command after its helper was killed succeeds (rc=$first)" test "$first" = 0
    step "$a" "$STEP_TIMEOUT" "sg_persist --in -k /dev/sda"
    check "libvirt $h: A's next PR command succeeds (rc=$STEP_RC)" test "$STEP_RC" = 0

    # 5. libvirtd restarts under running VMs
    stop_libvirtd
    start_libvirtd
    step "$a" "$STEP_TIMEOUT" "sg_persist --in -r /dev/sda"
    check "libvirt $h: after a libvirtd restart A's PR command succeeds (rc=$STEP_RC)" test "$STEP_RC" = 0
    if [ "$B_MODE" = paused ]; then
        check "libvirt $h: after a libvirtd restart B's QEMU is still connected to its helper" pr_connected "$b"
    else
        step "$b" "$STEP_TIMEOUT" "sg_persist --in -k /dev/sda"
        check "libvirt $h: after a libvirtd restart B's PR command succeeds (rc=$STEP_RC)" test "$STEP_RC" = 0
    fi
    check "libvirt $h: libvirtd's restart left both helpers as they were" \
        test "$(helper_pid "$a")" = "${pa2:-x}" -a "$(helper_pid "$b")" = "$pb"

    # 6. destroy
    local sa sb; sa=$(helper_sock "$a") sb=$(helper_sock "$b"); pa2=$(helper_pid "$a")
    vsh destroy "$a" >/dev/null; vsh destroy "$b" >/dev/null
    gone() { not_running "$1" && not_running "$2" && [ ! -e "$3" ] && [ ! -e "$4" ]; }
    check "libvirt $h: virsh destroy leaves no helper process and no socket file" \
        wait_until 30 "the helpers (pids $pa2 $pb) and their sockets to go" gone "$pa2" "$pb" "$sa" "$sb"
    vsh undefine "$a" >/dev/null; vsh undefine "$b" >/dev/null
    stop_libvirtd
    timeout 60 sg_persist --out --clear --param-rk=$KEY_A "$LAB_PATH0" >/dev/null
    check "libvirt $h: the LUN is clear again for the next round" test -z "$(keys_in_l1 | grep -o 'Key=0x[0-9a-f]*' | head -1)"
    if [ "$h" = prhelper-vm ]; then
        check "libvirt $h: the shared agent serves on after both VMs went" alive "$OURS_PID"
        result "$h agent_rss_kb=${agent_rss:-?} agent_rss_end_kb=$(rss_kb "$OURS_PID")"
        stop_pid "$OURS_PID" "the shared agent" 60
        check "libvirt $h: SIGTERM stops the shared agent with exit status 0 (got $STOP_RC)" test "$STOP_RC" = 0
        OURS_PID=""
    fi
}

for r in ${E2E_LIBVIRT_ROUNDS:-qemu-pr-helper prhelper-jvm prhelper-vm}; do
    case $r in
        qemu-pr-helper) round qemu-pr-helper /usr/bin/qemu-pr-helper ;;
        prhelper-jvm) round prhelper-jvm "$E2E_ASSEMBLY/bin/qemu-pr-helper" ;;
        prhelper-vm) round prhelper-vm "$E2E_ASSEMBLY/bin/prhelper-vm" ;;
        *) fail "libvirt: round $r" "unknown (E2E_LIBVIRT_ROUNDS)" ;;
    esac
done
grep -q $'^FAIL\t' "$CHECKS" && exit 1
exit 0
