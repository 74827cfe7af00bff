# sgio-direct-variants.sh - the lost-command investigation of issue 16 (e2e/README.md, "Concurrent
# direct SG_IO"): bench/sgio-direct.c in every way a client can differ from qemu-pr-helper, at 3
# threads (one per LUN) and 128, on three tcm_loop LUNs and on three iSCSI LUNs of the SAN lab
# (2 ms), then one READ KEYS that takes longer than the SG_IO timeout. A thread that does not come
# back within 30 s is reported as stuck=N with its kernel stack.
#
#   gcc -O2 -pthread -o $LAB_DIR/sgio-direct bench/sgio-direct.c     # the guest has no compiler
#   e2e/lab/boot.sh -l 3 -t 900 -f e2e/lab/examples/sgio-direct-variants.sh     # ~6 min
set -u
E2E_HOME=$(cd "$LAB_HOME/.." && pwd)
. "$E2E_HOME/guest/common.sh"
: > "$CHECKS"
. "$E2E_HOME/guest/san-lab.sh"
D=$LAB_DIR/sgio-direct
dstate() { ps -eLo stat,tid,wchan:28,comm | awk '$1 ~ /^D/' | head -5; }
variants() { # LABEL DEVICES...
    local label=$1 v n line; shift
    for v in "" "-s" "-r" "-r -s" "-t 1" "-t 0" "-L 10" "-b" "-c regignore -k 0x5a5a"; do
        for n in 3 128; do
            line=$(timeout 120 "$D" -w 30 $v $n 5 "$@" 2>/tmp/err.txt)
            echo "$label threads=$n opts='$v': $line"; grep -m2 . /tmp/err.txt | sed 's/^/    /'
        done
        dstate
    done
}
for j in 0 1 2; do eval "sg_persist --out --register-ignore --param-sark=0x5a5a \$LAB_LUN${j}_PATH0 >/dev/null"; done
variants tcm_loop "$LAB_LUN0_PATH0" "$LAB_LUN1_PATH0" "$LAB_LUN2_PATH0"
san_lab_setup || echo "SAN lab setup failed"
variants iscsi-2ms "$SAN_LUN0_PATH0" "$SAN_LUN1_PATH0" "$SAN_LUN2_PATH0"
echo "== a command that takes longer than the SG_IO timeout (slow LUN, netem 4000 ms each way)"
san_slow 4000
for t in 30000 1; do
    line=$(timeout 200 "$D" -w 90 -t $t 1 1 "$SAN_SLOW_PATH0" 2>/tmp/err.txt)
    echo "slow -t $t: $line"; sed 's/^/    /' /tmp/err.txt | head -12
    dstate
done
dmesg | grep -iE "abort|reset|timed out|TMR" | tail -25
