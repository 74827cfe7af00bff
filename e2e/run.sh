#!/bin/bash
# e2e/run.sh - end-to-end tests of the built agent on real SCSI targets (LIO disks in a QEMU guest).
#
#   e2e/run.sh            six guest boots: the byte-compare suite, multipath, the nested-QEMU test,
#                         the SAN benchmark (CI form), libvirt (CI form: bin/prhelper-vm only), the image
#   e2e/run.sh --libvirt  boot 5's full form: libvirt with each of the three pr_helper programs
#   e2e/run.sh --quick    skips the nested-QEMU boot, the SAN benchmark (boot 4), libvirt (boot 5) and
#                         the image (boot 6)
#   e2e/run.sh --only boot3   runs one boot (boot1 ... boot6), for work on its checks
#   e2e/run.sh --publish  a full run that also copies its results page to docs/e2e-results.md (only
#                         a full run that passed), for a change whose figures the docs cite
#
# 1. installs the Debian packages the lab needs (apt-get, as root or through sudo) and builds the lab's
#    initramfs archives (e2e/lab/build.sh);
# 2. snapshots the built assembly (karaf-assembly/target/assembly; run `mvn -B -q install
#    -DskipTests` first) to $LAB_DIR/assembly, so a rebuild during the run cannot change what the
#    guest executes;
# 3. boot 1 (e2e/guest/suite.sh): Debian's qemu-pr-helper on LUN 0 and our agent on LUN 1, every
#    step compared byte for byte and checked with sg_persist;
# 4. boot 3 (e2e/guest/multipath.sh): our multipath backend on LUN 0's map with multipathd running,
#    checked per path through Debian's qemu-pr-helper, sg_persist and mpathpersist; a path failure;
#    the backend switched off and on under traffic;
# 5. boot 2 (e2e/guest/nested.sh): a nested QEMU with pr-manager-helper + scsi-block talks to our
#    agent, which is restarted while QEMU stays up;
#    boot 4 (e2e/guest/san.sh, skipped by --quick): the SAN-latency benchmark's CI form (8 LIO LUNs
#    over iSCSI with a 2 ms netem delay, direct SG_IO / qemu-pr-helper / ours, 2 s per run): fails
#    on a lab that is not set up or a run with an error, never on the figures
#    (e2e/san-bench.sh is its full form);
#    boot 5 (e2e/guest/libvirt.sh, skipped by --quick): libvirtd runs nested VMs with managed
#    reservations with bin/prhelper-vm as pr_helper, and with --libvirt once per pr_helper (also
#    Debian's qemu-pr-helper and our bin/qemu-pr-helper): start, hot-plug, a killed helper, a
#    libvirtd restart, destroy; its guest runs its vCPUs in turn on one host thread (LAB_ACCEL
#    tcg,thread=single: with a thread each, the guest froze at libvirtd starts, e2e/README.md);
#    boot 6 (e2e/guest/container.sh, skipped by --quick): the container image of
#    packaging/container/build.sh run by podman in the guest as KubeVirt runs it, boot 1's suite
#    against it (without the image, boot 6 is skipped; under CI=true that is a failure);
# 6. writes e2e/target/e2e-results.md from the results (with --publish, docs/e2e-results.md too);
# 7. prints every check, the timings, and last a line "N passed, N failed"; exits 1 on any failure
#    (a guest timeout is a failure that says what the guest was waiting for), 2 on a setup problem.
#
# Environment: E2E_LIBVIRT_ROUNDS (boot 5's rounds: "prhelper-vm", with --libvirt "qemu-pr-helper
#   prhelper-jvm prhelper-vm"), E2E_LIBVIRT_B (boot 5's VM B: "paused", with --libvirt "boots"),
#   LAB_DIR (default /tmp/prhelper-e2e: kernel, initramfs, assembly snapshot),
#   PRHELPER_ASSEMBLY (default karaf-assembly/target/assembly), E2E_OUT (default e2e/target),
#   E2E_SUITE_TIMEOUT (default 1200 s), E2E_MULTIPATH_TIMEOUT and E2E_NESTED_TIMEOUT (default 1500 s),
#   E2E_SAN_TIMEOUT (default 900 s), E2E_LIBVIRT_TIMEOUT (default 1800 s, 3600 with --libvirt), E2E_CONTAINER_TIMEOUT
#   (default 1200 s): whole-guest limits.
set -uo pipefail
E2E=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$E2E")
export LAB_DIR=${LAB_DIR:-/tmp/prhelper-e2e}
ASSEMBLY_SRC=${PRHELPER_ASSEMBLY:-$ROOT/karaf-assembly/target/assembly}
OUT=${E2E_OUT:-$E2E/target}
SUITE_TIMEOUT=${E2E_SUITE_TIMEOUT:-1200}
NESTED_TIMEOUT=${E2E_NESTED_TIMEOUT:-1500}
MULTIPATH_TIMEOUT=${E2E_MULTIPATH_TIMEOUT:-1500}
SAN_TIMEOUT=${E2E_SAN_TIMEOUT:-900}
CONTAINER_TIMEOUT=${E2E_CONTAINER_TIMEOUT:-1200}
QUICK=0
ONLY=
LIBVIRT=0
PUBLISH=0
while [ $# -gt 0 ]; do
    a=$1; shift
    case $a in
        --quick) QUICK=1 ;;
        --libvirt) LIBVIRT=1 ;;
        --publish) PUBLISH=1 ;;
        --only) ONLY=${1:-}; shift
                case $ONLY in boot[1-6]) QUICK=1 ;; *) echo "e2e/run.sh: --only boot1|boot2|boot3|boot4|boot5|boot6" >&2; exit 2 ;; esac ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "e2e/run.sh: unknown argument '$a' (try --help)" >&2; exit 2 ;;
    esac
