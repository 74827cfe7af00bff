# san-lab.sh - sourced by guest/san.sh (and usable from an e2e/lab/boot.sh -f script): a SAN with
# latency inside the lab guest. LIO ramdisk LUNs exported by LIO's iSCSI target on the guest's
# loopback, logged in with open-iscsi under two initiator names (two ifaces = two I_T nexuses, like
# two hosts), a dm-multipath map per LUN over its two iSCSI sessions, and a netem delay on `lo` as
# the SAN's round trip. Facts checked beforehand: ../../../shared/notes/san-latency-lab.md.
#
#   san_lab_setup            target, sessions, maps; registers SAN_KEY on every path of every LUN
#   san_lab_check            PASS/FAIL lines (common.sh): LUN count, paths, WWIDs, maps, initiators
#   san_delay MS             the delay of every loopback packet, one way (a command gains ~2 x MS)
#   san_slow MS              the delay of the slow LUN's packets only (127.0.0.2), one way
#
# After san_lab_setup: SAN_LUN<J>_PATH<I> (J < SAN_LUNS, I = 0, 1) SCSI disks, SAN_LUN<J>_MPATH
# maps, SAN_SLOW_PATH0/1 and SAN_SLOW_MPATH (the slow LUN: its own target on portal 127.0.0.2, so
# that a tc filter on that address delays it alone), also written to /share/san-devices.txt.
# Environment: SAN_LUNS (8), SAN_DELAY_MS (2), SAN_KEY (0x5a5a).
#
# Everything is set up through configfs (no targetcli). The backstores are rd_mcp_1/san<J> (1 MiB
# each; the lab's tcm_loop LUNs use rd_mcp_0). All SAN_LUNS LUNs sit behind ONE target portal group:
# fine for READ KEYS and REGISTER AND IGNORE, but LIO's REGISTER AND MOVE / SPEC_I_PT would mix LUNs
# up there (lab/README.md, "Why each LUN has its own targets").

SAN_LUNS=${SAN_LUNS:-8}
SAN_DELAY_MS=${SAN_DELAY_MS:-2}
SAN_KEY=${SAN_KEY:-0x5a5a}
SAN_IQN=iqn.2003-01.org.linux-iscsi.lab:san
SAN_SLOW_IQN=iqn.2003-01.org.linux-iscsi.lab:slow
SAN_INITIATOR0=iqn.2003-01.org.linux-iscsi.lab:host0
SAN_INITIATOR1=iqn.2003-01.org.linux-iscsi.lab:host1
SAN_CFG=/sys/kernel/config/target

# san_target IQN PORTAL-IP FIRST-INDEX COUNT: a target with COUNT ramdisk LUNs on PORTAL-IP:3260.
san_target() {
    local iqn=$1 ip=$2 first=$3 count=$4 tpg=$SAN_CFG/iscsi/$1/tpgt_1 j lun bs
    mkdir -p "$tpg" || return 1
    for lun in $(seq 0 $((count - 1))); do
        j=$((first + lun))
        bs=$SAN_CFG/core/rd_mcp_1/san$j
        mkdir -p "$bs" || return 1
        echo "rd_pages=256" > "$bs/control"          # 256 x 4 KiB = 1 MiB
        echo 1 > "$bs/enable"
        echo "labsan$j" > "$bs/wwn/vpd_unit_serial"   # WWID 36001405aba<j>...: distinct per LUN
        mkdir -p "$tpg/lun/lun_$lun"
        ln -s "$bs" "$tpg/lun/lun_$lun/san$j"
    done
    echo 1 > "$tpg/attrib/generate_node_acls"
    echo 1 > "$tpg/attrib/cache_dynamic_acls"
    echo 0 > "$tpg/attrib/demo_mode_write_protect"
    echo 0 > "$tpg/attrib/authentication"
    mkdir -p "$tpg/np/$ip:3260" || return 1
    echo 1 > "$tpg/enable"
}

