# policy.sh - socket policies of our agent on real disks (sourced by suite.sh while the agent runs).
#
# Adds sockets to the running agent by writing etc/org.prhelper.socket-NAME.cfg into the guest's copy
# of the assembly (fileinstall picks them up live), each allowing only part of LUN 1:
#   pathonly  allow.devices.path    = LUN 1's path 0 (its /proc/self/fd name, /dev/sdX)
#   numbers   allow.devices.numbers = LUN 1's path 0 as MAJ:MIN
#   wwid      allow.devices.wwid    = LUN 1's WWID: both paths and its multipath map
# A refused request must be answered ILLEGAL REQUEST / ACCESS DENIED (05/20/02) and leave the LUN
# untouched; an allowed one must reach the device (GOOD).

POLICY_ETC=$E2E_ASSEMBLY/etc
ALLOWED="00 0/00/00"
DENIED="02 5/20/02"

add_socket() { # add_socket NAME KEY VALUE
    local cfg="$POLICY_ETC/org.prhelper.socket-$1.cfg" sock="/tmp/$1.sock"
    printf 'path = %s\n%s = %s\n' "$sock" "$2" "$3" > "$cfg"
    wait_until 90 "our agent to open the socket of $cfg" test -S "$sock"
}

# Unit attentions left by earlier steps would answer the first command on a path: consume them.
settle_paths() {
    local d
    for d in "$@"; do
        for _ in 1 2 3 4 5; do sg_turs "$d" >/dev/null 2>&1 && break; done
    done
}

expect() { # expect NAME SOCKET DEVICE OP WANTED
    local got
    waiting "policy.py $2 $3 $4"
    got=$(python3 "$E2E_HOME/guest/policy.py" "$2" "$3" "$4" 2>&1)
    if [ "$got" = "$5" ]; then pass "$1: $5"; else fail "$1" "wanted '$5', got '$got'"; fi
}

P0=$(readlink -f "$LAB_LUN1_PATH0") P1=$(readlink -f "$LAB_LUN1_PATH1")
MAJMIN=$(printf '%d:%d' "0x$(stat -L -c %t "$P0")" "0x$(stat -L -c %T "$P0")")
LUN1_WWID=$(cat "/sys/block/${P0#/dev/}/device/wwid")
settle_paths "$P0" "$P1" "$LAB_LUN0_PATH0"

if add_socket pathonly allow.devices.path "$P0"; then
    expect "policy by path: READ KEYS on the allowed path $P0" /tmp/pathonly.sock "$P0" read-keys "$ALLOWED"
    expect "policy by path: READ KEYS on $P1 is refused" /tmp/pathonly.sock "$P1" read-keys "$DENIED"
    before=$(sg_persist --in -k "$P1" 2>&1)
    expect "policy by path: REGISTER on $P1 is refused" /tmp/pathonly.sock "$P1" register "$DENIED"
    check "policy by path: the refused REGISTER left LUN 1's keys as they were" \
        test "$(sg_persist --in -k "$P1" 2>&1)" = "$before"
else
    fail "policy by path: socket opened" "no /tmp/pathonly.sock"
fi

if add_socket numbers allow.devices.numbers "$MAJMIN"; then
    expect "policy by numbers $MAJMIN: READ KEYS on $P0" /tmp/numbers.sock "$P0" read-keys "$ALLOWED"
    expect "policy by numbers $MAJMIN: READ KEYS on $P1 is refused" /tmp/numbers.sock "$P1" read-keys "$DENIED"
else
    fail "policy by numbers: socket opened" "no /tmp/numbers.sock"
fi

if add_socket wwid allow.devices.wwid "$LUN1_WWID"; then
    expect "policy by WWID $LUN1_WWID: READ KEYS on path 0" /tmp/wwid.sock "$P0" read-keys "$ALLOWED"
    expect "policy by WWID $LUN1_WWID: READ KEYS on path 1" /tmp/wwid.sock "$P1" read-keys "$ALLOWED"
    expect "policy by WWID $LUN1_WWID: READ KEYS on the multipath map $LAB_LUN1_MPATH" /tmp/wwid.sock \
        "$LAB_LUN1_MPATH" read-keys "$ALLOWED"
    expect "policy by WWID $LUN1_WWID: READ KEYS on LUN 0 is refused" /tmp/wwid.sock "$LAB_LUN0_PATH0" \
        read-keys "$DENIED"
else
    fail "policy by WWID: socket opened" "no /tmp/wwid.sock"
fi
rm -f "$POLICY_ETC"/org.prhelper.socket-{pathonly,numbers,wwid}.cfg