done
if [ "$PUBLISH" = 1 ] && [ "$QUICK" = 1 ]; then
    echo "e2e/run.sh: --publish takes a full run (not --quick or --only)" >&2; exit 2
fi

# Boot 5: CI's form serves through bin/prhelper-vm, the way README.md recommends, and its VM B (the
# hot-plug) stays paused, so one nested guest boots instead of two; --libvirt adds Debian's
# qemu-pr-helper (the reference) and our bin/qemu-pr-helper (a JVM per VM), and B's guest runs.
if [ "$LIBVIRT" = 1 ]; then
    LIBVIRT_ROUNDS="qemu-pr-helper prhelper-jvm prhelper-vm"; LIBVIRT_B=boots; LIBVIRT_TIMEOUT=${E2E_LIBVIRT_TIMEOUT:-3600}
else
    LIBVIRT_ROUNDS="prhelper-vm"; LIBVIRT_B=paused; LIBVIRT_TIMEOUT=${E2E_LIBVIRT_TIMEOUT:-1800}
fi
T_START=$(date +%s)
say() { echo "[e2e] $*"; }
# A setup problem: say what, and still end with the summary line.
setup_fail() { for line in "$@"; do echo "e2e/run.sh: $line" >&2; done; echo "0 passed, 1 failed"; exit 2; }
HOST_CHECKS=$OUT/host-checks.txt

# ------------------------------------------------------------------ setup
say "lab: packages and initramfs (e2e/lab/build.sh)"
"$E2E/lab/build.sh" || setup_fail "e2e/lab/build.sh failed"
[ -x "$ASSEMBLY_SRC/bin/qemu-pr-helper" ] || setup_fail "no built assembly at $ASSEMBLY_SRC; build it first:" \
    "    cd $ROOT && mvn -B -q install -DskipTests"
command -v python3 >/dev/null || setup_fail "python3 is missing (e2e/lab/build.sh installs it)"

