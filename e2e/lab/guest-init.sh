#!/bin/bash
# guest-init.sh - PID 1 of the e2e lab guest (runs from the host root over 9p, after the initramfs
# switch_root'ed into the tmpfs overlay).
#
# Kernel command line knobs (set by boot.sh):
#   lab.paths=N    tcm_loop paths (SCSI hosts, one I_T nexus each) to every LUN (default 2)
#   lab.luns=N     LIO ramdisk LUNs, each exported through every path (default 2)
#   lab.mp=0|1     assemble dm-multipath over the paths of each LUN (default 1)
#   lab.udev=0|1   run systemd-udevd (default 1; needed by multipath)
#
# It prepares the SCSI devices, then runs /share/cmd.sh with bash (output to /share/output.log,
# exit status to /share/rc) and powers the VM off. Before every step that can hang it writes what
# it waits for to /share/waiting, so the host can say so when it has to kill the guest.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
T0=$(cut -d' ' -f1 /proc/uptime)

PATHS=2 LUNS=2 MP=1 UDEV=1 KALLSYMS=0
export LAB_DIR=/tmp/prhelper-e2e LAB_HOME=$(dirname "$(readlink -f "$0")")
for arg in $(cat /proc/cmdline); do
    case "$arg" in
        lab.dir=*)   LAB_DIR=${arg#lab.dir=} ;;
        lab.paths=*) PATHS=${arg#lab.paths=} ;;
        lab.luns=*)  LUNS=${arg#lab.luns=} ;;
        lab.mp=*)    MP=${arg#lab.mp=} ;;
        lab.udev=*)  UDEV=${arg#lab.udev=} ;;
        lab.kallsyms=*) KALLSYMS=${arg#lab.kallsyms=} ;;
    esac
done
[ "$MP" = 1 ] && UDEV=1

poweroff_now() { sync; /bin/busybox poweroff -f; sleep 10; echo o > /proc/sysrq-trigger; }
log() { echo "[lab $(cut -d' ' -f1 /proc/uptime)] $*" | tee -a /share/setup.log >/dev/console; }
waiting() { echo "$*" > /share/waiting; }

# ------------------------------------------------------------ filesystems
mkdir -p /dev/pts /dev/shm /share
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run
# /tmp is NOT a fresh tmpfs: the overlay already makes it writable (in RAM), and keeping the host's
# /tmp visible lets the guest find $LAB_DIR (kernel, nested initramfs, assembly snapshot).
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 labshare /share || {
    echo "guest-init: cannot mount the labshare 9p share" >/dev/console; poweroff_now; }
modprobe configfs 2>/dev/null; mount -t configfs configfs /sys/kernel/config
ln -sf /proc/self/mounts /etc/mtab 2>/dev/null
# A heartbeat for boot.sh's freeze watchdog: a guest whose kernel has stopped (seen with libvirtd in
# boot 5: every vCPU busy, soft lockups, even `timeout` never fired) stops writing it. With the
# uptime go free memory and load, so that a freeze says what the guest looked like just before.
( while :; do
    echo "uptime $(cut -d' ' -f1 /proc/uptime) s, MemAvailable $(awk '/^MemAvailable:/ {print $2}' /proc/meminfo) kB, load $(cut -d' ' -f1-4 /proc/loadavg)" > /share/heartbeat
    sleep 10
done ) &
# The kernel's text symbols with this boot's addresses (KASLR), for boot.sh's freeze dump (-d).
if [ "$KALLSYMS" = 1 ]; then
    sysctl -q -w kernel.kptr_restrict=0 2>/dev/null || true
    grep ' [tT] ' /proc/kallsyms | gzip -1 > /share/kallsyms.gz || true
fi
hostname lab
# The JVM (log4j) looks the host name up; the guest has no DNS.
grep -q "[[:space:]]lab$" /etc/hosts 2>/dev/null || echo "127.0.1.1 lab" >> /etc/hosts
: > /share/setup.log
log "init started (kernel up to PID1 ${T0}s)"

# ------------------------------------------------------------ modules
# LIO writes its APTPL state file (db_root/pr/aptpl_<serial>) on every PR OUT REGISTER, even with
# APTPL=0, and fails the command with NOT READY / LOGICAL UNIT COMMUNICATION FAILURE when that is
# impossible. db_root is /etc/target if it exists when target_core_mod loads, else /var/target.
waiting "guest setup: loading kernel modules"
mkdir -p /etc/target/pr /var/target/pr
modprobe -a sd_mod sg target_core_mod target_core_file target_core_iblock tcm_loop \
            dm_mod dm_multipath dm_round_robin dm_service_time scsi_dh_alua 2>&1 | tee -a /share/setup.log

# ------------------------------------------------------------ udev
if [ "$UDEV" = 1 ]; then
    waiting "guest setup: systemd-udevd to settle"
    /lib/systemd/systemd-udevd --daemon --resolve-names=never
    udevadm trigger --action=add --type=subsystems
    udevadm trigger --action=add --type=devices
    udevadm settle -t 30
    log "udevd running"
fi

# ------------------------------------------------------------ LIO / tcm_loop
# $LUNS ramdisk backstores (rd_mcp "prJ", 64 MiB, unit serial "labprJ"). LUN J is exported as LUN 0
# of its own $PATHS tcm_loop targets naa.5001405000000<J*PATHS+I>; path I of every LUN uses the same
# initiator port naa.5001405100000<I> (its own I_T nexus), so the guest sees each LUN through
# $PATHS SCSI disks with one WWID, and every LUN's transport IDs are the same. The serial gives
# the NAA id: LIO keeps its hex digits, so labpr0 -> 36001405ab0000..., labpr1 -> 36001405ab1000...
# Why not all LUNs behind the same targets: LIO (6.1) finds the destination of REGISTER AND MOVE
# and SPEC_I_PT by relative target port identifier among ALL the LUNs the initiator sees through
# that TPG (core_get_se_deve_from_rtpi), and every LUN numbers its own ports from 1, so two LUNs
# behind one TPG share an RTPI there and the new registration may be bound to the other LUN, which
# then receives its unit attentions. Own targets keep the LUNs independent (and every LUN still
# numbers its ports 1, 2, ...).
waiting "guest setup: LIO/tcm_loop devices"
CFG=/sys/kernel/config/target
: > /run/lab-devices
: > /run/lab-env
for j in $(seq 0 $((LUNS - 1))); do
    BS=$CFG/core/rd_mcp_0/pr$j
    mkdir -p "$BS"
    echo "rd_pages=16384" > "$BS/control"           # 16384 x 4 KiB = 64 MiB
    echo 1 > "$BS/enable"
    echo "labpr$j" > "$BS/wwn/vpd_unit_serial"
    for i in $(seq 0 $((PATHS - 1))); do
        TW=naa.5001405000000$(printf %03x $((j * PATHS + i)))   # target port WWN
        IW=naa.5001405100000$(printf %03x "$i")                 # initiator port WWN
        TPG=$CFG/loopback/$TW/tpgt_1
        mkdir -p "$TPG"                             # creates the SCSI host
        echo "$IW" > "$TPG/nexus"                  # the I_T nexus must exist first, otherwise
        mkdir -p "$TPG/lun/lun_0"                  # the LUN scan that the link triggers fails
        ln -s "$BS" "$TPG/lun/lun_0/pr$j"
        # tpgt_1/address is "<host>:<channel>:<target>"; LUN 0 is then
        # /sys/bus/scsi/devices/<host>:<channel>:<target>:0/block/sdX
        dev=""
        for _ in $(seq 50); do
            addr=$(cat "$TPG/address" 2>/dev/null)
            dev=$(ls -d /sys/bus/scsi/devices/"$addr":0/block/sd* 2>/dev/null | head -1)
            [ -n "$dev" ] && break; sleep 0.1
        done
        if [ -z "$dev" ]; then
            log "LIO: no sd device appeared for lun $j on path $i ($TW)"; continue
        fi
        sd=/dev/$(basename "$dev")
        echo "lun$j.path$i=$sd target=$TW initiator=$IW serial=labpr$j" >> /run/lab-devices
        echo "LAB_LUN${j}_PATH$i=$sd" >> /run/lab-env
        [ "$j" = 0 ] && echo "LAB_PATH$i=$sd" >> /run/lab-env
    done
done
[ "$UDEV" = 1 ] && udevadm settle -t 30
log "LIO ready: $(tr '\n' ';' < /run/lab-devices)"

# ------------------------------------------------------------ multipath
if [ "$MP" = 1 ]; then
    waiting "guest setup: dm-multipath maps"
    mkdir -p /etc/multipath
    cat > /etc/multipath.conf <<'EOF'
# written by e2e/lab/guest-init.sh
defaults {
    user_friendly_names yes
    find_multipaths     no
    # mpathpersist needs a key known to multipathd; "file" keeps it in
    # /etc/multipath/prkeys, which mpathpersist --register updates.
    reservation_key     file
}
blacklist {
    devnode "^(ram|zram|loop|fd|md|dm-|sr|scd|st|vd|nbd)[0-9]*"
}
EOF
    multipathd
    for _ in $(seq 100); do [ -S /run/multipathd.socket ] || [ -e /run/multipathd.pid ] && break; sleep 0.1; done
    multipath -v1 2>&1 | tee -a /share/setup.log
    udevadm settle -t 30
    # The map of LUN J is the dm device whose slaves include LUN J's path-0 disk.
    for j in $(seq 0 $((LUNS - 1))); do
        sd=$(sed -n "s/^LAB_LUN${j}_PATH0=//p" /run/lab-env)
        name=""
        for _ in $(seq 100); do
            for dm in /sys/block/dm-*; do
                [ -e "$dm/slaves/${sd#/dev/}" ] && name=$(cat "$dm/dm/name") && break
            done
            [ -n "$name" ] && [ -e "/dev/mapper/$name" ] && break; name=""; sleep 0.2
        done
        if [ -n "$name" ]; then
            echo "lun$j.mpath=/dev/mapper/$name" >> /run/lab-devices
            echo "LAB_LUN${j}_MPATH=/dev/mapper/$name" >> /run/lab-env
            [ "$j" = 0 ] && echo "LAB_MPATH=/dev/mapper/$name" >> /run/lab-env
            log "multipath ready: lun $j -> /dev/mapper/$name"
        else
            log "multipath: no map appeared for lun $j ($sd)"
        fi
    done
fi

# ------------------------------------------------------------ unit attentions
# Adding LUNs to a TPG with a live nexus leaves unit attentions (e.g. REPORTED LUNS DATA HAS
# CHANGED) pending on some I_T_L nexuses; consume them all so every LUN starts alike.
waiting "guest setup: TEST UNIT READY on every path (consuming unit attentions)"
for sd in $(sed -n 's/^LAB_LUN[0-9]*_PATH[0-9]*=//p' /run/lab-env); do
    ok=0
    for _ in $(seq 10); do sg_turs "$sd" >/dev/null 2>&1 && { ok=1; break; }; done
    [ "$ok" = 1 ] || log "sg_turs $sd never returned GOOD"
done
cp /run/lab-devices /share/devices.txt

# ------------------------------------------------------------ the command
log "running /share/cmd.sh"
waiting "the command (/share/cmd.sh) to finish"
set -a; . /run/lab-env; set +a
cd /share
bash /share/cmd.sh > /share/output.log 2>&1 < /dev/null
echo $? > /share/rc
log "command finished rc=$(cat /share/rc)"
poweroff_now