# san_disk IQN IFACE LUN: the SCSI disk of LUN (its number in the target) in the session of IFACE.
san_disk() {
    local s name d
    for s in /sys/class/iscsi_session/session*; do
        [ "$(cat "$s/targetname" 2>/dev/null)" = "$1" ] || continue
        name=$(cat "$s/initiatorname" 2>/dev/null)
        [ "$name" = "$([ "$2" = san0 ] && echo "$SAN_INITIATOR0" || echo "$SAN_INITIATOR1")" ] || continue
        for d in "$s"/device/target*/*:*:*:"$3"/block/sd*; do
            [ -e "$d" ] && { echo "/dev/$(basename "$d")"; return 0; }
        done
    done
    return 1
}

# san_map DISK: the dm-multipath map whose slaves include DISK.
san_map() {
    local dm
    for dm in /sys/block/dm-*; do
        [ -e "$dm/slaves/${1#/dev/}" ] && { echo "/dev/mapper/$(cat "$dm/dm/name")"; return 0; }
    done
    return 1
}

san_all_disks() { # every iSCSI disk of the lab has appeared in both sessions
    local j
    for j in $(seq 0 $((SAN_LUNS - 1))); do
        san_disk "$SAN_IQN" san0 "$j" >/dev/null && san_disk "$SAN_IQN" san1 "$j" >/dev/null || return 1
    done
    san_disk "$SAN_SLOW_IQN" san0 0 >/dev/null && san_disk "$SAN_SLOW_IQN" san1 0 >/dev/null
}
san_all_maps() {
    local j
    for j in $(seq 0 $((SAN_LUNS - 1))); do
        san_map "$(san_disk "$SAN_IQN" san0 "$j")" >/dev/null || return 1
    done
    san_map "$(san_disk "$SAN_SLOW_IQN" san0 0)" >/dev/null
}

san_iscsid_up() { # iscsiadm exits 21 (no sessions) or 0 once iscsid answers
    iscsiadm -m session >/dev/null 2>&1
    case $? in 0|21) return 0 ;; *) return 1 ;; esac
}
san_netem_is() { tc qdisc show dev lo | grep -qE "parent 1:2 .*delay $1(\.0)?ms"; }

san_lab_setup() {
    local ip j i d iface
    ip=$(command -v ip || echo "busybox ip")
    $ip link set lo up
    waiting "SAN lab: kernel modules"
    modprobe -a iscsi_target_mod iscsi_tcp sch_netem sch_prio cls_u32 || return 1
    waiting "SAN lab: LIO iSCSI targets"
    san_target "$SAN_IQN" 127.0.0.1 0 "$SAN_LUNS" || return 1
    san_target "$SAN_SLOW_IQN" 127.0.0.2 "$SAN_LUNS" 1 || return 1

    # The initiator: iscsid (no systemd in the guest), two ifaces with their own initiator names.
    waiting "SAN lab: iscsid and the logins"
    mkdir -p /etc/iscsi /run/lock/iscsi
    echo "InitiatorName=$SAN_INITIATOR0" > /etc/iscsi/initiatorname.iscsi
    sed -i 's|^iscsid.startup = .*|iscsid.startup = /bin/true|' /etc/iscsi/iscsid.conf
    iscsid || return 1
    wait_until 20 "SAN lab: iscsid to answer" san_iscsid_up || return 1
    for iface in san0 san1; do
        iscsiadm -m iface -I $iface -o new >/dev/null || return 1
        iscsiadm -m iface -I $iface -o update -n iface.initiatorname \
            -v "$([ $iface = san0 ] && echo "$SAN_INITIATOR0" || echo "$SAN_INITIATOR1")" >/dev/null || return 1
    done
    for portal in 127.0.0.1 127.0.0.2; do
        iscsiadm -m discovery -t st -p $portal -I san0 -I san1 >/dev/null || return 1
    done
    for iface in san0 san1; do
        iscsiadm -m node -T "$SAN_IQN" -p 127.0.0.1 -I $iface --login >/dev/null || return 1
        iscsiadm -m node -T "$SAN_SLOW_IQN" -p 127.0.0.2 -I $iface --login >/dev/null || return 1
    done
    wait_until 60 "SAN lab: the iSCSI disks of both sessions" san_all_disks || return 1
    udevadm settle -t 30
    # multipathd (started by guest-init.sh, find_multipaths no) makes the maps from the uevents.
    if pidof multipathd >/dev/null; then
        multipath >/dev/null 2>&1
        wait_until 60 "SAN lab: the multipath maps" san_all_maps
    fi

    : > /share/san-devices.txt
    for j in $(seq 0 $((SAN_LUNS - 1))) slow; do
        for i in 0 1; do
            if [ "$j" = slow ]; then d=$(san_disk "$SAN_SLOW_IQN" san$i 0); else d=$(san_disk "$SAN_IQN" san$i "$j"); fi
            [ "$j" = slow ] && eval "SAN_SLOW_PATH$i=$d" || eval "SAN_LUN${j}_PATH$i=$d"
            echo "san.lun$j.path$i=$d initiator=$([ $i = 0 ] && echo $SAN_INITIATOR0 || echo $SAN_INITIATOR1)" >> /share/san-devices.txt
            # Consume the unit attentions of the new sessions, then register the key of the
            # benchmark's no-op REGISTER AND IGNORE EXISTING KEY on this I_T nexus.
            for _ in 1 2 3; do sg_turs "$d" >/dev/null 2>&1 && break; done
            sg_persist --out --register-ignore --param-sark="$SAN_KEY" "$d" >/dev/null 2>&1
        done
        d=$(san_map "$([ "$j" = slow ] && echo "$SAN_SLOW_PATH0" || eval echo "\$SAN_LUN${j}_PATH0")")
        [ "$j" = slow ] && SAN_SLOW_MPATH=$d || eval "SAN_LUN${j}_MPATH=$d"
        echo "san.lun$j.mpath=$d" >> /share/san-devices.txt
    done

    # The latency: a prio qdisc on lo, band 1:2 (every packet) and band 1:3 (the slow LUN's portal
    # 127.0.0.2, both directions), each with its own netem.
    tc qdisc del dev lo root 2>/dev/null
    tc qdisc add dev lo root handle 1: prio bands 3 priomap 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 || return 1
    tc qdisc add dev lo parent 1:2 handle 20: netem delay "${SAN_DELAY_MS}ms" limit 100000 || return 1
    tc qdisc add dev lo parent 1:3 handle 30: netem delay "${SAN_DELAY_MS}ms" limit 100000 || return 1
    tc filter add dev lo parent 1: protocol ip prio 1 u32 match ip dst 127.0.0.2/32 flowid 1:3 || return 1
    tc filter add dev lo parent 1: protocol ip prio 1 u32 match ip src 127.0.0.2/32 flowid 1:3 || return 1
    return 0
}

san_delay() { tc qdisc change dev lo parent 1:2 handle 20: netem delay "$1ms" limit 100000 \
    && tc qdisc change dev lo parent 1:3 handle 30: netem delay "$1ms" limit 100000; }
san_slow() { tc qdisc change dev lo parent 1:3 handle 30: netem delay "$1ms" limit 100000; }

# The WWID of a disk or map as multipath sees it (page 0x83 NAA designator).
san_wwid() { /lib/udev/scsi_id -g -u -d "$1" 2>/dev/null; }

san_lab_check() {
    local j d0 d1 m w0 w1 wwids="" n=0 slaves
    for j in $(seq 0 $((SAN_LUNS - 1))) slow; do
        if [ "$j" = slow ]; then d0=$SAN_SLOW_PATH0 d1=$SAN_SLOW_PATH1 m=$SAN_SLOW_MPATH
        else eval "d0=\$SAN_LUN${j}_PATH0 d1=\$SAN_LUN${j}_PATH1 m=\$SAN_LUN${j}_MPATH"; fi
        w0=$(san_wwid "$d0"); w1=$(san_wwid "$d1")
        if [ -b "$d0" ] && [ -b "$d1" ] && [ "$d0" != "$d1" ] && [ -n "$w0" ] && [ "$w0" = "$w1" ]; then
            n=$((n + 1)); wwids="$wwids $w0"
        else
            fail "SAN lab: LUN $j has two iSCSI paths with one WWID" "paths '$d0' '$d1', WWIDs '$w0' '$w1'"
        fi
        slaves=$(ls "/sys/block/$(basename "$(readlink -f "$m" 2>/dev/null)")/slaves" 2>/dev/null | sort | tr '\n' ' ')
        [ -b "$m" ] && [ "$slaves" = "$(printf '%s\n' "${d0#/dev/}" "${d1#/dev/}" | sort | tr '\n' ' ')" ] \
            || fail "SAN lab: LUN $j has a multipath map over its two paths" "map '$m', slaves '$slaves'"
    done
    check "SAN lab: $SAN_LUNS + 1 (slow) LUNs with two iSCSI paths each (found $n)" test "$n" = $((SAN_LUNS + 1))
    check "SAN lab: every LUN has its own WWID" test "$(echo $wwids | tr ' ' '\n' | sort -u | wc -l)" = $((SAN_LUNS + 1))
    check "SAN lab: a multipath map per LUN over its two paths" test "$(grep -c 'mpath=/dev/mapper/' /share/san-devices.txt)" = $((SAN_LUNS + 1))
    # Two sessions per target, with the two initiator names (two I_T nexuses per LUN).
    check "SAN lab: two iSCSI sessions per target with initiators host0 and host1" \
        test "$(cat /sys/class/iscsi_session/session*/initiatorname | sort | uniq -c | awk '{print $1}' | tr '\n' ' ')" = "2 2 "
    # Each LUN's two paths are two registrations of SAN_KEY (READ KEYS through path 0).
    local bad=""
    for j in $(seq 0 $((SAN_LUNS - 1))); do
        eval "d0=\$SAN_LUN${j}_PATH0"
        [ "$(sg_persist --in -k "$d0" 2>/dev/null | grep -c "$(printf '0x%x' "$SAN_KEY")")" = 2 ] || bad="$bad $j"
    done
    check "SAN lab: SAN_KEY $SAN_KEY registered on both I_T nexuses of every LUN${bad:+ (not on LUNs$bad)}" test -z "$bad"
    check "SAN lab: netem delay ${SAN_DELAY_MS} ms on lo" san_netem_is "${SAN_DELAY_MS}"
}