say "snapshot of $ASSEMBLY_SRC -> $LAB_DIR/assembly"
rm -rf "$LAB_DIR/assembly.new" && mkdir -p "$LAB_DIR/assembly.new"
# The per-socket data folders and karaf.pid are run-time state of the host's own runs.
tar -C "$ASSEMBLY_SRC" --exclude=./data/qemu-pr-helper --exclude=./data/cache --exclude=./data/log \
    --exclude=./karaf.pid -cf - . | tar -C "$LAB_DIR/assembly.new" -xf - || setup_fail "copying the assembly failed"
rm -rf "$LAB_DIR/assembly" && mv "$LAB_DIR/assembly.new" "$LAB_DIR/assembly"

# Boot 3's agent also runs the console (docs/deploy.md, "The Karaf console"): a copy of the snapshot
# with the features the assembly carries switched on and a key for the user "lab" (admin).
say "console snapshot -> $LAB_DIR/assembly-console"
rm -rf "$LAB_DIR/assembly-console" "$LAB_DIR/console-key" "$LAB_DIR/console-key.pub"
cp -a "$LAB_DIR/assembly" "$LAB_DIR/assembly-console" || setup_fail "copying the assembly failed"
ssh-keygen -q -t rsa -b 2048 -N '' -C prhelper-e2e -f "$LAB_DIR/console-key" || setup_fail "ssh-keygen failed"
sed -i 's#^\(.*prhelper/[0-9][^,]*\)$#\1, ssh, bundle, prhelper-shell#' \
    "$LAB_DIR/assembly-console/etc/org.apache.karaf.features.cfg"
grep -q 'prhelper/.*, ssh, bundle, prhelper-shell' "$LAB_DIR/assembly-console/etc/org.apache.karaf.features.cfg" \
    || setup_fail "cannot add the console features to featuresBoot"
echo "lab=$(cut -d' ' -f2 "$LAB_DIR/console-key.pub"),_g_:admingroup" >> "$LAB_DIR/assembly-console/etc/keys.properties"

# Boot 6's image, the newest packaging/container/build.sh made, copied as the assembly is.
IMAGE_SRC=$(ls -t "$ROOT"/packaging/container/target/prhelper-image-*.tar 2>/dev/null | head -n 1)
rm -f "$LAB_DIR/prhelper-image.tar"
if [ -n "$IMAGE_SRC" ]; then
    say "image snapshot of $IMAGE_SRC -> $LAB_DIR/prhelper-image.tar"
    cp "$IMAGE_SRC" "$LAB_DIR/prhelper-image.tar" || setup_fail "copying the image failed"
fi

# The real-device benchmarks' clients (boot 1, guest/bench.sh; boot 4, guest/san.sh): the guest has no compiler.
gcc -O2 -Wall -pthread -o "$LAB_DIR/prbench" "$ROOT/bench/prbench.c" || setup_fail "building bench/prbench.c failed"
gcc -O2 -Wall -pthread -o "$LAB_DIR/sgio-direct" "$ROOT/bench/sgio-direct.c" || setup_fail "building bench/sgio-direct.c failed"

rm -rf "$OUT"/boot[1-6] "$OUT/e2e-results.md"
mkdir -p "$OUT"
: > "$HOST_CHECKS"
host_pass() { printf 'PASS\t%s\n' "$1" >> "$HOST_CHECKS"; }
host_fail() { printf 'FAIL\t%s\t%s\n' "$1" "$2" >> "$HOST_CHECKS"; }

