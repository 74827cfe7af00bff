# mpath-out-cost.sh - what one PR OUT through libmpathpersist costs (docs/multipath.md, "What one PR
# OUT costs"): REGISTER AND IGNORE EXISTING KEY with the registered key on one SAN-lab map, 40 calls
# with the library's per-call discovery and 40 on kept vectors, twice; then a perf profile of the
# per-call kind when perf runs in the guest.
#
#   gcc -O2 -o $LAB_DIR/mpath-out-cost bench/mpath-out-cost.c /usr/lib/libmpathpersist.so.0
#   e2e/lab/boot.sh -l 1 -t 800 -f e2e/lab/examples/mpath-out-cost.sh     # ~2 min
set -u
E2E_HOME=$(cd "$LAB_HOME/.." && pwd)
. "$E2E_HOME/guest/common.sh"
: > "$CHECKS"
. "$E2E_HOME/guest/san-lab.sh"
san_lab_setup || echo "SAN lab setup failed"
P=$LAB_DIR/mpath-out-cost
mp=$(pidof multipathd)
$P "$SAN_LUN0_MPATH" "$SAN_KEY" 5 fresh "$mp"   # warm-up
for r in 1 2; do
    $P "$SAN_LUN0_MPATH" "$SAN_KEY" 40 fresh "$mp"
    $P "$SAN_LUN0_MPATH" "$SAN_KEY" 40 vecs "$mp"
done
if command -v perf >/dev/null; then
    perf record -g -o /tmp/perf.data -- $P "$SAN_LUN0_MPATH" "$SAN_KEY" 40 fresh "$mp" 2>&1 | tail -1
    perf report -i /tmp/perf.data --no-children --sort dso,sym --stdio 2>/dev/null | grep '%' | head -25
fi
sg_persist --in -k "$SAN_LUN0_PATH0"   # the key, once per I_T nexus
