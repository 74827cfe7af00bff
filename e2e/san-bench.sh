#!/bin/bash
# e2e/san-bench.sh - the SAN-latency benchmark (issue 16) in one command: boots the lab guest
# (e2e/lab/boot.sh) and runs e2e/guest/san.sh there: 8 LIO LUNs over iSCSI on the guest's loopback
# with a netem delay, two initiator names, a multipath map per LUN; direct SG_IO, Debian's
# qemu-pr-helper and our agent side by side at 1, 8, 32 and 128 connections, READ KEYS and REGISTER
# AND IGNORE EXISTING KEY (same key), plain paths and multipath maps, each delay; then a slow LUN.
#
#   e2e/san-bench.sh [--seconds N] [--delays "2 10"] [--conns "1 8 32 128"] [--quick]
#
# Full form (default): 5 s per run, delays 2 and 10 ms, ~23 min. --quick is e2e/run.sh's boot 4
# (the CI form): 2 s per run, 2 ms only, no slow-LUN case. Prints the table and writes it to
# $E2E_OUT/san/san-results.md (E2E_OUT default e2e/target), with the raw lines (san-bench.txt),
# the checks, the guest's output and our agent's karaf.log; copy the table into docs/benchmarks.md.
# Exit status: 0 when every check passed (the lab, 0 errors in every run), 1 otherwise; the
# figures never fail it. Needs the built assembly (mvn -B -q install -DskipTests), gcc, root for
# apt-get (e2e/lab/build.sh). Environment: LAB_DIR (/tmp/prhelper-e2e), PRHELPER_ASSEMBLY, E2E_OUT,
# SAN_SLOW_MS (750), SAN_SLOW_CONNS (8), SAN_LUNS (8), SAN_KEY; SAN_TIMEOUT (guest limit, 2400 s).
set -uo pipefail
E2E=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$E2E")
export LAB_DIR=${LAB_DIR:-/tmp/prhelper-e2e}
ASSEMBLY_SRC=${PRHELPER_ASSEMBLY:-$ROOT/karaf-assembly/target/assembly}
OUT=${E2E_OUT:-$E2E/target}/san
SECONDS_PER_RUN=5 DELAYS="2 10" CONNS="1 8 32 128"
while [ $# -gt 0 ]; do
    a=$1; shift
    case $a in
        --seconds) SECONDS_PER_RUN=$1; shift ;;
        --delays) DELAYS=$1; shift ;;
        --conns) CONNS=$1; shift ;;
        --quick) SECONDS_PER_RUN=2 DELAYS=2; export SAN_SLOW_MS=0 ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "e2e/san-bench.sh: unknown argument '$a' (try --help)" >&2; exit 2 ;;
    esac
done
die() { echo "e2e/san-bench.sh: $*" >&2; exit 2; }

"$E2E/lab/build.sh" >/dev/null || die "e2e/lab/build.sh failed"
[ -x "$ASSEMBLY_SRC/bin/qemu-pr-helper" ] || die "no built assembly at $ASSEMBLY_SRC (mvn -B -q install -DskipTests)"
mkdir -p "$LAB_DIR"
rm -rf "$LAB_DIR/assembly-san" && mkdir -p "$LAB_DIR/assembly-san"
tar -C "$ASSEMBLY_SRC" --exclude=./data/qemu-pr-helper --exclude=./data/cache --exclude=./data/log \
    --exclude=./karaf.pid -cf - . | tar -C "$LAB_DIR/assembly-san" -xf - || die "copying the assembly failed"
# The guest has no compiler.
gcc -O2 -Wall -pthread -o "$LAB_DIR/prbench" "$ROOT/bench/prbench.c" || die "building bench/prbench.c failed"
gcc -O2 -Wall -pthread -o "$LAB_DIR/sgio-direct" "$ROOT/bench/sgio-direct.c" || die "building bench/sgio-direct.c failed"

rm -rf "$OUT" && mkdir -p "$OUT"
cmd=$(mktemp)
cat > "$cmd" <<EOF
export E2E_HOME=$E2E E2E_ASSEMBLY=$LAB_DIR/assembly-san E2E_PRBENCH=$LAB_DIR/prbench E2E_SGIO_DIRECT=$LAB_DIR/sgio-direct
export SAN_SECONDS=$SECONDS_PER_RUN SAN_DELAYS="$DELAYS" SAN_CONNS="$CONNS"
for v in SAN_SLOW_MS=${SAN_SLOW_MS:-} SAN_SLOW_CONNS=${SAN_SLOW_CONNS:-} SAN_LUNS=${SAN_LUNS:-} SAN_KEY=${SAN_KEY:-}; do
    [ -n "\${v#*=}" ] && export "\$v"
done
exec bash "\$E2E_HOME/guest/san.sh"
EOF
start=$(date +%s)
"$E2E/lab/boot.sh" -l 1 -t "${SAN_TIMEOUT:-2400}" -k "$OUT" -f "$cmd" 2>&1 | tee "$OUT.log"
rc=${PIPESTATUS[0]}
rm -f "$cmd"
echo
echo "[san-bench] guest wall time $(awk '{printf "%.0f", $1/1000}' "$OUT/wall-ms" 2>/dev/null) s, whole run $(( $(date +%s) - start )) s; results: $OUT/san-results.md"
passed=$(grep -c $'^PASS\t' "$OUT/checks.txt" 2>/dev/null)
failed=$(grep -c $'^FAIL\t' "$OUT/checks.txt" 2>/dev/null)
grep $'^FAIL\t' "$OUT/checks.txt" 2>/dev/null | sed 's/^/  /'
[ "$rc" = 0 ] || { echo "[san-bench] the guest exited with $rc"; failed=$((failed + 1)); }
[ -s "$OUT/checks.txt" ] || failed=$((failed + 1))
echo "${passed:-0} passed, ${failed:-0} failed"
[ "${failed:-1}" = 0 ]