# boot NAME SCRIPT TIMEOUT [boot.sh options]: runs e2e/guest/SCRIPT in a fresh guest, share $OUT/NAME
boot() {
    local name=$1 script=$2 timeout=$3 share=$OUT/$1 cmd rc start
    shift 3
    mkdir -p "$share"
    cmd=$(mktemp)
    cat > "$cmd" <<EOF
export E2E_HOME=$E2E E2E_ASSEMBLY=$LAB_DIR/assembly
export E2E_CONSOLE_ASSEMBLY=$LAB_DIR/assembly-console E2E_CONSOLE_KEY=$LAB_DIR/console-key
export E2E_PRBENCH=$LAB_DIR/prbench E2E_SGIO_DIRECT=$LAB_DIR/sgio-direct
export E2E_IMAGE_ARCHIVE=$LAB_DIR/prhelper-image.tar
# boot 4 (guest/san.sh): the SAN benchmark's CI form
export SAN_SECONDS=2 SAN_DELAYS=2 SAN_SLOW_MS=0
# boot 5 (guest/libvirt.sh): which rounds (pr_helper programs); all with --libvirt
export E2E_LIBVIRT_ROUNDS="${E2E_LIBVIRT_ROUNDS:-$LIBVIRT_ROUNDS}" E2E_LIBVIRT_B="${E2E_LIBVIRT_B:-$LIBVIRT_B}"
exec bash "\$E2E_HOME/guest/$script"
EOF
    say "$name: booting the guest for guest/$script (limit ${timeout}s)"
    start=$(date +%s)
    "$E2E/lab/boot.sh" -t "$timeout" -k "$share" "$@" -f "$cmd" 2>&1 | tee "$share.log" | sed "s/^/[$name] /"
    rc=${PIPESTATUS[0]}
    local froze=""
    if [ "$rc" = 126 ]; then
        # The lab guest's kernel stopped (boot.sh's watchdog): the emulation's fault, not a result.
        # Boot it once more; a second freeze fails the boot.
        froze=$(grep -m1 '^\[boot\] FROZE' "$share.log" | sed 's/^\[boot\] //')
        mv "$share.log" "$share.froze.log"
        say "$name: $froze; booting the guest again, once (first attempt's log: $share.froze.log)"
        "$E2E/lab/boot.sh" -t "$timeout" -k "$share" "$@" -f "$cmd" 2>&1 | tee "$share.log" | sed "s/^/[$name] /"
        rc=${PIPESTATUS[0]}
    fi
    rm -f "$cmd"
    echo "$(( $(date +%s) - start ))" > "$share/boot-seconds"
    if [ "$rc" = 125 ] || [ "$rc" = 126 ]; then
        host_fail "$name: the guest finished" "$(grep -E '^\[boot\] (TIMEOUT|FROZE|the guest did not)' "$share.log" | head -1 | sed 's/^\[boot\] //')"
    elif [ "$rc" != 0 ] && [ ! -s "$share/checks.txt" ]; then
        host_fail "$name: the guest finished" "guest/$script exited with $rc without reporting checks"
    elif [ "$rc" != 0 ] && ! grep -q $'^FAIL\t' "$share/checks.txt"; then
        # A script stopped by an error of its own (set -u, a crash) skipped the rest of its checks.
        host_fail "$name: the guest finished" "guest/$script exited with $rc but reported no failing check: it died early (see $share.log)"
    else
        host_pass "$name: the guest finished (guest/$script exit status $rc${froze:+; booted twice, the first guest $froze})"
    fi
    [ -s "$share/checks.txt" ] || host_fail "$name: the guest reported its checks" "no $share/checks.txt"
}

wanted() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }
wanted boot1 && boot boot1 suite.sh "$SUITE_TIMEOUT"
wanted boot3 && boot boot3 multipath.sh "$MULTIPATH_TIMEOUT"
if [ "$QUICK" = 0 ] || [ "$ONLY" = boot2 ]; then
    boot boot2 nested.sh "$NESTED_TIMEOUT" -l 1 -M
fi
if [ "$QUICK" = 0 ] || [ "$ONLY" = boot4 ]; then
    boot boot4 san.sh "$SAN_TIMEOUT" -l 1
fi
if [ "$QUICK" = 0 ] || [ "$ONLY" = boot5 ]; then
    LAB_ACCEL=${LAB_ACCEL:-tcg,thread=single} boot boot5 libvirt.sh "$LIBVIRT_TIMEOUT" -l 1 -M -d
fi
if [ "$QUICK" = 0 ] || [ "$ONLY" = boot6 ]; then
    if [ -f "$LAB_DIR/prhelper-image.tar" ]; then
        # podman's storage is in the guest's RAM.
        boot boot6 container.sh "$CONTAINER_TIMEOUT" -m 3584
    elif [ "${CI:-}" = true ]; then
        host_fail "boot6: the container image was there to test" "no packaging/container/target/prhelper-image-*.tar (scripts/test.sh builds it)"
    else
        say "boot6 (container image) not run: no image; packaging/container/build.sh makes it"
    fi
fi

# ------------------------------------------------------------------ report
T_END=$(date +%s)
echo "$(( T_END - T_START ))" > "$OUT/total-seconds"
REPORT_ARGS=(--out "$OUT" --root "$ROOT" --md "$OUT/e2e-results.md")
[ "$QUICK" = 1 ] && REPORT_ARGS+=(--quick)
if python3 "$E2E/report.py" "${REPORT_ARGS[@]}"; then
    say "wrote $OUT/e2e-results.md"
else
    host_fail "report: e2e/report.py wrote the results page" "see the error above"
fi

# ------------------------------------------------------------------ summary
echo
say "summary"
for f in "$HOST_CHECKS" "$OUT"/boot1/checks.txt "$OUT"/boot3/checks.txt "$OUT"/boot2/checks.txt "$OUT"/boot4/checks.txt "$OUT"/boot5/checks.txt "$OUT"/boot6/checks.txt; do
    [ -f "$f" ] || continue
    awk -F'\t' '{ if ($1 == "FAIL") printf "  FAIL  %s: %s\n", $2, $3;
                  else if ($1 == "XFAIL") printf "  XFAIL %s: %s\n", $2, $3;
                  else if ($1 == "XPASS") printf "  XPASS %s: %s\n", $2, $3;
                  else printf "  pass  %s\n", $2 }' "$f"
done
for b in boot1 boot3 boot2 boot4 boot5 boot6; do
    [ -f "$OUT/$b/boot-seconds" ] && say "$b: guest wall time $(cat "$OUT/$b/wall-ms" 2>/dev/null | awk '{printf "%.1f", $1/1000}') s (boot.sh $(cat "$OUT/$b/boot-seconds") s)"
done
[ "$QUICK" = 1 ] && [ "$ONLY" != boot2 ] && say "boot2 (nested QEMU) skipped: --quick"
[ "$QUICK" = 1 ] && [ "$ONLY" != boot4 ] && say "boot4 (SAN benchmark) skipped: --quick"
[ "$QUICK" = 1 ] && [ "$ONLY" != boot6 ] && say "boot6 (container image) skipped: --quick"
[ "$QUICK" = 1 ] && [ "$ONLY" != boot5 ] && say "boot5 (libvirt) skipped: --quick"
[ -s "$OUT/boot4/san-results.md" ] && say "boot4: SAN benchmark table in $OUT/boot4/san-results.md (and e2e-results.md)"
say "whole run: $(( T_END - T_START )) s; results: $OUT (e2e-results.md, boot*/results.json, logs)"
passed=$(cat "$HOST_CHECKS" "$OUT"/boot*/checks.txt 2>/dev/null | grep -c -E $'^(PASS|XPASS)\t')
failed=$(cat "$HOST_CHECKS" "$OUT"/boot*/checks.txt 2>/dev/null | grep -c $'^FAIL\t')
xfail=$(cat "$HOST_CHECKS" "$OUT"/boot*/checks.txt 2>/dev/null | grep -c $'^XFAIL\t')
[ "$xfail" = 0 ] || say "$xfail known bug(s) of ours (XFAIL: reported in e2e-results.md, not counted as failures)"
if [ "$PUBLISH" = 1 ]; then
    if [ "$failed" = 0 ] && [ -s "$OUT/e2e-results.md" ]; then
        cp "$OUT/e2e-results.md" "$ROOT/docs/e2e-results.md" && say "published: docs/e2e-results.md"
    else
        say "not published: a run with a failure does not replace docs/e2e-results.md"
    fi
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] || exit 1
exit 0
